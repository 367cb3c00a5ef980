import { sql } from 'kysely';
import type { z } from 'zod';
import type { TaskTemplate } from '../workflows/templates.js';
import type { Db } from './connection.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';
import { taskTemplateInput, toTemplate, type TaskTemplateInput } from './template-schema.js';

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly issues: { field: string; reason: string }[] = [],
  ) {
    super(message);
  }
}

/** The newest version of a project type's template, or undefined. */
export async function latestTemplate(db: Db, projectType: string): Promise<TaskTemplate | undefined> {
  const row = await db
    .selectFrom('task_templates')
    .select('definition')
    .where('project_type', '=', projectType)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.definition;
}

/** One version of a project type's template, or undefined. */
export async function templateVersion(db: Db, projectType: string, version: number): Promise<TaskTemplate | undefined> {
  const row = await db.selectFrom('task_templates').select('definition').where('project_type', '=', projectType).where('version', '=', version).executeTakeFirst();
  return row?.definition;
}

/** The project types that have a template. */
export async function templateProjectTypes(db: Db): Promise<string[]> {
  return (await db.selectFrom('task_templates').select('project_type').distinct().execute()).map((r) => r.project_type);
}

export async function listTemplates(db: Db) {
  return db.selectFrom('task_templates').select(['project_type', 'version', 'created_by', 'created_at']).orderBy('project_type').orderBy('version').execute();
}

/** The template schema's reasons, each naming the part of the template it is about (tasks.0.key). */
export function templateIssues(error: z.ZodError): { field: string; reason: string }[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || '(template)', reason: i.message }));
}

/** Validates and saves a new version; earlier versions stay as they were for the projects using them. */
export async function addTemplateVersion(db: Db, input: TaskTemplateInput, createdBy: string): Promise<TaskTemplate> {
  const parsed = taskTemplateInput.safeParse(input);
  if (!parsed.success) {
    const issues = templateIssues(parsed.error);
    throw new TemplateError(`invalid template: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`, issues);
  }
  return db.transaction().execute(async (trx) => {
    // Serialises concurrent saves of one project type, so versions never collide.
    await sql`select pg_advisory_xact_lock(hashtext(${parsed.data.projectType}))`.execute(trx);
    const last = await trx
      .selectFrom('task_templates')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('project_type', '=', parsed.data.projectType)
      .executeTakeFirst();
    const template = toTemplate(parsed.data, Number(last?.v ?? 0) + 1);
    await trx
      .insertInto('task_templates')
      .values({ project_type: template.projectType, version: template.version, definition: JSON.stringify(template), created_by: createdBy })
      .execute();
    return template;
  });
}

/** Saves the built-in templates for project types that have none yet. */
export async function seedDefaultTemplates(db: Db): Promise<string[]> {
  const added: string[] = [];
  for (const t of DEFAULT_TEMPLATES) {
    if (!(await latestTemplate(db, t.projectType))) {
      await addTemplateVersion(db, t, 'system');
      added.push(t.projectType);
    }
  }
  return added;
}

import { sql, type Transaction } from 'kysely';
import type { ProjectEvent, ProjectState } from '../workflows/contract.js';
import { escalationRung, overdueTasks } from '../workflows/project-state.js';
import type { Db } from './connection.js';
import type { Database, Project } from './schema.js';

/** Upsert that never moves a row back to an older version of the project. */
const newer = sql<boolean>`excluded.version > `;

/**
 * Writes one project change: the projection rows (project, tasks, blockers, the escalation if
 * any; never moved back to an older version) and its audit record (once per version). Safe to
 * run again with the same input.
 */
export async function recordProjectEvent(db: Db, state: ProjectState, event: ProjectEvent): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await upsertProject(trx, state);
    await upsertTasks(trx, state);
    await upsertBlockers(trx, state);
    if (event.kind === 'task.escalated') {
      const d = event.data as { taskKey: string; rung: number; department: string; dueAt: string };
      await trx
        .insertInto('escalations')
        .values({ project_code: state.code, task_key: d.taskKey, rung: d.rung, department: d.department, due_at: d.dueAt, escalated_at: event.at })
        .onConflict((oc) => oc.columns(['project_code', 'task_key', 'rung']).doNothing())
        .execute();
    }
    if (event.kind === 'projection.restored' && event.data.remaining === 0) {
      await trx.updateTable('write_failures').set({ resolved_at: event.at }).where('project_code', '=', state.code).where('resolved_at', 'is', null).execute();
    }
    await trx
      .insertInto('audit_log')
      .values({
        project_code: state.code,
        version: event.version,
        kind: event.kind,
        actor: event.actor,
        occurred_at: event.at,
        data: JSON.stringify(event.data),
      })
      .onConflict((oc) => oc.columns(['project_code', 'version']).doNothing())
      .execute();
  });
}

async function upsertProject(trx: Transaction<Database>, state: ProjectState): Promise<void> {
  const row = {
    code: state.code,
    name: state.name,
    codename: state.codename,
    city: state.city,
    investor: state.investor,
    capital_type: state.capitalType,
    out_of_province: state.outOfProvince,
    stage: state.stage,
    version: state.version,
    started_at: state.startedAt,
    updated_at: state.updatedAt,
    project_type: state.projectType,
    template_version: state.template?.version ?? null,
    liaison: state.liaison,
    stuck: state.stuck.stuck,
    stuck_reasons: state.stuck.reasons,
    stuck_since: state.stuck.since,
    overdue_tasks: overdueTasks(state).length,
    escalation_rung: escalationRung(state),
    last_progress_at: state.lastProgressAt,
    contracted_minor: state.contracted?.amountMinor ?? null,
    contracted_currency: state.contracted?.currency ?? null,
    signing_event: state.signingEvent ?? null,
    signed_on: state.signedOn ?? null,
  };
  const { code: _code, started_at: _started, ...changes } = row;
  await trx
    .insertInto('projects')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('code')
        .doUpdateSet(Object.fromEntries(Object.keys(changes).map((k) => [k, sql.ref(`excluded.${k}`)])))
        .where(sql<boolean>`${newer}projects.version`),
    )
    .execute();
}

async function upsertTasks(trx: Transaction<Database>, state: ProjectState): Promise<void> {
  if (!state.tasks.length) return;
  const rows = state.tasks.map((t) => ({
    project_code: state.code,
    task_key: t.key,
    department: t.department,
    city: state.city,
    title_zh: t.title.zh,
    title_en: t.title.en,
    status: t.status,
    opened_at: t.openedAt,
    due_at: t.dueAt,
    rung: t.rung,
    completed_at: t.completedAt,
    completed_by: t.completedBy,
    data: t.data === null ? null : JSON.stringify(t.data),
    version: state.version,
    milestone: t.milestone ?? null,
  }));
  const { project_code: _p, task_key: _k, ...changes } = rows[0]!;
  await trx
    .insertInto('tasks')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['project_code', 'task_key'])
        .doUpdateSet(Object.fromEntries(Object.keys(changes).map((k) => [k, sql.ref(`excluded.${k}`)])))
        .where(sql<boolean>`${newer}tasks.version`),
    )
    .execute();
}

async function upsertBlockers(trx: Transaction<Database>, state: ProjectState): Promise<void> {
  if (!state.blockers.length) return;
  const rows = state.blockers.map((b) => ({
    project_code: state.code,
    blocker_id: b.id,
    category: b.category,
    description: b.description,
    reported_by: b.reportedBy,
    reported_at: b.reportedAt,
    resolved_by: b.resolvedBy,
    resolved_at: b.resolvedAt,
    resolution: b.resolution,
    version: state.version,
  }));
  await trx
    .insertInto('blockers')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['project_code', 'blocker_id'])
        .doUpdateSet({
          resolved_by: sql.ref('excluded.resolved_by'),
          resolved_at: sql.ref('excluded.resolved_at'),
          resolution: sql.ref('excluded.resolution'),
          version: sql.ref('excluded.version'),
        })
        .where(sql<boolean>`${newer}blockers.version`),
    )
    .execute();
}

export interface ProjectFilter {
  city?: string | undefined;
  stage?: string | undefined;
  stuck?: boolean | undefined;
  overdue?: boolean | undefined;
  liaison?: string | undefined;
  /** Part of the name, codename or code. */
  q?: string | undefined;
  limit: number;
  offset: number;
}

export async function listProjects(db: Db, f: ProjectFilter): Promise<{ items: Project[]; total: number }> {
  let q = db.selectFrom('projects');
  if (f.city) q = q.where('city', '=', f.city);
  if (f.stage) q = q.where('stage', '=', f.stage);
  if (f.stuck !== undefined) q = q.where('stuck', '=', f.stuck);
  if (f.overdue !== undefined) q = q.where('overdue_tasks', f.overdue ? '>' : '=', 0);
  if (f.liaison) q = q.where('liaison', '=', f.liaison);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('codename', 'ilike', like), eb('code', 'ilike', like)]));
  }
  const [items, count] = await Promise.all([
    q.selectAll().orderBy('started_at', 'desc').orderBy('code').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}

export interface InboxFilter {
  department: string;
  /** Null: every city. */
  city: string | null;
  limit: number;
  offset: number;
}

/** A department's open tasks, the most overdue first, then the soonest due. */
export async function departmentInbox(db: Db, f: InboxFilter) {
  let q = db
    .selectFrom('tasks')
    .innerJoin('projects', 'projects.code', 'tasks.project_code')
    .where('tasks.department', '=', f.department)
    .where('tasks.status', '=', 'open')
    .where('projects.stage', 'not in', ['withdrawn', 'merged', 'operating']);
  if (f.city) q = q.where('tasks.city', '=', f.city);
  const [items, count] = await Promise.all([
    q
      .select([
        'tasks.project_code',
        'tasks.task_key',
        'tasks.department',
        'tasks.city',
        'tasks.title_zh',
        'tasks.title_en',
        'tasks.opened_at',
        'tasks.due_at',
        'tasks.rung',
        'projects.name',
        'projects.stage',
        'projects.liaison',
      ])
      .orderBy('tasks.rung', 'desc')
      .orderBy(sql`tasks.due_at asc nulls last`)
      .orderBy('tasks.project_code')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}

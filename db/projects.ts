import { sql, type QueryCreator, type Transaction } from 'kysely';
import type { Blocker, ProjectEvent } from '../workflows/state.js';
import type { ProjectionChange, ProjectRow, TaskRow } from '../workflows/projection.js';
import type { Db } from './connection.js';
import { entryIdOf } from './funds.js';
import type { City } from '../workflows/reference.js';
import type { Database, Project, Task } from './schema.js';

/** Upsert that never moves a row back to an older version of the project. */
const newer = sql<boolean>`excluded.version > `;

/**
 * Writes one project change: the rows it touches (project, tasks, blockers, the escalation if
 * any; never moved back to an older version) and its audit record (once per version). Safe to
 * run again with the same input.
 */
export async function recordProjectEvent(db: Db, change: ProjectionChange, event: ProjectEvent): Promise<void> {
  await db.transaction().execute((trx) => writeProjectEvent(trx, change, event));
}

/** recordProjectEvent within a transaction the caller holds. */
export async function writeProjectEvent(trx: Transaction<Database>, change: ProjectionChange, event: ProjectEvent): Promise<void> {
  const { project } = change;
  await projectUpsert(trx, project).execute();
  await tasksUpsert(trx, project, change.tasks)?.execute();
  await blockersUpsert(trx, project, change.blockers)?.execute();
  if (event.kind === 'task.escalated') {
    const d = event.data as { taskKey: string; rung: number; department: string; dueAt: string };
    await trx
      .insertInto('escalations')
      .values({ project_code: project.code, task_key: d.taskKey, rung: d.rung, department: d.department, due_at: d.dueAt, escalated_at: event.at })
      .onConflict((oc) => oc.columns(['project_code', 'task_key', 'rung']).doNothing())
      .execute();
  }
  if (event.kind === 'projection.restored' && event.data.remaining === 0) {
    await trx.updateTable('write_failures').set({ resolved_at: event.at }).where('project_code', '=', project.code).where('resolved_at', 'is', null).execute();
  }
  await auditInsert(trx, project.code, event).execute();
}

/** Whether a change needs only the rows writeProjectEventAtOnce writes (no escalation row, no failures resolved). */
export function writesAtOnce(event: ProjectEvent): boolean {
  return event.kind !== 'task.escalated' && event.kind !== 'projection.restored';
}

/**
 * The same rows as writeProjectEvent, in one SQL statement (data-modifying CTEs): atomic without a
 * transaction, and one round trip to PostgreSQL instead of five. For changes that `writesAtOnce`.
 */
export async function writeProjectEventAtOnce(db: Db, change: ProjectionChange, event: ProjectEvent): Promise<void> {
  const { project } = change;
  let q = db.with('project_row', (qc) => projectUpsert(qc, project)) as unknown as QueryCreator<Database>;
  const tasks = change.tasks.length ? change.tasks : null;
  if (tasks) q = q.with('task_rows', (qc) => tasksUpsert(qc, project, tasks)!) as unknown as QueryCreator<Database>;
  const blockers = change.blockers.length ? change.blockers : null;
  if (blockers) q = q.with('blocker_rows', (qc) => blockersUpsert(qc, project, blockers)!) as unknown as QueryCreator<Database>;
  await auditInsert(q, project.code, event).execute();
}

function auditInsert(qc: QueryCreator<Database>, projectCode: string, event: ProjectEvent) {
  return qc
    .insertInto('audit_log')
    .values({ project_code: projectCode, version: event.version, kind: event.kind, actor: event.actor, occurred_at: event.at, data: JSON.stringify(event.data) })
    .onConflict((oc) => oc.columns(['project_code', 'version']).doNothing());
}

/** camelCase → snake_case, as the projection's columns are named after the rows' fields. */
type Snake<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}` : S;
type Columns<T> = { [K in keyof T & string as Snake<K>]: T[K] };

function columnsOf<T extends object>(fields: T): Columns<T> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v])) as Columns<T>;
}

function projectUpsert(qc: QueryCreator<Database>, p: ProjectRow) {
  const row = columnsOf(p);
  const { code: _code, started_at: _started, ...changes } = row;
  return qc
    .insertInto('projects')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('code')
        .doUpdateSet(Object.fromEntries(Object.keys(changes).map((k) => [k, sql.ref(`excluded.${k}`)])))
        .where(sql<boolean>`${newer}projects.version`),
    );
}

function tasksUpsert(qc: QueryCreator<Database>, p: ProjectRow, tasks: TaskRow[]) {
  if (!tasks.length) return null;
  const rows = tasks.map(({ key, data, ...task }) => ({
    ...columnsOf(task),
    project_code: p.code,
    task_key: key,
    city: p.city,
    data: data === undefined || data === null ? null : JSON.stringify(data),
    version: p.version,
  }));
  const { project_code: _p, task_key: _k, data: _d, ...changes } = rows[0]!;
  return qc
    .insertInto('tasks')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['project_code', 'task_key'])
        // A change that did not touch a task's form data sends none: the stored data stays.
        .doUpdateSet({ ...Object.fromEntries(Object.keys(changes).map((k) => [k, sql.ref(`excluded.${k}`)])), data: sql`coalesce(excluded.data, tasks.data)` })
        .where(sql<boolean>`${newer}tasks.version`),
    );
}

function blockersUpsert(qc: QueryCreator<Database>, p: ProjectRow, blockers: Blocker[]) {
  if (!blockers.length) return null;
  const rows = blockers.map((b) => ({
    project_code: p.code,
    blocker_id: b.id,
    category: b.category,
    description: b.description,
    reported_by: b.reportedBy,
    reported_at: b.reportedAt,
    resolved_by: b.resolvedBy,
    resolved_at: b.resolvedAt,
    resolution: b.resolution,
    version: p.version,
  }));
  return qc
    .insertInto('blockers')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['project_code', 'blocker_id'])
        .doUpdateSet({
          resolved_by: sql.ref('excluded.resolved_by'),
          resolved_at: sql.ref('excluded.resolved_at'),
          // The state keeps an excerpt of a long text; the stored full text is never replaced by it.
          resolution: sql`coalesce(blockers.resolution, excluded.resolution)`,
          version: sql.ref('excluded.version'),
        })
        .where(sql<boolean>`${newer}blockers.version`),
    );
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

/** Projects (merged duplicates aside) per stage, in one city or (null) the whole province. */
export async function projectsByStage(db: Db, city: string | null): Promise<{ stage: string; count: number }[]> {
  let q = db.selectFrom('projects').select(['stage', (eb) => eb.fn.countAll<string>().as('n')]).where('stage', '!=', 'merged').groupBy('stage');
  if (city) q = q.where('city', '=', city);
  return (await q.execute()).map((r) => ({ stage: r.stage, count: Number(r.n) }));
}

/** Stuck projects per city, in one city or (null) every city. */
export async function stuckProjectsByCity(db: Db, city: string | null): Promise<{ city: string; count: number }[]> {
  let q = db.selectFrom('projects').select(['city', sql<string>`count(*)`.as('n')]).where('stuck', '=', true).groupBy('city');
  if (city) q = q.where('city', '=', city);
  return (await q.execute()).map((r) => ({ city: r.city, count: Number(r.n) }));
}

export interface InboxFilter {
  department: string;
  /** Null: every city. */
  city: string | null;
  limit: number;
  offset: number;
}

/** One open task in an inbox, with the project it belongs to. */
export type InboxRow = Pick<Task, 'project_code' | 'task_key' | 'department' | 'city' | 'title_zh' | 'title_en' | 'opened_at' | 'due_at' | 'rung'> &
  Pick<Project, 'name' | 'stage' | 'liaison'>;

/**
 * A department's open tasks, the most overdue first, then the soonest due. Each staff member's
 * first page reads it, so it is SQL text rather than a query built and compiled anew each time.
 */
export async function departmentInbox(db: Db, f: InboxFilter): Promise<{ items: InboxRow[]; total: number }> {
  const open = sql`
    from tasks join projects on projects.code = tasks.project_code
    where tasks.department = ${f.department} and tasks.status = 'open' and projects.stage not in ('withdrawn', 'merged', 'operating')
    ${f.city ? sql`and tasks.city = ${f.city}` : sql``}`;
  const [items, count] = await Promise.all([
    sql<InboxRow>`
      select tasks.project_code, tasks.task_key, tasks.department, tasks.city, tasks.title_zh, tasks.title_en, tasks.opened_at, tasks.due_at, tasks.rung,
        projects.name, projects.stage, projects.liaison
      ${open}
      order by tasks.rung desc, tasks.due_at asc nulls last, tasks.project_code
      limit ${f.limit} offset ${f.offset}`.execute(db),
    sql<{ n: string }>`select count(*) as n ${open}`.execute(db),
  ]);
  return { items: items.rows, total: Number(count.rows[0]!.n) };
}

/** A project's city from the projection, or null if the projection has no row yet. */
export async function projectCity(db: Db, code: string): Promise<City | null> {
  const row = await db.selectFrom('projects').select('city').where('code', '=', code).executeTakeFirst();
  return (row?.city as City | undefined) ?? null;
}

/**
 * The whole texts the workflow's state keeps as excerpts (blocker descriptions and resolutions,
 * completed tasks' form data, reversal and void reasons), read only where some were cut.
 */
export async function wholeTexts(db: Db, code: string, cut: { blockers: boolean; tasks: boolean; funds: boolean }) {
  const [blockers, tasks, funds] = await Promise.all([
    cut.blockers ? db.selectFrom('blockers').select(['blocker_id', 'description', 'resolution']).where('project_code', '=', code).execute() : [],
    cut.tasks ? db.selectFrom('tasks').select(['task_key', 'data']).where('project_code', '=', code).execute() : [],
    cut.funds
      ? db
          .selectFrom('funds_entries')
          .leftJoin('funds_voids', 'funds_voids.entry_id', 'funds_entries.entry_id')
          .select(['funds_entries.entry_id', 'funds_entries.reason', 'funds_voids.reason as void_reason'])
          .where('funds_entries.project_code', '=', code)
          .execute()
      : [],
  ]);
  return {
    blockers: new Map(blockers.map((r) => [r.blocker_id, { description: r.description, resolution: r.resolution }])),
    tasks: new Map(tasks.map((r) => [r.task_key, r.data as Record<string, unknown>])),
    funds: new Map(funds.map((r) => [entryIdOf(code, r.entry_id), { reason: r.reason, voidReason: r.void_reason }])),
  };
}

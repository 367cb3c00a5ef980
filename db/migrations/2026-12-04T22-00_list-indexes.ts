import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The project list's first page, newest first, for the province and for one city: read from an
  // index in order instead of sorting every project (50 ms at 100k projects).
  await sql`create index projects_started on projects (started_at desc, code)`.execute(db);
  await sql`create index projects_city_started on projects (city, started_at desc, code)`.execute(db);
  // A department's inbox in one city, in its order: the most overdue first, then the soonest due.
  await sql`create index tasks_inbox_open on tasks (department, city, rung desc, due_at asc nulls last, project_code) where status = 'open'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['tasks_inbox_open', 'projects_city_started', 'projects_started']) await sql`drop index if exists ${sql.ref(index)}`.execute(db);
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The statistics select by date: projects by their first signing or their signing event, the
  // ledger by the day funds were received (covering what the sums read), increases by the day agreed.
  await sql`create index projects_signed_on on projects (signed_on) include (city, stage, capital_type, out_of_province, contracted_minor, contracted_currency) where signed_on is not null`.execute(db);
  await sql`create index projects_signing_event on projects (signing_event) where signing_event is not null`.execute(db);
  await sql`create index funds_entries_received_on on funds_entries (received_on) include (project_code, entry_id, amount_minor, currency)`.execute(db);
  await sql`create index capital_increases_agreed_on on capital_increases (agreed_on) include (project_code, amount_minor, currency)`.execute(db);
  await sql`create index capital_increases_project on capital_increases (project_code)`.execute(db);
  // A cohort's milestones: only done tasks that prove one.
  await sql`create index tasks_milestones_done on tasks (project_code) include (milestone) where status = 'done' and milestone is not null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['tasks_milestones_done', 'capital_increases_project', 'capital_increases_agreed_on', 'funds_entries_received_on', 'projects_signing_event', 'projects_signed_on']) {
    await sql`drop index if exists ${sql.ref(index)}`.execute(db);
  }
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Each project's verified funds by currency, kept by a trigger on the ledger's verifications in
  // the same transaction: a signing cohort's funds in place read one row per member instead of
  // each member's ledger entries.
  await db.schema
    .createTable('funds_verified_by_project')
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'numeric', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('funds_verified_by_project_pk', ['project_code', 'currency'])
    .execute();
  await sql`
    create function funds_by_project_on_verification() returns trigger language plpgsql as $$
    begin
      insert into funds_verified_by_project as t (project_code, currency, amount_minor, entries)
      select e.project_code, e.currency, e.amount_minor, 1 from funds_entries e where e.entry_id = new.entry_id
      on conflict (project_code, currency)
      do update set amount_minor = t.amount_minor + excluded.amount_minor, entries = t.entries + 1;
      return null;
    end $$`.execute(db);
  await sql`create trigger funds_verifications_by_project after insert on funds_verifications
    for each row execute function funds_by_project_on_verification()`.execute(db);
  await sql`
    insert into funds_verified_by_project (project_code, currency, amount_minor, entries)
    select e.project_code, e.currency, sum(e.amount_minor), count(*)
    from funds_entries e join funds_verifications v on v.entry_id = e.entry_id
    group by 1, 2`.execute(db);
  // A cohort's members by signing date, read from the index alone (their codes too).
  await sql`drop index projects_signed_on`.execute(db);
  await sql`create index projects_signed_on on projects (signed_on) include (code, city, stage, capital_type, out_of_province, contracted_minor, contracted_currency) where signed_on is not null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index projects_signed_on`.execute(db);
  await sql`create index projects_signed_on on projects (signed_on) include (city, stage, capital_type, out_of_province, contracted_minor, contracted_currency) where signed_on is not null`.execute(db);
  await sql`drop trigger funds_verifications_by_project on funds_verifications`.execute(db);
  await sql`drop function funds_by_project_on_verification()`.execute(db);
  await db.schema.dropTable('funds_verified_by_project').execute();
}

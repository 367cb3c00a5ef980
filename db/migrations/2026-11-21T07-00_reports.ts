import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // A quarterly dispatch report, frozen when first published; corrections are restatements.
  await db.schema
    .createTable('reports')
    .addColumn('quarter', 'text', (c) => c.primaryKey())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('frozen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('report_restatements')
    .addColumn('quarter', 'text', (c) => c.notNull().references('reports.quarter'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('previous_hash', 'text', (c) => c.notNull())
    .addColumn('restated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('report_restatements_pk', ['quarter', 'seq'])
    .execute();
  await sql`
    create function reports_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is frozen: % refused; publish a restatement instead', tg_table_name, tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  for (const table of ['reports', 'report_restatements']) {
    await sql`create trigger ${sql.raw(`${table}_frozen`)} before update or delete or truncate on ${sql.table(table)}
      for each statement execute function reports_refuse_change()`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_restatements').execute();
  await db.schema.dropTable('reports').execute();
  await sql`drop function reports_refuse_change()`.execute(db);
}

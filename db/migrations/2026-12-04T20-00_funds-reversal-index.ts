import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // A reversal's trigger asks whether its tranche is already reversed: since the unique
  // constraint on `reverses` went (a voided reversal frees its tranche), nothing indexed that
  // question, and each reversal read the whole ledger.
  await sql`create index funds_entries_reverses on funds_entries (reverses) where reverses is not null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists funds_entries_reverses`.execute(db);
}

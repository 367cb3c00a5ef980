import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    // Written at each claim: a change of the row's state is applied only for the claim that holds it.
    .addColumn('claim_token', 'uuid')
    // Claims since the last recorded outcome: a row that keeps killing its dispatcher ends dead.
    .addColumn('open_claims', 'integer', (c) => c.notNull().defaultTo(0).check(sql`open_claims >= 0`))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('claim_token').dropColumn('open_claims').execute();
}

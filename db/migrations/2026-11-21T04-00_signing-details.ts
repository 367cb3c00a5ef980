import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('projects')
    // Contracted investment (签约额) in integer minor units, with its currency; never a float.
    .addColumn('contracted_minor', 'bigint')
    .addColumn('contracted_currency', 'text')
    .addColumn('signing_event', 'text')
    .addColumn('signed_on', 'date')
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projects').dropColumn('contracted_minor').dropColumn('contracted_currency').dropColumn('signing_event').dropColumn('signed_on').execute();
}

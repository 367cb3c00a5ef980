import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Writes that failed for good (data errors); the project is stuck (system) until re-projected.
  await db.schema
    .createTable('write_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    // A retried activity records the same failure once.
    .addUniqueConstraint('write_failures_once', ['project_code', 'version', 'activity'])
    .execute();
  await db.schema.createIndex('write_failures_open').on('write_failures').column('project_code').where(sql.ref('resolved_at'), 'is', null).execute();

  // An idempotency key's first request holds a lease; after it lapses, the request may run again.
  await db.schema
    .alterTable('idempotency_keys')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now() + interval '24 hours'`))
    .execute();
  await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('locked_until').dropColumn('expires_at').execute();
  await db.schema.dropTable('write_failures').execute();
}

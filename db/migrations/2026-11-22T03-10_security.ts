import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // API tokens may expire; a revoked token keeps its row (who revoked it, and when) for the record.
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'timestamptz').addColumn('revoked_by', 'text').execute();
  await db.schema.createIndex('api_tokens_user_id').on('api_tokens').column('user_id').execute();

  // Expired sessions are purged; a password change ends a user's other sessions.
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

  // rate-limiter-flexible's RateLimiterPostgres table (sign-in failures per account and per
  // address), created here rather than by the library at run time (tableCreated: true), so
  // that the schema is migrated like every other table. `expire` is epoch milliseconds.
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
  await sql`comment on table rate_limits is 'rate-limiter-flexible (RateLimiterPostgres): keys are hashed, rows expire'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
  await db.schema.dropIndex('sessions_user_id').execute();
  await db.schema.dropIndex('sessions_expires_at').execute();
  await db.schema.dropIndex('api_tokens_user_id').execute();
  await db.schema.alterTable('api_tokens').dropColumn('revoked_by').dropColumn('expires_at').execute();
}

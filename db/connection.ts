import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// A calendar date is a day, not an instant: keep it as 'YYYY-MM-DD' rather than a local-midnight Date.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export interface DbOptions {
  /** Told when an idle pooled connection dies (PostgreSQL restarted or cut it); the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

/**
 * A pool that survives PostgreSQL going away: an idle connection's error is handled (without a
 * listener it would crash the process), and a connection that cannot be had fails within 5 s
 * instead of hanging a request.
 */
export function createDb(databaseUrl: string, { onIdleError = () => undefined }: DbOptions = {}): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5_000 });
  pool.on('error', onIdleError);
  // A connection in use that PostgreSQL ends emits 'error' on its client too; without a listener
  // that crashes the process. The query itself still fails (and is retried or answered 503).
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Fails if PostgreSQL does not answer: the readiness probe's check. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

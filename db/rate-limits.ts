import { CompiledQuery } from 'kysely';
import type { Db } from './connection.js';

/** The table the migration `2026-11-22T03-10_security` creates; the library is told not to create it. */
export const RATE_LIMITS_TABLE = 'rate_limits';

/** RateLimiterPostgres's store client: its queries run on luodi's own Kysely pool. */
export function rateLimitStoreClient(db: Db) {
  return {
    async query({ text, values }: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows, rowCount: result.rows.length || Number(result.numAffectedRows ?? 0) };
    },
  };
}

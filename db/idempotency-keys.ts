import { sql } from 'kysely';
import type { Db } from './connection.js';

export interface IdempotencyTimes {
  /** How long a first request holds its key before a repeat may run it again. */
  leaseMs: number;
  /** How long a key is kept at all; expired keys are purged and may be used afresh. */
  ttlMs: number;
}

export interface KeyRequest {
  userId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

export type Claim =
  | { outcome: 'claimed' }
  | { outcome: 'mismatch' }
  | { outcome: 'running'; retryAfterMs: number }
  | { outcome: 'done'; status: number; response: unknown };

/**
 * Takes the key for this request: new, expired, or held by a first request whose lease lapsed
 * (its process died). Otherwise says why not, in one round trip for the common case.
 */
export async function claimKey(db: Db, r: KeyRequest, { leaseMs, ttlMs }: IdempotencyTimes): Promise<Claim> {
  const lockedUntil = sql<string>`now() + ${`${leaseMs} milliseconds`}::interval`;
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({
      user_id: r.userId,
      key: r.key,
      method: r.method,
      path: r.path,
      request_hash: r.requestHash,
      status: null,
      response: null,
      locked_until: lockedUntil,
      expires_at: sql<string>`now() + ${`${ttlMs} milliseconds`}::interval`,
    })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'key'])
        .doUpdateSet({
          method: sql.ref('excluded.method'),
          path: sql.ref('excluded.path'),
          request_hash: sql.ref('excluded.request_hash'),
          status: null,
          response: null,
          locked_until: sql.ref('excluded.locked_until'),
          expires_at: sql.ref('excluded.expires_at'),
        })
        .where((eb) =>
          eb.or([
            eb('idempotency_keys.expires_at', '<=', sql<Date>`now()`),
            eb.and([
              eb('idempotency_keys.status', 'is', null),
              eb('idempotency_keys.request_hash', '=', eb.ref('excluded.request_hash')),
              eb(sql`coalesce(idempotency_keys.locked_until, '-infinity')`, '<=', sql`now()`),
            ]),
          ]),
        ),
    )
    .returning('key')
    .executeTakeFirst();
  if (claimed) return { outcome: 'claimed' };
  const first = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'response', sql<number>`greatest(0, extract(epoch from (locked_until - now())) * 1000)`.as('retry_after_ms')])
    .where('user_id', '=', r.userId)
    .where('key', '=', r.key)
    .executeTakeFirst();
  // Purged in between: the caller may simply try again.
  if (!first) return { outcome: 'running', retryAfterMs: 0 };
  if (first.request_hash !== r.requestHash) return { outcome: 'mismatch' };
  if (first.status === null) return { outcome: 'running', retryAfterMs: Number(first.retry_after_ms) };
  return { outcome: 'done', status: first.status, response: first.response };
}

/** Keeps the first response; the lease ends. */
export async function keepOutcome(db: Db, userId: string, key: string, status: number, response: unknown): Promise<void> {
  await db.updateTable('idempotency_keys').set({ status, response: JSON.stringify(response), locked_until: null }).where('user_id', '=', userId).where('key', '=', key).execute();
}

/** Frees the key (the first request failed on our side): a retry runs afresh. */
export async function forgetKey(db: Db, userId: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('user_id', '=', userId).where('key', '=', key).where('status', 'is', null).execute();
}

/** Deletes expired keys; returns how many. */
export async function purgeExpiredKeys(db: Db): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

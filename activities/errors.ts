/**
 * How an activity's failure is classified. A data error will never go away by itself, so it is
 * non-retryable: the workflow records it and the project becomes stuck with reason `system`. A
 * transient one (a lost connection, a serialization failure, a server shutting down) retries
 * with backoff until the dependency is back.
 */
import { ApplicationFailure } from '@temporalio/activity';

/** The failure type of a write that will never succeed as it is; the workflow keeps it for re-projection. */
export const DATA_ERROR = 'DataError';

// 08 connection, 53 insufficient resources, 57P01–57P05 shutdown/cannot connect now, 58 system I/O,
// 40001 serialization, 40P01 deadlock, 55P03 lock not available.
const TRANSIENT_SQLSTATE = /^(08|53|57P0|58|40001$|40P01$|55P03$)/;
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EADDRNOTAVAIL']);
// What pg says when a pooled connection dies or cannot be had; these carry no SQLSTATE.
const TRANSIENT_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed|Cannot use a pool after calling end/i;

export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)) return true;
  return !code && typeof e?.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}

/** A message safe to keep anywhere: no control characters, bounded. */
export function safeMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex -- stripping them is the point
  return message.replace(/[\u0000-\u001f\u007f-\u009f]|[\ud800-\udfff]/g, ' ').slice(0, 500);
}

/** Rethrows a transient error as it is (retried); turns anything else into a non-retryable DataError. */
export function classify(err: unknown): never {
  if (err instanceof ApplicationFailure || isTransient(err)) throw err;
  const sqlstate = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : null;
  throw ApplicationFailure.create({ type: DATA_ERROR, message: safeMessage(err), nonRetryable: true, details: [{ sqlstate }] });
}

/** The same activities, each classifying its errors. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          classify(err);
        }
      },
    ]),
  ) as T;
}

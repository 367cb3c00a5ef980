/**
 * How an activity's failure is classified. A data error will never go away by itself, so it is
 * non-retryable: the workflow records it and the project becomes stuck with reason `system`. A
 * transient one (a lost connection, a serialization failure, a server shutting down) retries
 * with backoff until the dependency is back.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { isTransient, safeMessage } from '../db/errors.js';

/** The failure type of a write that will never succeed as it is; the workflow keeps it for re-projection. */
export const DATA_ERROR = 'DataError';

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

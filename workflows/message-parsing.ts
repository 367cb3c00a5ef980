/**
 * An update's input, parsed in the workflow with the same schema the API used (messages.ts); a
 * refused input or decision becomes the non-retryable ApplicationFailure the API maps to HTTP.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import type { Context } from './decisions/index.js';
import { ErrorType, type FieldReason } from './errors.js';
import { inputSchemas, type Command, type UpdateName } from './messages.js';

/**
 * The workflow's own instances of the input schemas, held by this module's scope alone: the worker
 * preloads this module (worker/createWorker.ts, PRELOADED_WORKFLOW_MODULES), so one set serves
 * every workflow the worker caches instead of one per workflow, and the SDK's freezing of what a
 * preloaded module exports never reaches them (zod fills in a schema's properties on first use).
 */
const schemas = inputSchemas();

export function parseMessage<N extends UpdateName>(name: N, raw: unknown): Command<N> {
  const result = (schemas[name] as z.ZodType).safeParse(raw);
  if (result.success) return result.data as Command<N>;
  const details: FieldReason[] = result.error.issues.map((i) => ({ field: i.path.length ? i.path.join('.') : '(body)', reason: i.message }));
  throw ApplicationFailure.create({ type: ErrorType.InvalidInput, message: details.map((d) => `${d.field}: ${d.reason}`).join('; '), details, nonRetryable: true });
}

/** A context for deciding without acting (validators): deadlines are not needed to say yes or no. */
export function checkingContext(): Context {
  return { now: new Date().toISOString(), deadlines: (from, workingDays) => workingDays.map(() => from) };
}

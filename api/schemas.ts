import { z } from 'zod';
import { CAPITAL_TYPES, CITIES, INITIAL_STAGES, STAGES } from '../workflows/reference.js';
import { blockerId, entryId, Inputs, projectCode, taskKey } from '../workflows/messages.js';
import { calendarDate, money, safeText, TEXT_LIMITS } from '../workflows/input.js';

/** One line of text: a name, an investor, an evidence number. */
const line = (max: number = TEXT_LIMITS.line) => safeText(max);

export { money };

export { projectCode };

export const createProjectBody = z.strictObject({
  code: projectCode,
  name: line(),
  codename: line(100).nullable().default(null),
  city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`),
  investor: line(),
  capitalType: z.enum(CAPITAL_TYPES, 'must be domestic or foreign'),
  outOfProvince: z.boolean('must be true or false').default(false),
  stage: z.enum(INITIAL_STAGES, `must be one of ${INITIAL_STAGES.join(', ')}`).default('intention'),
  projectType: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a project type such as industrial').default('industrial'),
  liaison: line(TEXT_LIMITS.id).nullable().default(null),
  contracted: money.nullable().default(null),
  signingEvent: line().nullable().default(null),
  signedOn: calendarDate.nullable().default(null),
});

/** A request's body: the update's own message (workflows/messages.ts) less what the API fills in. */
const bodyOf = <S extends z.ZodObject, K extends keyof S['shape'] & string>(schema: S, ...keys: K[]) =>
  z.strictObject(schema.pick(Object.fromEntries(keys.map((k) => [k, true])) as never).shape as Pick<S['shape'], K>);

export const advanceStageBody = bodyOf(Inputs.advanceStage, 'to', 'reason');
/** Field values are checked against the task's own form by the workflow. */
export const completeTaskBody = bodyOf(Inputs.completeTask, 'data');
export const reportBlockerBody = bodyOf(Inputs.reportBlocker, 'category', 'description');
export const resolveBlockerBody = bodyOf(Inputs.resolveBlocker, 'resolution');
export const reassignLiaisonBody = bodyOf(Inputs.reassignLiaison, 'liaison', 'reason');
export const withdrawBody = bodyOf(Inputs.withdraw, 'reason');
/** Marks the project a duplicate of another (`into`); the API asks why, the workflow also takes older merges without a reason. */
export const mergeBody = bodyOf(Inputs.markMerged, 'into', 'reason').extend({ into: projectCode, reason: Inputs.withdraw.shape.reason });
export const recordFundsBody = bodyOf(Inputs.recordFunds, 'amountMinor', 'currency', 'receivedOn', 'evidence');
export const reverseFundsBody = bodyOf(Inputs.reverseFunds, 'reason');
export const voidFundsBody = bodyOf(Inputs.voidFunds, 'reason');
/** 增资: only the increment, in the contract's currency, and the date it was agreed. */
export const increaseCapitalBody = bodyOf(Inputs.increaseCapital, 'amountMinor', 'currency', 'agreedOn');

// Path parameters, parsed with the identifiers' own schemas.
export const fundsEntryParams = z.object({ code: projectCode, entryId });
export const taskParams = z.object({ code: projectCode, taskKey });
export const blockerParams = z.object({ code: projectCode, blockerId });

export const listProjectsQuery = z.strictObject({
  city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`).optional(),
  stage: z.enum(STAGES, `must be one of ${STAGES.join(', ')}`).optional(),
  stuck: z.enum(['true', 'false'], 'must be true or false').transform((v) => v === 'true').optional(),
  overdue: z.enum(['true', 'false'], 'must be true or false').transform((v) => v === 'true').optional(),
  liaison: line(TEXT_LIMITS.id).optional(),
  q: line(100).optional(),
  limit: z.coerce.number('must be a number').int('must be a whole number').min(1).max(200).default(50),
  offset: z.coerce.number('must be a number').int('must be a whole number').min(0).default(0),
});

/** Retries of the same request carry the same key; Temporal then applies the update once. */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
  .optional();

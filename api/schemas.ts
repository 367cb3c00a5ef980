import { z } from 'zod';
import { BLOCKER_CATEGORIES, CAPITAL_TYPES, CITIES, INITIAL_STAGES, STAGES } from '../workflows/contract.js';
import { normalizeText } from '../workflows/input-rules.js';
import { calendarDate, currency, minorUnits, paragraph, safeText, TEXT_LIMITS } from './input.js';

/** One line of text: a name, an investor, an evidence number. */
const line = (max: number = TEXT_LIMITS.line) => safeText(max);

/** Money: integer minor units (fen, cents) as a string, and its currency. Never a float. */
export const money = z.strictObject({ amountMinor: minorUnits({ positive: false }), currency });

export const projectCode = z
  .string()
  .max(40, 'at most 40 characters')
  .regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, 'must be upper-case letters and digits in hyphen-separated parts, e.g. LN-2018-SY-0042');

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

export const advanceStageBody = z.strictObject({
  to: z.enum(STAGES, `must be one of ${STAGES.join(', ')}`),
  reason: paragraph(1000).nullable().default(null),
});

/** Field values are checked against the task's own form by the workflow's validator. */
export const completeTaskBody = z.strictObject({
  data: z
    .record(z.string(), z.unknown(), 'must be an object of field values')
    .transform((data) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? normalizeText(v) : v]))),
});

export const reportBlockerBody = z.strictObject({
  category: z.enum(BLOCKER_CATEGORIES, `must be one of ${BLOCKER_CATEGORIES.join(', ')}`),
  description: paragraph(),
});

export const resolveBlockerBody = z.strictObject({ resolution: paragraph() });

export const reassignLiaisonBody = z.strictObject({ liaison: line(TEXT_LIMITS.id), reason: paragraph(1000).nullable().default(null) });

export const withdrawBody = z.strictObject({ reason: paragraph() });

export const recordFundsBody = z.strictObject({
  amountMinor: minorUnits({ positive: true }),
  currency,
  receivedOn: calendarDate,
  evidence: line(),
});

export const reverseFundsBody = z.strictObject({ reason: paragraph() });

export const voidFundsBody = z.strictObject({ reason: paragraph() });

/** 增资: only the increment, in the contract's currency, and the date it was agreed. */
export const increaseCapitalBody = z.strictObject({
  amountMinor: minorUnits({ positive: true }),
  currency,
  agreedOn: calendarDate,
});

export const fundsEntryParams = z.object({ code: projectCode, entryId: z.string().regex(/^F\d{1,6}$/, 'must be a funds entry id such as F1') });

export const taskParams = z.object({ code: projectCode, taskKey: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a task key') });
export const blockerParams = z.object({ code: projectCode, blockerId: z.string().regex(/^B\d{1,6}$/, 'must be a blocker id such as B1') });

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

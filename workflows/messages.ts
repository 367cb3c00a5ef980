/**
 * The messages a project workflow takes, each with one schema: the API parses a request's body
 * with it (less the fields the API fills in: the actor and the request id), and the workflow
 * parses the update's input with it again, because an update can reach Temporal directly. Types
 * are inferred from the schemas. Importing this never pulls in a workflow body.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { calendarDateSchema, currencySchema, minorUnits, paragraph, safeText, TEXT_LIMITS } from './input.js';
import { normalizeText } from './input-rules.js';
import { BLOCKER_CATEGORIES, CITIES, DEPARTMENTS, STAGES } from './reference.js';
import type { Blocker, CapitalIncrease, FundsEntry, ProjectInput, ProjectState, ProjectSummary, TaskState } from './state.js';

export const TASK_QUEUE = 'luodi-projects';
export const PROJECT_WORKFLOW = 'projectLanding';
export const REPORT_WORKFLOW = 'quarterlyReport';
/** The Schedule that runs the quarterly dispatch report after each quarter. */
export const REPORT_SCHEDULE_ID = 'luodi-quarterly-report';

/** The second argument carries the whole state across continue-as-new. */
export type ProjectLandingWorkflow = (input: ProjectInput, carried?: ProjectState) => Promise<ProjectState>;

// Identifiers, as paths and messages name them.
export const projectCode = z
  .string()
  .max(40, 'at most 40 characters')
  .regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/, 'must be upper-case letters and digits in hyphen-separated parts, e.g. LN-2018-SY-0042');
const taskKeySchema = () => z.string('must be a task key').regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a task key');
const blockerIdSchema = () => z.string('must be a blocker id such as B1').regex(/^B\d{1,6}$/, 'must be a blocker id such as B1');
const entryIdSchema = () => z.string('must be a funds entry id such as F1').regex(/^F\d{1,6}$/, 'must be a funds entry id such as F1');
export const taskKey = taskKeySchema();
export const blockerId = blockerIdSchema();
export const entryId = entryIdSchema();

/** The acting user, as the API authenticated them. */
const actorSchema = () =>
  z.object(
    {
      id: safeText(TEXT_LIMITS.id),
      /** Department staff act for one department; others have none. */
      department: z.enum(DEPARTMENTS, `must be one of ${DEPARTMENTS.join(', ')}`).nullable(),
      /** Null for province-wide users. */
      city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`).nullable(),
    },
    'actor is required',
  );
export const actor = actorSchema();

const line = (max: number = TEXT_LIMITS.line) => safeText(max);

/**
 * Every update's input schema, by update name, built afresh from the rules above on each call:
 * once for `Inputs` (the API's) and once for the workflow's own parsing (message-parsing.ts). The
 * worker preloads the messages once for all its workflows (worker/createWorker.ts), and the SDK
 * freezes whatever a preloaded module exports, but zod fills in a schema's properties on first
 * use: the workflow's instances are therefore reachable from no export, and none of them is an
 * exported one (taskKey, actor, calendarDate…). Every default is null, so no value is shared.
 */
export function inputSchemas() {
  /** The request id an update carries (from the Idempotency-Key or the form), so that a retry is applied once. */
  const requestId = safeText(300);
  const actor = actorSchema();
  const taskKey = taskKeySchema();
  const blockerId = blockerIdSchema();
  const entryId = entryIdSchema();
  const currency = currencySchema();
  const calendarDate = calendarDateSchema();
  return {
    advanceStage: z.object({
      to: z.enum(STAGES, `must be one of ${STAGES.join(', ')}`),
      /** The acting user; updates recorded before the workflow checked the city carry the user's id only. */
      actor: z.union([actor, safeText(TEXT_LIMITS.id)], 'actor is required'),
      reason: paragraph(1000).nullable().default(null),
      requestId: requestId.optional(),
    }),
    completeTask: z.object({
      requestId,
      taskKey,
      actor,
      /** Field values are checked against the task's own form by the decision. */
      data: z
        .record(z.string(), z.unknown(), 'must be an object of field values')
        .transform((data) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? normalizeText(v) : v]))),
    }),
    reportBlocker: z.object({
      requestId,
      category: z.enum(BLOCKER_CATEGORIES, `must be one of ${BLOCKER_CATEGORIES.join(', ')}`),
      description: paragraph(),
      actor,
    }),
    resolveBlocker: z.object({ requestId, blockerId, resolution: paragraph(), actor }),
    reassignLiaison: z.object({ requestId, liaison: line(TEXT_LIMITS.id), reason: paragraph(1000).nullable().default(null), actor }),
    withdraw: z.object({ requestId, reason: paragraph(), actor }),
    markMerged: z.object({
      requestId,
      /** The code of the project this one duplicates. */
      into: line(40),
      /** Why (the API requires one); merges recorded before the reason was asked for carry none. */
      reason: paragraph(1000).nullable().default(null),
      actor,
    }),
    recordFunds: z.object({
      requestId,
      amountMinor: minorUnits({ positive: true }),
      currency,
      receivedOn: calendarDate,
      /** Bank transfer voucher or invoice number. */
      evidence: line(),
      actor,
    }),
    verifyFunds: z.object({ requestId, entryId, actor }),
    reverseFunds: z.object({ requestId, entryId, reason: paragraph(), actor }),
    voidFunds: z.object({ requestId, entryId, reason: paragraph(), actor }),
    /** 增资: only the increment, in the contract's currency, and the date it was agreed. */
    increaseCapital: z.object({ requestId, amountMinor: minorUnits({ positive: true }), currency, agreedOn: calendarDate, actor }),
    reproject: z.object({ requestId, actor }),
  } as const;
}

/** Every update's input, by update name: the API's instances (the workflow parses with its own). */
export const Inputs = inputSchemas();

export type UpdateName = keyof typeof Inputs;
/** What an update's caller sends (before defaults). */
export type InputOf<N extends UpdateName> = z.input<(typeof Inputs)[N]>;
/** What the workflow decides on (defaults filled in, texts normalised). */
export type Command<N extends UpdateName> = z.output<(typeof Inputs)[N]>;

export type Actor = z.output<typeof actor>;

export interface ReprojectResult {
  /** Failed writes that succeeded now. */
  restored: number;
  /** Failed writes that failed again (the cause is still there). */
  remaining: number;
}

export interface ProjectReady {
  firstExecutionRunId: string;
  /** What the project was started with, so that a repeated start can tell the same project from another. */
  input: ProjectInput;
}

export const getState = defineQuery<ProjectState>('getState');

/** What each update answers. */
export interface Results {
  advanceStage: ProjectSummary; completeTask: TaskState; reportBlocker: Blocker; resolveBlocker: Blocker; reassignLiaison: ProjectSummary;
  withdraw: ProjectSummary; markMerged: ProjectSummary; recordFunds: FundsEntry; verifyFunds: FundsEntry; reverseFunds: FundsEntry;
  voidFunds: FundsEntry; increaseCapital: CapitalIncrease; reproject: ReprojectResult;
}

/** Every update, defined once from its name: its input is its schema's, its answer is in Results. */
export const UPDATES = Object.fromEntries(Object.keys(Inputs).map((name) => [name, defineUpdate(name)])) as {
  [N in UpdateName]: UpdateDefinition<Results[N], [InputOf<N>]>;
};
export const { advanceStage, completeTask, reportBlocker, resolveBlocker, reassignLiaison, withdraw, markMerged } = UPDATES;
export const { recordFunds, verifyFunds, reverseFunds, voidFunds, increaseCapital } = UPDATES;
/** An admin's re-projection: the failed writes again, then the whole projection from the state. */
export const { reproject } = UPDATES;
/** Answers once a new project's start is recorded and its first tasks are open; used with update-with-start. */
export const whenReady = defineUpdate<ProjectReady, []>('whenReady');

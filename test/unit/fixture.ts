/**
 * The unit suite's world: a fixed clock, a calendar where every day is a working day, the built-in
 * 'industrial' template, a few actors, and `act`, which applies a decision as the workflow does
 * (workflows/acting.ts): every change folded in, the version stamped, the stuck state refreshed.
 */
import { expect } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../db/default-templates.js';
import { taskTemplateInput, toTemplate } from '../../db/template-schema.js';
import { apply, type Context, type Decision } from '../../workflows/decisions/index.js';
import { recordFunds, verifyFunds } from '../../workflows/decisions/funds.js';
import { register } from '../../workflows/decisions/stages.js';
import { completeTask } from '../../workflows/decisions/tasks.js';
import { Refusal, type ErrorType } from '../../workflows/errors.js';
import type { Actor, Command } from '../../workflows/messages.js';
import { initialState, refreshStuck } from '../../workflows/project-state.js';
import type { Department } from '../../workflows/reference.js';
import type { FundsEntry, ProjectInput, ProjectState } from '../../workflows/state.js';
import type { TaskTemplate } from '../../workflows/templates.js';

const DAY_MS = 86_400_000;

/** When the test projects are registered (Monday 2 March 2026, 10:00 in Beijing). */
export const STARTED_AT = '2026-03-02T02:00:00.000Z';
/** When the commands of a test are decided: a week after registration, before any task is due. */
export const NOW = '2026-03-09T02:00:00.000Z';

/** An instant `days` days after `from`: in this calendar every day is a working day. */
export function daysAfter(from: string, days: number): string {
  return new Date(Date.parse(from) + days * DAY_MS).toISOString();
}

export interface TestContext extends Context {
  /** Every deadline the decision asked for, in order. */
  asked: { from: string; workingDays: number[]; what: 'idle' | 'rungs' }[];
}

/** A context at `now` whose calendar counts each working day as one day after `from`. */
export function contextAt(now: string = NOW): TestContext {
  const asked: TestContext['asked'] = [];
  return {
    now,
    asked,
    deadlines(from, workingDays, what) {
      asked.push({ from, workingDays: [...workingDays], what });
      return workingDays.map((d) => daysAfter(from, d));
    },
  };
}

/** The built-in 'industrial' template as version 1: registration and land first, then filing, EIA and permit, then construction. */
export const INDUSTRIAL: TaskTemplate = toTemplate(taskTemplateInput.parse(DEFAULT_TEMPLATES[0]), 1);
export const INDUSTRIAL_KEPT = { projectType: 'industrial', version: 1, escalationWorkingDays: [0, 3, 7, 15], idleWorkingDays: 30 };

export const CODE = 'LN-2026-SY-0001';

export const coordinator: Actor = { id: 'coordinator.zhang', department: null, city: '沈阳' };
export const verifier: Actor = { id: 'verifier.li', department: 'commerce', city: '沈阳' };
export const provincial: Actor = { id: 'province.wang', department: null, city: null };
export const dalian: Actor = { id: 'coordinator.dalian', department: null, city: '大连' };
export const admin: Actor = { id: 'admin.zhao', department: null, city: null };
export const staff = (department: Department): Actor => ({ id: `staff.${department}`, department, city: '沈阳' });

export function projectInput(over: Partial<ProjectInput> = {}): ProjectInput {
  return {
    code: CODE,
    name: '沈阳新松机器人产业园',
    codename: null,
    city: '沈阳',
    investor: '新松机器人自动化股份有限公司',
    capitalType: 'domestic',
    outOfProvince: false,
    stage: 'signed',
    projectType: 'industrial',
    liaison: 'liaison.chen',
    // 50 亿元 in fen.
    contracted: { amountMinor: '500000000000', currency: 'CNY' },
    signingEvent: '2026 辽宁民营企业家峰会',
    signedOn: '2026-02-26',
    actor: coordinator.id,
    ...over,
  };
}

/** A project as the workflow starts it: the initial state with its registration applied (the record keeps version 1). */
export function registered(over: Partial<ProjectInput> = {}, template: TaskTemplate | null = INDUSTRIAL): ProjectState {
  const input = projectInput(over);
  const state = initialState(input, STARTED_AT);
  const decision = register(state, input, template, contextAt(STARTED_AT));
  for (const change of decision.changes) apply(state, change);
  refreshStuck(state, STARTED_AT);
  return state;
}

/**
 * Applies a decision as the workflow does: each change in order, the next version and the time
 * stamped, the stuck state refreshed. Returns the decision's answer.
 */
export function act<R>(state: ProjectState, decision: Decision<R>, now: string = NOW): R {
  for (const change of decision.changes) apply(state, change);
  state.version += 1;
  state.updatedAt = now;
  refreshStuck(state, now);
  return decision.reply(state);
}

/** Runs a decide function and checks it is pure: the state is the same afterwards. */
export function decide<R>(state: ProjectState, fn: () => Decision<R>): Decision<R> {
  const before = structuredClone(state);
  const decision = fn();
  expect(state).toEqual(before);
  return decision;
}

/** Runs a decide function that must refuse; checks the refusal's type and fields, and that nothing changed. */
export function expectRefusal(state: ProjectState, fn: () => unknown, type: ErrorType, ...fields: string[]): Refusal {
  const before = structuredClone(state);
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'the decision should refuse').toBeInstanceOf(Refusal);
  const refusal = thrown as Refusal;
  expect(refusal.type).toBe(type);
  expect(refusal.details.map((d) => d.field)).toEqual(fields);
  expect(state).toEqual(before);
  return refusal;
}

let requests = 0;
/** A fresh request id (the API's Idempotency-Key). */
export const rid = (): string => `req-${++requests}`;

/** Form data each industrial task accepts. */
export const VALID_DATA: Readonly<Record<string, Record<string, unknown>>> = {
  registration: { credit_code: '91210100MA0Y8XQ21K', registered_on: '2026-03-05' },
  land: { parcel: '沈阳浑南2026-017', area_mu: 120, land_payment: { amountMinor: '1200000000', currency: 'CNY' }, payment_voucher: 'PV-2026-0311' },
  project_filing: { procedure: 'filing', code: '沈发改备〔2026〕12号' },
  eia: { category: 'form', approval_number: '沈环审〔2026〕7号' },
  construction_permit: { permit_number: '210112202603150101', issued_on: '2026-03-15' },
  construction_start: { started_on: '2026-03-20' },
};

/** The department that completes each industrial task. */
export function departmentOf(state: ProjectState, taskKey: string): Department {
  return state.tasks.find((t) => t.key === taskKey)!.department;
}

export function completion(state: ProjectState, taskKey: string, over: Partial<Command<'completeTask'>> = {}): Command<'completeTask'> {
  return { requestId: rid(), taskKey, actor: staff(departmentOf(state, taskKey)), data: VALID_DATA[taskKey]!, ...over };
}

export function recording(over: Partial<Command<'recordFunds'>> = {}): Command<'recordFunds'> {
  return { requestId: rid(), amountMinor: '30000000000', currency: 'CNY', receivedOn: '2026-03-06', evidence: 'BOC-TT-20260306-0042', actor: coordinator, ...over };
}

/** Every landing task done, in dependency order: the project reaches 'funds'. */
export const LANDING_ORDER = ['registration', 'land', 'project_filing', 'eia', 'construction_permit', 'construction_start'] as const;

/** A registered project with every landing task done: it is in 'funds'. */
export function inFunds(over: Partial<ProjectInput> = {}): ProjectState {
  const state = registered(over);
  for (const key of LANDING_ORDER) act(state, completeTask(state, completion(state, key), contextAt()));
  return state;
}

/** Records a tranche (by the coordinator unless said otherwise) and returns it. */
export function recorded(state: ProjectState, over: Partial<Command<'recordFunds'>> = {}): FundsEntry {
  return act(state, recordFunds(state, recording(over), contextAt()));
}

/** Verifies an entry by the verifier (four eyes) and returns it. */
export function verified(state: ProjectState, entryId: string, actor: Actor = verifier): FundsEntry {
  return act(state, verifyFunds(state, { requestId: rid(), entryId, actor }, contextAt()));
}

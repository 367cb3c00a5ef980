/** Pure functions over a project's state: no commands, no I/O, safe anywhere in the workflow. */
import type { ProjectInput, ProjectState, TaskState } from './state.js';
import type { Stage, StuckReason } from './reference.js';
import { percent } from './figures.js';
import { beijingDate } from './beijing-time.js';
import { CURRENCIES, type Currency } from './money.js';

/** Stages in which the idle clock runs: after signing, until the project operates. */
const IDLE_STAGES: readonly Stage[] = ['signed', 'landing', 'funds'];
const MAX_REMEMBERED_REQUESTS = 500;

/**
 * Long free texts (blocker descriptions and resolutions, reversal and void reasons) stay in the
 * state as excerpts of this many characters; PostgreSQL keeps them whole. This bounds the state
 * however many blockers or funds entries a project gathers.
 */
export const EXCERPT_CHARS = 100;

/**
 * The most one project keeps, so that its state stays well below Temporal's 2 MB payload limit
 * (about 1.6 MB at worst with every text at its longest); far beyond any real project.
 */
export const STATE_CAPS = { blockers: 1_000, fundsEntries: 1_000, capitalIncreases: 100 } as const;
const ELLIPSIS = '…';

export function excerpt(text: string): string {
  const chars = Array.from(text);
  return chars.length <= EXCERPT_CHARS ? text : chars.slice(0, EXCERPT_CHARS - 1).join('') + ELLIPSIS;
}

/** Form data as the state keeps it: long texts as excerpts (the tasks table keeps them whole). */
export function excerptData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? excerpt(v) : v]));
}

/** Whether a text in the state may have been cut (its whole form is in PostgreSQL). */
export function isExcerpt(text: string | null | undefined): boolean {
  return !!text && text.endsWith(ELLIPSIS) && Array.from(text).length === EXCERPT_CHARS;
}

export function initialState(input: ProjectInput, startedAt: string): ProjectState {
  const { actor, stage, projectType, liaison, ...project } = input;
  return {
    ...project,
    projectType: projectType ?? null,
    liaison: liaison ?? null,
    // Registered as signed (a summit batch): the signing date, if not given, is the day it is registered.
    signedOn: project.signedOn ?? (stage === 'signed' ? beijingDate(startedAt) : null),
    stage,
    transitions: [{ from: null, to: stage, actor, at: startedAt, reason: null }],
    version: 1,
    startedAt,
    updatedAt: startedAt,
    template: null,
    tasks: [],
    blockers: [],
    lastProgressAt: startedAt,
    idleAt: null,
    stuck: { stuck: false, reasons: [], since: null },
    funds: [],
    capitalIncreases: [],
    appliedRequests: [],
    writeFailures: [],
    droppedWriteFailures: 0,
  };
}

/**
 * A state carried across continue-as-new by an older version of the workflow lacks the fields
 * added since; they start empty, as they would have in that version.
 */
export function upgradeCarriedState(carried: ProjectState): ProjectState {
  return {
    ...carried,
    projectType: carried.projectType ?? null,
    liaison: carried.liaison ?? null,
    template: carried.template ?? null,
    tasks: carried.tasks ?? [],
    blockers: carried.blockers ?? [],
    lastProgressAt: carried.lastProgressAt ?? carried.updatedAt,
    idleAt: carried.idleAt ?? null,
    stuck: carried.stuck ?? { stuck: false, reasons: [], since: null },
    funds: carried.funds ?? [],
    capitalIncreases: carried.capitalIncreases ?? [],
    appliedRequests: carried.appliedRequests ?? [],
    writeFailures: carried.writeFailures ?? [],
    droppedWriteFailures: carried.droppedWriteFailures ?? 0,
  };
}

export function idleClockRuns(state: Pick<ProjectState, 'stage' | 'template'>): boolean {
  return state.template !== null && IDLE_STAGES.includes(state.stage);
}

export function overdueTasks(state: ProjectState): TaskState[] {
  return state.tasks.filter((t) => t.status === 'open' && t.rung > 0);
}

/** The highest rung any open task has reached (0: none overdue). */
export function escalationRung(state: ProjectState): number {
  return Math.max(0, ...state.tasks.filter((t) => t.status === 'open').map((t) => t.rung));
}

export function openBlockers(state: ProjectState) {
  return state.blockers.filter((b) => b.resolvedAt === null);
}

export function stuckReasons(state: ProjectState, nowMs: number): StuckReason[] {
  const reasons: StuckReason[] = [];
  if (state.tasks.some((t) => t.status === 'open' && t.rung >= 2)) reasons.push('escalated');
  if (openBlockers(state).length > 0) reasons.push('blocker');
  if (idleClockRuns(state) && state.idleAt !== null && nowMs >= Date.parse(state.idleAt)) reasons.push('idle');
  if (state.writeFailures.length > 0) reasons.push('system');
  return reasons;
}

/** Recomputes whether the project is stuck; `since` is kept while it stays stuck. Returns true if it changed. */
export function refreshStuck(state: ProjectState, now: string): boolean {
  const reasons = stuckReasons(state, Date.parse(now));
  const stuck = reasons.length > 0;
  const before = state.stuck;
  state.stuck = { stuck, reasons, since: stuck ? (before.since ?? now) : null };
  return before.stuck !== stuck || before.reasons.join() !== reasons.join();
}

/** The next instant at which something happens by itself: a rung fires or the project becomes idle. */
export function nextWakeAt(state: ProjectState): number | null {
  const instants: number[] = [];
  for (const t of state.tasks) {
    const next = t.status === 'open' ? t.rungAt[t.rung] : undefined;
    if (next) instants.push(Date.parse(next));
  }
  if (idleClockRuns(state) && state.idleAt && !state.stuck.reasons.includes('idle')) instants.push(Date.parse(state.idleAt));
  return instants.length ? Math.min(...instants) : null;
}

export function wasApplied(state: ProjectState, requestId: string | undefined): boolean {
  return requestId !== undefined && state.appliedRequests.includes(requestId);
}

export function rememberRequest(state: ProjectState, requestId: string | undefined): void {
  if (requestId === undefined) return;
  state.appliedRequests.push(requestId);
  if (state.appliedRequests.length > MAX_REMEMBERED_REQUESTS) state.appliedRequests.shift();
}

/** Verified funds per currency that has any or is the contract's, with the share of the contracted amount. */
export function fundsProgress(state: ProjectState): { currency: Currency; verified: bigint; contracted: bigint; share: string | null }[] {
  const verified = verifiedFunds(state);
  return CURRENCIES
    .filter((c) => verified[c] !== 0n || state.contracted?.currency === c)
    .map((currency) => {
      const contracted = state.contracted?.currency === currency ? BigInt(state.contracted.amountMinor) : 0n;
      return { currency, verified: verified[currency], contracted, share: percent(verified[currency], contracted) };
    });
}

export function verifiedFunds(state: ProjectState): { CNY: bigint; USD: bigint } {
  const sum = { CNY: 0n, USD: 0n };
  for (const entry of state.funds) if (entry.verifiedAt) sum[entry.currency] += BigInt(entry.amountMinor);
  return sum;
}

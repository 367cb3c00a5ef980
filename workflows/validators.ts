/**
 * Synchronous update validators: a rejected update never reaches history. Each throws an
 * ApplicationFailure whose type is in ErrorType and whose details are FieldReasons.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import {
  BLOCKER_CATEGORIES,
  ErrorType,
  STAGES,
  type Actor,
  type AdvanceStageInput,
  type CompleteTaskInput,
  type FundsEntry,
  type FieldReason,
  type MarkMergedInput,
  type ProjectState,
  type ReassignLiaisonInput,
  type IncreaseCapitalInput,
  type RecordFundsInput,
  type ReverseFundsInput,
  type VerifyFundsInput,
  type VoidFundsInput,
  type ReportBlockerInput,
  type ReprojectInput,
  type ResolveBlockerInput,
  type WithdrawInput,
} from './contract.js';
import { validateFormData } from './forms.js';
import { amountProblem, dateProblem, textProblem, TEXT_LIMITS } from './input-rules.js';
import { STATE_CAPS, wasApplied } from './project-state.js';
import { allowedNextStages, isTerminal, recordsFunds } from './stages.js';

function fail(type: ErrorType, message: string, ...details: FieldReason[]): never {
  throw ApplicationFailure.create({ type, message, details, nonRetryable: true });
}

/** Text by the input boundary's rules; a paragraph may hold newlines and tabs. */
function text(value: unknown, field: string, max: number = TEXT_LIMITS.paragraph, multiline = max >= TEXT_LIMITS.paragraph): void {
  const problem = textProblem(value, { max, multiline });
  if (problem) fail(ErrorType.InvalidInput, `${field}: ${problem}`, { field, reason: problem });
}

function requestId(input: { requestId?: unknown }, required: boolean): void {
  if (input.requestId === undefined && !required) return;
  text(input.requestId, 'requestId', 300);
}

function actor(a: Actor | undefined, state: ProjectState): void {
  if (!a || typeof a !== 'object') fail(ErrorType.InvalidInput, 'actor is required', { field: 'actor', reason: 'required' });
  text(a.id, 'actor.id', TEXT_LIMITS.id);
  if (a.city !== null && a.city !== state.city) {
    fail(ErrorType.WrongCity, `${a.id} acts for ${a.city}, not ${state.city}`, { field: 'actor.city', reason: `the project is in ${state.city}` });
  }
}

function open(state: ProjectState): void {
  if (isTerminal(state.stage)) fail(ErrorType.ProjectClosed, `the project is ${state.stage}`, { field: 'stage', reason: `the project is ${state.stage}` });
}

export function validateAdvance(state: ProjectState, cmd: AdvanceStageInput): void {
  if (!cmd || typeof cmd !== 'object') fail(ErrorType.InvalidInput, 'input is required', { field: '(body)', reason: 'required' });
  requestId(cmd, false);
  if (wasApplied(state, cmd.requestId)) return;
  text(cmd.actor, 'actor', TEXT_LIMITS.id);
  if (cmd.reason !== null && cmd.reason !== undefined) text(cmd.reason, 'reason', 1000, true);
  if (!(STAGES as readonly string[]).includes(cmd.to)) {
    fail(ErrorType.InvalidInput, `unknown stage ${String(cmd.to)}`, { field: 'to', reason: 'unknown stage' });
  }
  const allowed = allowedNextStages(state.stage);
  if (!allowed.includes(cmd.to)) {
    const next = allowed.length ? allowed.join(', ') : 'none by hand';
    fail(ErrorType.IllegalTransition, `cannot move from ${state.stage} to ${cmd.to}`, {
      field: 'to',
      reason: `the project is ${state.stage}; allowed next: ${next}`,
    });
  }
  // Once operating, the project is closed: nothing could verify what is still waiting.
  const waiting = cmd.to === 'operating' ? awaitingVerification(state) : [];
  if (waiting.length) {
    fail(
      ErrorType.IllegalTransition,
      `${waiting.length} funds entr${waiting.length === 1 ? 'y awaits' : 'ies await'} verification: ${waiting.map((e) => e.id).join(', ')}`,
      ...waiting.map((e) => ({ field: `funds.${e.id}`, reason: 'awaits verification: verify or void it first' })),
    );
  }
}

export function validateCompleteTask(state: ProjectState, input: CompleteTaskInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  actor(input.actor, state);
  const task = state.tasks.find((t) => t.key === input.taskKey);
  if (!task) fail(ErrorType.NotFound, `no task ${String(input.taskKey)}`, { field: 'taskKey', reason: 'no such task in this project' });
  if (task.status !== 'open') {
    fail(ErrorType.TaskNotOpen, `task ${task.key} is ${task.status}`, { field: 'taskKey', reason: `the task is ${task.status}` });
  }
  if (input.actor.department !== task.department) {
    fail(ErrorType.WrongDepartment, `task ${task.key} belongs to ${task.department}`, {
      field: 'actor.department',
      reason: `only ${task.department} completes this task`,
    });
  }
  const reasons = validateFormData(task.fields, input.data);
  if (reasons.length) fail(ErrorType.InvalidInput, `the form for ${task.key} has errors`, ...reasons);
}

export function validateReportBlocker(state: ProjectState, input: ReportBlockerInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  if (!(BLOCKER_CATEGORIES as readonly string[]).includes(input.category)) {
    fail(ErrorType.InvalidInput, 'unknown blocker category', { field: 'category', reason: `must be one of ${BLOCKER_CATEGORIES.join(', ')}` });
  }
  text(input.description, 'description');
  capped(state.blockers.length, STATE_CAPS.blockers, 'blockers');
}

/** The state's documented caps: beyond them a project refuses more, saying so. */
function capped(count: number, cap: number, what: string): void {
  if (count >= cap) fail(ErrorType.IllegalTransition, `this project already has ${count} ${what}, the most one project keeps`, { field: what, reason: `at most ${cap} per project` });
}

export function validateResolveBlocker(state: ProjectState, input: ResolveBlockerInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  actor(input.actor, state);
  const blocker = state.blockers.find((b) => b.id === input.blockerId);
  if (!blocker) fail(ErrorType.NotFound, `no blocker ${String(input.blockerId)}`, { field: 'blockerId', reason: 'no such blocker' });
  if (blocker.resolvedAt) fail(ErrorType.IllegalTransition, `blocker ${blocker.id} is already resolved`, { field: 'blockerId', reason: 'already resolved' });
  text(input.resolution, 'resolution');
}

export function validateReassignLiaison(state: ProjectState, input: ReassignLiaisonInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  text(input.liaison, 'liaison', TEXT_LIMITS.id);
  if (input.reason !== null && input.reason !== undefined) text(input.reason, 'reason', 1000, true);
}

export function validateWithdraw(state: ProjectState, input: WithdrawInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  text(input.reason, 'reason');
}

export function validateMarkMerged(state: ProjectState, input: MarkMergedInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  text(input.into, 'into', 40);
  if (input.into === state.code) fail(ErrorType.InvalidInput, 'a project cannot merge into itself', { field: 'into', reason: 'must be another project' });
}

function minorUnits(value: unknown, field: string): void {
  const problem = amountProblem(value, { positive: true });
  if (problem) fail(ErrorType.InvalidInput, `${field} ${problem}`, { field, reason: problem });
}

function currency(value: unknown): void {
  if (value !== 'CNY' && value !== 'USD') fail(ErrorType.InvalidInput, 'currency must be CNY or USD', { field: 'currency', reason: 'must be CNY or USD' });
}

function isoDate(value: unknown, field: string): void {
  const problem = dateProblem(value);
  if (problem) fail(ErrorType.InvalidInput, `${field} ${problem}`, { field, reason: problem });
}

function afterSigning(state: ProjectState, what: string): void {
  if (!recordsFunds(state.stage)) {
    fail(ErrorType.IllegalTransition, `${what} after signing; the project is ${state.stage}`, { field: 'stage', reason: `${what} from signing on` });
  }
}

export function validateRecordFunds(state: ProjectState, input: RecordFundsInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  afterSigning(state, 'funds are recorded');
  minorUnits(input.amountMinor, 'amountMinor');
  currency(input.currency);
  isoDate(input.receivedOn, 'receivedOn');
  text(input.evidence, 'evidence', TEXT_LIMITS.line);
  capped(state.funds.length, STATE_CAPS.fundsEntries, 'funds entries');
}

function entryOf(state: ProjectState, entryId: unknown) {
  const entry = state.funds.find((e) => e.id === entryId);
  if (!entry) fail(ErrorType.NotFound, `no funds entry ${String(entryId)}`, { field: 'entryId', reason: 'no such funds entry in this project' });
  return entry;
}

export function validateVerifyFunds(state: ProjectState, input: VerifyFundsInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  actor(input.actor, state);
  const entry = entryOf(state, input.entryId);
  if (entry.verifiedAt) fail(ErrorType.IllegalTransition, `${entry.id} is already verified`, { field: 'entryId', reason: `verified by ${entry.verifiedBy}` });
  notVoided(entry);
  if (entry.enteredBy === input.actor.id) {
    fail(ErrorType.FourEyes, `${input.actor.id} entered ${entry.id} and may not verify it`, { field: 'actor', reason: 'someone other than who entered the funds must verify them' });
  }
}

export function validateReverseFunds(state: ProjectState, input: ReverseFundsInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  const entry = entryOf(state, input.entryId);
  if (entry.kind !== 'tranche') fail(ErrorType.IllegalTransition, 'a reversal is not reversed', { field: 'entryId', reason: 'a reversal cannot be reversed' });
  if (entry.reversedBy) fail(ErrorType.IllegalTransition, `${entry.id} is already reversed`, { field: 'entryId', reason: `already reversed by ${entry.reversedBy}` });
  notVoided(entry);
  // An unverified mistake is voided; a reversal corrects what has been verified (and counted).
  if (!entry.verifiedAt) fail(ErrorType.IllegalTransition, `${entry.id} is not verified`, { field: 'entryId', reason: 'only a verified entry is reversed; void an unverified one instead' });
  text(input.reason, 'reason');
  capped(state.funds.length, STATE_CAPS.fundsEntries, 'funds entries');
}

export function validateVoidFunds(state: ProjectState, input: VoidFundsInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  const entry = entryOf(state, input.entryId);
  notVoided(entry);
  if (entry.verifiedAt) fail(ErrorType.IllegalTransition, `${entry.id} is verified`, { field: 'entryId', reason: `verified by ${entry.verifiedBy}; reverse it instead` });
  text(input.reason, 'reason');
}

function notVoided(entry: FundsEntry): void {
  if (entry.voidedAt) fail(ErrorType.IllegalTransition, `${entry.id} is void`, { field: 'entryId', reason: `voided by ${entry.voidedBy}` });
}

/** Entries that still await verification: neither verified nor voided. */
export function awaitingVerification(state: ProjectState): FundsEntry[] {
  return state.funds.filter((e) => !e.verifiedAt && !e.voidedAt);
}

export function validateIncreaseCapital(state: ProjectState, input: IncreaseCapitalInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  open(state);
  actor(input.actor, state);
  afterSigning(state, 'capital is increased');
  minorUnits(input.amountMinor, 'amountMinor');
  currency(input.currency);
  // Never silently converted: an increase is in the contract's currency.
  const contractCurrency = state.contracted?.currency;
  if (contractCurrency && input.currency !== contractCurrency) {
    fail(ErrorType.InvalidInput, `the contract is in ${contractCurrency}`, { field: 'currency', reason: `must be ${contractCurrency}, the contract's currency` });
  }
  isoDate(input.agreedOn, 'agreedOn');
  capped(state.capitalIncreases.length, STATE_CAPS.capitalIncreases, 'capital increases');
}

export function validateReproject(state: ProjectState, input: ReprojectInput): void {
  requestId(input, true);
  if (wasApplied(state, input.requestId)) return;
  actor(input.actor, state);
}

/**
 * Money after signing: the funds ledger (record, verify by four eyes, reverse what was verified,
 * void what was not) and capital increases (增资). Each writes its ledger row with its record.
 */
import { ErrorType, refuse } from '../errors.js';
import type { Command } from '../messages.js';
import { STATE_CAPS, excerpt, wasApplied } from '../project-state.js';
import type { CapitalIncrease, FundsEntry, ProjectState } from '../state.js';
import { actsHere, stillOpen, withinCap, type Change, type Context, type Decision } from './decision.js';
import { recordsFunds } from './stages.js';
import { progressed } from './tasks.js';

/** Entries that still await verification: neither verified nor voided. */
export function awaitingVerification(state: ProjectState): FundsEntry[] {
  return state.funds.filter((e) => !e.verifiedAt && !e.voidedAt);
}

function afterSigning(state: ProjectState, what: string): void {
  if (!recordsFunds(state.stage)) refuse(ErrorType.IllegalTransition, `${what} after signing; the project is ${state.stage}`, { field: 'stage', reason: `${what} from signing on` });
}

function entryOf(state: ProjectState, entryId: string): FundsEntry {
  const entry = state.funds.find((e) => e.id === entryId);
  if (!entry) refuse(ErrorType.NotFound, `no funds entry ${entryId}`, { field: 'entryId', reason: 'no such funds entry in this project' });
  return entry;
}

function notVoided(entry: FundsEntry): void {
  if (entry.voidedAt) refuse(ErrorType.IllegalTransition, `${entry.id} is void`, { field: 'entryId', reason: `voided by ${entry.voidedBy}` });
}

const byId = (state: ProjectState, id: string) => state.funds.find((e) => e.id === id)!;

export function recordFunds(state: ProjectState, cmd: Command<'recordFunds'>, ctx: Context): Decision<FundsEntry> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  afterSigning(state, 'funds are recorded');
  withinCap(state.funds.length, STATE_CAPS.fundsEntries, 'funds entries');
  const entry: FundsEntry = {
    id: `F${state.funds.length + 1}`,
    requestId: cmd.requestId,
    kind: 'tranche',
    amountMinor: cmd.amountMinor,
    currency: cmd.currency,
    receivedOn: cmd.receivedOn,
    evidence: cmd.evidence,
    enteredBy: cmd.actor.id,
    enteredAt: ctx.now,
    reverses: null,
    reason: null,
    verifiedBy: null,
    verifiedAt: null,
    reversedBy: null,
  };
  return {
    // Recording funds is progress: it restarts the idle clock.
    changes: [{ type: 'requestApplied', requestId: cmd.requestId }, { type: 'fundsRecorded', entry }, progressed(state, state.stage, ctx)],
    ledger: [{ activity: 'appendFundsEntry', entry }],
    record: { kind: 'funds.recorded', actor: cmd.actor.id, data: { ...entry } },
    reply: (s) => byId(s, entry.id),
  };
}

/** An entry already created by this request answers again. */
export function createdAgain(state: ProjectState, cmd: { requestId: string }): FundsEntry | undefined {
  return state.funds.find((e) => e.requestId === cmd.requestId);
}

export function verifyFunds(state: ProjectState, cmd: Command<'verifyFunds'>, ctx: Context): Decision<FundsEntry> {
  actsHere(state, cmd.actor);
  const entry = entryOf(state, cmd.entryId);
  if (entry.verifiedAt) refuse(ErrorType.IllegalTransition, `${entry.id} is already verified`, { field: 'entryId', reason: `verified by ${entry.verifiedBy}` });
  notVoided(entry);
  if (entry.enteredBy === cmd.actor.id) {
    refuse(ErrorType.FourEyes, `${cmd.actor.id} entered ${entry.id} and may not verify it`, { field: 'actor', reason: 'someone other than who entered the funds must verify them' });
  }
  return {
    changes: [{ type: 'requestApplied', requestId: cmd.requestId }, { type: 'fundsVerified', id: entry.id, by: cmd.actor.id, at: ctx.now }],
    ledger: [{ activity: 'verifyFundsEntry', entryId: entry.id, verifiedBy: cmd.actor.id, verifiedAt: ctx.now }],
    record: { kind: 'funds.verified', actor: cmd.actor.id, data: { entryId: entry.id, amountMinor: entry.amountMinor, currency: entry.currency } },
    reply: (s) => byId(s, entry.id),
  };
}

/** A verification or a void already applied answers with the entry as it is. */
export function changedAgain(state: ProjectState, cmd: { requestId: string; entryId: string }): FundsEntry | undefined {
  return wasApplied(state, cmd.requestId) ? state.funds.find((e) => e.id === cmd.entryId) : undefined;
}

export function reverseFunds(state: ProjectState, cmd: Command<'reverseFunds'>, ctx: Context): Decision<FundsEntry> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  const original = entryOf(state, cmd.entryId);
  if (original.kind !== 'tranche') refuse(ErrorType.IllegalTransition, 'a reversal is not reversed', { field: 'entryId', reason: 'a reversal cannot be reversed' });
  if (original.reversedBy) refuse(ErrorType.IllegalTransition, `${original.id} is already reversed`, { field: 'entryId', reason: `already reversed by ${original.reversedBy}` });
  notVoided(original);
  // An unverified mistake is voided; a reversal corrects what has been verified (and counted).
  if (!original.verifiedAt) refuse(ErrorType.IllegalTransition, `${original.id} is not verified`, { field: 'entryId', reason: 'only a verified entry is reversed; void an unverified one instead' });
  withinCap(state.funds.length, STATE_CAPS.fundsEntries, 'funds entries');
  const reversal: FundsEntry = {
    ...original,
    id: `F${state.funds.length + 1}`,
    requestId: cmd.requestId,
    kind: 'reversal',
    amountMinor: `-${original.amountMinor}`,
    enteredBy: cmd.actor.id,
    enteredAt: ctx.now,
    reverses: original.id,
    reason: excerpt(cmd.reason),
    verifiedBy: null,
    verifiedAt: null,
    reversedBy: null,
  };
  const whole = { ...reversal, reason: cmd.reason };
  return {
    changes: [{ type: 'requestApplied', requestId: cmd.requestId }, { type: 'fundsRecorded', entry: reversal }],
    // The ledger and the audit record get the whole reason; the state keeps an excerpt.
    ledger: [{ activity: 'appendFundsEntry', entry: whole }],
    record: { kind: 'funds.reversed', actor: cmd.actor.id, data: { entryId: reversal.id, reverses: original.id, amountMinor: reversal.amountMinor, currency: reversal.currency, reason: cmd.reason } },
    reply: () => whole,
  };
}

export function voidFunds(state: ProjectState, cmd: Command<'voidFunds'>, ctx: Context): Decision<FundsEntry> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  const entry = entryOf(state, cmd.entryId);
  notVoided(entry);
  if (entry.verifiedAt) refuse(ErrorType.IllegalTransition, `${entry.id} is verified`, { field: 'entryId', reason: `verified by ${entry.verifiedBy}; reverse it instead` });
  return {
    changes: [{ type: 'requestApplied', requestId: cmd.requestId }, { type: 'fundsVoided', id: entry.id, by: cmd.actor.id, at: ctx.now, reason: excerpt(cmd.reason) }],
    ledger: [{ activity: 'voidFundsEntry', entryId: entry.id, voidedBy: cmd.actor.id, voidedAt: ctx.now, reason: cmd.reason }],
    record: { kind: 'funds.voided', actor: cmd.actor.id, data: { entryId: entry.id, amountMinor: entry.amountMinor, currency: entry.currency, reason: cmd.reason } },
    reply: (s) => ({ ...byId(s, entry.id), voidReason: cmd.reason }),
  };
}

export function increaseCapital(state: ProjectState, cmd: Command<'increaseCapital'>, _ctx: Context): Decision<CapitalIncrease> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  afterSigning(state, 'capital is increased');
  // Never silently converted: an increase is in the contract's currency.
  const contractCurrency = state.contracted?.currency;
  if (contractCurrency && cmd.currency !== contractCurrency) {
    refuse(ErrorType.InvalidInput, `the contract is in ${contractCurrency}`, { field: 'currency', reason: `must be ${contractCurrency}, the contract's currency` });
  }
  withinCap(state.capitalIncreases.length, STATE_CAPS.capitalIncreases, 'capital increases');
  const increase: CapitalIncrease = { id: `C${state.capitalIncreases.length + 1}`, requestId: cmd.requestId, amountMinor: cmd.amountMinor, currency: cmd.currency, agreedOn: cmd.agreedOn, enteredBy: cmd.actor.id };
  return {
    changes: [{ type: 'requestApplied', requestId: cmd.requestId }, { type: 'capitalIncreased', increase }],
    ledger: [{ activity: 'appendCapitalIncrease', increase }],
    record: { kind: 'capital.increased', actor: cmd.actor.id, data: { ...increase } },
    reply: () => increase,
  };
}

export function increasedAgain(state: ProjectState, cmd: Command<'increaseCapital'>): CapitalIncrease | undefined {
  return state.capitalIncreases.find((c) => c.requestId === cmd.requestId);
}

export function applyFundsChange(state: ProjectState, change: Change): void {
  switch (change.type) {
    case 'fundsRecorded':
      state.funds.push(change.entry);
      if (change.entry.reverses) byId(state, change.entry.reverses).reversedBy = change.entry.id;
      return;
    case 'fundsVerified':
      Object.assign(byId(state, change.id), { verifiedBy: change.by, verifiedAt: change.at });
      return;
    case 'fundsVoided': {
      const e = byId(state, change.id);
      Object.assign(e, { voidedBy: change.by, voidedAt: change.at, voidReason: change.reason });
      // A voided reversal leaves its tranche free to be reversed again.
      if (e.kind === 'reversal' && e.reverses) byId(state, e.reverses).reversedBy = null;
      return;
    }
    case 'capitalIncreased':
      state.capitalIncreases.push(change.increase);
      return;
  }
}

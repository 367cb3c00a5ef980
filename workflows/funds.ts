/**
 * Money after signing: the funds ledger's updates (record, verify by four eyes, reverse) and
 * capital increases. Each writes its record through an activity first.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { increaseCapital, recordFunds, reverseFunds, verifyFunds, voidFunds, type CapitalIncrease, type FundsEntry, type ProjectEvent, type ProjectState } from './contract.js';
import { excerpt, rememberRequest, wasApplied } from './project-state.js';
import { validateIncreaseCapital, validateRecordFunds, validateReverseFunds, validateVerifyFunds, validateVoidFunds } from './validators.js';
import { write, writes } from './writes.js';


export interface FundsContext {
  state: ProjectState;
  now(): string;
  onUpdate<I, R>(update: UpdateDefinition<R, [I]>, validate: (state: ProjectState, input: I) => void, handler: (input: I) => Promise<R>): void;
  commit(kind: ProjectEvent['kind'], actor: string, data: Record<string, unknown>): Promise<void>;
  /** Awaits a write; a write that failed for good makes the project stuck (system). */
  record(written: Promise<boolean>): Promise<void>;
  /** Recording funds is progress: it restarts the idle clock. */
  progress(): Promise<void>;
}

export function registerFundsHandlers({ state, now, onUpdate, commit, record, progress }: FundsContext): void {
  const entry = (id: string) => state.funds.find((e) => e.id === id) as FundsEntry;
  const nextId = () => `F${state.funds.length + 1}`;
  const createdBy = (requestId: string) => state.funds.find((e) => e.requestId === requestId);

  onUpdate(recordFunds, validateRecordFunds, async ({ requestId, amountMinor, currency, receivedOn, evidence, actor }) => {
    const existing = createdBy(requestId);
    if (existing) return existing;
    rememberRequest(state, requestId);
    const e: FundsEntry = {
      id: nextId(),
      requestId,
      kind: 'tranche',
      amountMinor,
      currency,
      receivedOn,
      evidence,
      enteredBy: actor.id,
      enteredAt: now(),
      reverses: null,
      reason: null,
      verifiedBy: null,
      verifiedAt: null,
      reversedBy: null,
    };
    state.funds.push(e);
    await record(write(state, writes.fundsEntry(e)));
    await progress();
    await commit('funds.recorded', actor.id, { ...e });
    return e;
  });

  onUpdate(verifyFunds, validateVerifyFunds, async ({ requestId, entryId, actor }) => {
    const e = entry(entryId);
    if (wasApplied(state, requestId)) return e;
    rememberRequest(state, requestId);
    Object.assign(e, { verifiedBy: actor.id, verifiedAt: now() });
    await record(write(state, writes.verification(e.id, actor.id, e.verifiedAt!)));
    await commit('funds.verified', actor.id, { entryId: e.id, amountMinor: e.amountMinor, currency: e.currency });
    return e;
  });

  onUpdate(reverseFunds, validateReverseFunds, async ({ requestId, entryId, reason, actor }) => {
    const existing = createdBy(requestId);
    if (existing) return existing;
    rememberRequest(state, requestId);
    const original = entry(entryId);
    const reversal: FundsEntry = {
      ...original,
      id: nextId(),
      requestId,
      kind: 'reversal',
      amountMinor: `-${original.amountMinor}`,
      enteredBy: actor.id,
      enteredAt: now(),
      reverses: original.id,
      reason: excerpt(reason),
      verifiedBy: null,
      verifiedAt: null,
      reversedBy: null,
    };
    state.funds.push(reversal);
    original.reversedBy = reversal.id;
    // The ledger and the audit record get the whole reason; the state keeps an excerpt.
    await record(write(state, writes.fundsEntry({ ...reversal, reason })));
    await commit('funds.reversed', actor.id, { entryId: reversal.id, reverses: original.id, amountMinor: reversal.amountMinor, currency: reversal.currency, reason });
    return { ...reversal, reason };
  });

  onUpdate(voidFunds, validateVoidFunds, async ({ requestId, entryId, reason, actor }) => {
    const e = entry(entryId);
    if (wasApplied(state, requestId)) return e;
    rememberRequest(state, requestId);
    Object.assign(e, { voidedBy: actor.id, voidedAt: now(), voidReason: excerpt(reason) });
    // A voided reversal leaves its tranche free to be reversed again.
    if (e.kind === 'reversal' && e.reverses) entry(e.reverses).reversedBy = null;
    await record(write(state, writes.voiding(e.id, actor.id, e.voidedAt!, reason)));
    await commit('funds.voided', actor.id, { entryId: e.id, amountMinor: e.amountMinor, currency: e.currency, reason });
    return { ...e, voidReason: reason };
  });

  onUpdate(increaseCapital, validateIncreaseCapital, async ({ requestId, amountMinor, currency, agreedOn, actor }) => {
    const existing = state.capitalIncreases.find((c) => c.requestId === requestId);
    if (existing) return existing;
    rememberRequest(state, requestId);
    const increase: CapitalIncrease = { id: `C${state.capitalIncreases.length + 1}`, requestId, amountMinor, currency, agreedOn, enteredBy: actor.id };
    state.capitalIncreases.push(increase);
    await record(write(state, writes.capitalIncrease(increase)));
    await commit('capital.increased', actor.id, { ...increase });
    return increase;
  });
}

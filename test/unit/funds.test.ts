import { describe, expect, it } from 'vitest';
import { awaitingVerification, increaseCapital, recordFunds, reverseFunds, verifyFunds, voidFunds } from '../../workflows/decisions/funds.js';
import { withdraw } from '../../workflows/decisions/stages.js';
import { ErrorType } from '../../workflows/errors.js';
import type { Command } from '../../workflows/messages.js';
import { EXCERPT_CHARS, STATE_CAPS, verifiedFunds } from '../../workflows/project-state.js';
import type { FundsEntry, ProjectState } from '../../workflows/state.js';
import {
  act,
  contextAt,
  coordinator,
  dalian,
  daysAfter,
  decide,
  expectRefusal,
  NOW,
  provincial,
  recorded,
  recording,
  registered,
  rid,
  STARTED_AT,
  verified,
  verifier,
} from './fixture.js';

const closed = (): ProjectState => {
  const state = registered();
  recorded(state);
  act(state, withdraw(state, { requestId: rid(), reason: '企业投资计划取消', actor: coordinator }, contextAt()));
  return state;
};
const entry = (state: ProjectState, id: string) => state.funds.find((e) => e.id === id)!;
const verification = (entryId: string, over: Partial<Command<'verifyFunds'>> = {}): Command<'verifyFunds'> => ({ requestId: rid(), entryId, actor: verifier, ...over });
const reversal = (entryId: string, over: Partial<Command<'reverseFunds'>> = {}): Command<'reverseFunds'> => ({ requestId: rid(), entryId, reason: '银行退回 returned by the bank', actor: coordinator, ...over });
const voiding = (entryId: string, over: Partial<Command<'voidFunds'>> = {}): Command<'voidFunds'> => ({ requestId: rid(), entryId, reason: '金额录错 wrong amount', actor: coordinator, ...over });
const increase = (over: Partial<Command<'increaseCapital'>> = {}): Command<'increaseCapital'> => ({ requestId: rid(), amountMinor: '100000000000', currency: 'CNY', agreedOn: '2026-03-08', actor: coordinator, ...over });

/** Fills a ledger up to `count` entries (copies of its first), to reach a cap cheaply. */
function padFunds(state: ProjectState, count: number): void {
  const first = state.funds[0]!;
  state.funds = Array.from({ length: count }, (_, i) => ({ ...first, id: `F${i + 1}`, requestId: `old-${i}` }));
}

describe('recordFunds', () => {
  it('appends an unverified tranche to the ledger; recording is progress', () => {
    const state = registered();
    const later = daysAfter(STARTED_AT, 20);
    const cmd = recording();
    const decision = decide(state, () => recordFunds(state, cmd, contextAt(later)));
    const tranche: FundsEntry = {
      id: 'F1',
      requestId: cmd.requestId,
      kind: 'tranche',
      amountMinor: '30000000000',
      currency: 'CNY',
      receivedOn: '2026-03-06',
      evidence: 'BOC-TT-20260306-0042',
      enteredBy: coordinator.id,
      enteredAt: later,
      reverses: null,
      reason: null,
      verifiedBy: null,
      verifiedAt: null,
      reversedBy: null,
    };
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'fundsRecorded', entry: tranche },
      { type: 'progressed', at: later, idleAt: daysAfter(later, 30) },
    ]);
    expect(decision.ledger).toEqual([{ activity: 'appendFundsEntry', entry: tranche }]);
    expect(decision.record).toEqual({ kind: 'funds.recorded', actor: coordinator.id, data: tranche });
    expect(decision.notifications).toBeUndefined();

    expect(act(state, decision, later)).toEqual(tranche);
    expect(state.funds).toEqual([tranche]);
    expect(state).toMatchObject({ lastProgressAt: later, idleAt: daysAfter(later, 30) });
    expect(awaitingVerification(state).map((e) => e.id)).toEqual(['F1']);
    // Not counted until verified.
    expect(verifiedFunds(state)).toEqual({ CNY: 0n, USD: 0n });
    expect(recorded(state, { currency: 'USD', amountMinor: '500000' }).id).toBe('F2');
  });

  it('refuses a project not yet signed, a closed project, a user of another city, and an entry beyond the cap', () => {
    const intention = registered({ stage: 'intention' });
    const early = expectRefusal(intention, () => recordFunds(intention, recording(), contextAt()), ErrorType.IllegalTransition, 'stage');
    expect(early.details[0]!.reason).toBe('funds are recorded from signing on');
    const done = closed();
    expectRefusal(done, () => recordFunds(done, recording(), contextAt()), ErrorType.ProjectClosed, 'stage');
    const state = registered();
    expectRefusal(state, () => recordFunds(state, recording({ actor: dalian }), contextAt()), ErrorType.WrongCity, 'actor.city');

    recorded(state);
    padFunds(state, STATE_CAPS.fundsEntries);
    expectRefusal(state, () => recordFunds(state, recording(), contextAt()), ErrorType.IllegalTransition, 'funds entries');
  });

  it('records funds in a project signed without a template (no idle clock)', () => {
    const state = registered({ projectType: undefined }, null);
    expect(state.stage).toBe('signed');
    const decision = recordFunds(state, recording(), contextAt());
    expect(decision.changes.at(-1)).toEqual({ type: 'progressed', at: NOW });
  });
});

describe('verifyFunds', () => {
  it('counts an entry once someone other than who entered it confirms it', () => {
    const state = registered();
    recorded(state);
    const cmd = verification('F1');
    const decision = decide(state, () => verifyFunds(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'fundsVerified', id: 'F1', by: verifier.id, at: NOW },
    ]);
    expect(decision.ledger).toEqual([{ activity: 'verifyFundsEntry', entryId: 'F1', verifiedBy: verifier.id, verifiedAt: NOW }]);
    expect(decision.record).toEqual({ kind: 'funds.verified', actor: verifier.id, data: { entryId: 'F1', amountMinor: '30000000000', currency: 'CNY' } });
    const before = state.lastProgressAt;
    const reply = act(state, decision);
    expect(reply).toMatchObject({ id: 'F1', verifiedBy: verifier.id, verifiedAt: NOW });
    expect(entry(state, 'F1')).toMatchObject({ verifiedBy: verifier.id, verifiedAt: NOW });
    expect(verifiedFunds(state)).toEqual({ CNY: 30000000000n, USD: 0n });
    expect(awaitingVerification(state)).toEqual([]);
    // Verifying is not progress.
    expect(state.lastProgressAt).toBe(before);
  });

  it('refuses the person who entered the funds (four eyes)', () => {
    const state = registered();
    recorded(state);
    const refusal = expectRefusal(state, () => verifyFunds(state, verification('F1', { actor: coordinator }), contextAt()), ErrorType.FourEyes, 'actor');
    expect(refusal.message).toBe('coordinator.zhang entered F1 and may not verify it');
  });

  it('refuses an unknown entry, one already verified, a void one, and a user of another city', () => {
    const state = registered();
    expectRefusal(state, () => verifyFunds(state, verification('F1'), contextAt()), ErrorType.NotFound, 'entryId');
    recorded(state);
    recorded(state);
    expectRefusal(state, () => verifyFunds(state, verification('F1', { actor: { ...verifier, city: '大连' } }), contextAt()), ErrorType.WrongCity, 'actor.city');
    verified(state, 'F1');
    const again = expectRefusal(state, () => verifyFunds(state, verification('F1', { actor: provincial }), contextAt()), ErrorType.IllegalTransition, 'entryId');
    expect(again.details[0]!.reason).toBe('verified by verifier.li');
    act(state, voidFunds(state, voiding('F2'), contextAt()));
    const voided = expectRefusal(state, () => verifyFunds(state, verification('F2'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    expect(voided.details[0]!.reason).toBe('voided by coordinator.zhang');
  });
});

describe('reverseFunds', () => {
  it('corrects a verified tranche with a negative entry, which counts once verified in turn', () => {
    const state = registered();
    recorded(state);
    verified(state, 'F1');
    const cmd = reversal('F1', { actor: provincial });
    const decision = decide(state, () => reverseFunds(state, cmd, contextAt()));
    const negative: FundsEntry = {
      ...entry(state, 'F1'),
      id: 'F2',
      requestId: cmd.requestId,
      kind: 'reversal',
      amountMinor: '-30000000000',
      enteredBy: provincial.id,
      enteredAt: NOW,
      reverses: 'F1',
      reason: cmd.reason,
      verifiedBy: null,
      verifiedAt: null,
      reversedBy: null,
    };
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'fundsRecorded', entry: negative },
    ]);
    expect(decision.ledger).toEqual([{ activity: 'appendFundsEntry', entry: negative }]);
    expect(decision.record).toEqual({
      kind: 'funds.reversed',
      actor: provincial.id,
      data: { entryId: 'F2', reverses: 'F1', amountMinor: '-30000000000', currency: 'CNY', reason: cmd.reason },
    });
    expect(act(state, decision)).toEqual(negative);
    expect(entry(state, 'F1').reversedBy).toBe('F2');
    expect(entry(state, 'F2')).toEqual(negative);
    // Still counted until the reversal itself is verified (four eyes again).
    expect(verifiedFunds(state).CNY).toBe(30000000000n);
    expect(awaitingVerification(state).map((e) => e.id)).toEqual(['F2']);
    expectRefusal(state, () => verifyFunds(state, verification('F2', { actor: provincial }), contextAt()), ErrorType.FourEyes, 'actor');
    verified(state, 'F2');
    expect(verifiedFunds(state).CNY).toBe(0n);
  });

  it('keeps a long reason as an excerpt in the state, whole in the ledger, the record and the answer', () => {
    const state = registered();
    recorded(state);
    verified(state, 'F1');
    const reason = '经核查该笔资金为关联企业往来款，不属于实际到位资金。'.repeat(6);
    const decision = reverseFunds(state, reversal('F1', { reason }), contextAt());
    const ledger = decision.ledger![0]!;
    expect(ledger.activity === 'appendFundsEntry' && ledger.entry.reason).toBe(reason);
    expect(decision.record.data.reason).toBe(reason);
    expect(act(state, decision).reason).toBe(reason);
    expect(Array.from(entry(state, 'F2').reason!)).toHaveLength(EXCERPT_CHARS);
  });

  it('lets a tranche be reversed again once its reversal was voided', () => {
    const state = registered();
    recorded(state);
    verified(state, 'F1');
    act(state, reverseFunds(state, reversal('F1'), contextAt()));
    expectRefusal(state, () => reverseFunds(state, reversal('F1'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    act(state, voidFunds(state, voiding('F2', { reason: '冲销有误 reversal in error' }), contextAt()));
    expect(entry(state, 'F1').reversedBy).toBeNull();
    act(state, reverseFunds(state, reversal('F1'), contextAt()));
    expect(entry(state, 'F1').reversedBy).toBe('F3');
  });

  it('refuses a reversal of a reversal, an unverified entry, one already reversed, a void one, and an unknown one', () => {
    const state = registered();
    expectRefusal(state, () => reverseFunds(state, reversal('F1'), contextAt()), ErrorType.NotFound, 'entryId');
    recorded(state);
    const unverified = expectRefusal(state, () => reverseFunds(state, reversal('F1'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    expect(unverified.details[0]!.reason).toBe('only a verified entry is reversed; void an unverified one instead');
    verified(state, 'F1');
    act(state, reverseFunds(state, reversal('F1'), contextAt()));
    const twice = expectRefusal(state, () => reverseFunds(state, reversal('F1'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    expect(twice.details[0]!.reason).toBe('already reversed by F2');
    verified(state, 'F2');
    const ofReversal = expectRefusal(state, () => reverseFunds(state, reversal('F2'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    expect(ofReversal.details[0]!.reason).toBe('a reversal cannot be reversed');
    recorded(state);
    act(state, voidFunds(state, voiding('F3'), contextAt()));
    expectRefusal(state, () => reverseFunds(state, reversal('F3'), contextAt()), ErrorType.IllegalTransition, 'entryId');
  });

  it('refuses a closed project, a user of another city, and a reversal beyond the cap', () => {
    const done = closed();
    expectRefusal(done, () => reverseFunds(done, reversal('F1'), contextAt()), ErrorType.ProjectClosed, 'stage');
    const state = registered();
    recorded(state);
    verified(state, 'F1');
    expectRefusal(state, () => reverseFunds(state, reversal('F1', { actor: dalian }), contextAt()), ErrorType.WrongCity, 'actor.city');
    padFunds(state, STATE_CAPS.fundsEntries);
    expectRefusal(state, () => reverseFunds(state, reversal('F1'), contextAt()), ErrorType.IllegalTransition, 'funds entries');
  });
});

describe('voidFunds', () => {
  it('voids an unverified mistake: it never counts and no longer awaits verification', () => {
    const state = registered();
    recorded(state);
    const cmd = voiding('F1');
    const decision = decide(state, () => voidFunds(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'fundsVoided', id: 'F1', by: coordinator.id, at: NOW, reason: cmd.reason },
    ]);
    expect(decision.ledger).toEqual([{ activity: 'voidFundsEntry', entryId: 'F1', voidedBy: coordinator.id, voidedAt: NOW, reason: cmd.reason }]);
    expect(decision.record).toEqual({ kind: 'funds.voided', actor: coordinator.id, data: { entryId: 'F1', amountMinor: '30000000000', currency: 'CNY', reason: cmd.reason } });
    expect(act(state, decision)).toMatchObject({ id: 'F1', voidedBy: coordinator.id, voidedAt: NOW, voidReason: cmd.reason });
    expect(awaitingVerification(state)).toEqual([]);
    expect(verifiedFunds(state)).toEqual({ CNY: 0n, USD: 0n });
  });

  it('keeps a long reason as an excerpt in the state, whole in the ledger and the answer', () => {
    const state = registered();
    recorded(state);
    const reason = '录入时误将美元金额填入人民币栏目，'.repeat(8);
    const decision = voidFunds(state, voiding('F1', { reason }), contextAt());
    expect(decision.ledger).toEqual([expect.objectContaining({ reason })]);
    expect(act(state, decision).voidReason).toBe(reason);
    expect(Array.from(entry(state, 'F1').voidReason!)).toHaveLength(EXCERPT_CHARS);
  });

  it('refuses a verified entry, a void one, an unknown one, a closed project and a user of another city', () => {
    const state = registered();
    expectRefusal(state, () => voidFunds(state, voiding('F1'), contextAt()), ErrorType.NotFound, 'entryId');
    recorded(state);
    recorded(state);
    verified(state, 'F1');
    const counted = expectRefusal(state, () => voidFunds(state, voiding('F1'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    expect(counted.details[0]!.reason).toBe('verified by verifier.li; reverse it instead');
    expectRefusal(state, () => voidFunds(state, voiding('F2', { actor: dalian }), contextAt()), ErrorType.WrongCity, 'actor.city');
    act(state, voidFunds(state, voiding('F2'), contextAt()));
    expectRefusal(state, () => voidFunds(state, voiding('F2'), contextAt()), ErrorType.IllegalTransition, 'entryId');
    const done = closed();
    expectRefusal(done, () => voidFunds(done, voiding('F1'), contextAt()), ErrorType.ProjectClosed, 'stage');
  });
});

describe('increaseCapital', () => {
  it('records only the increment, in the contract currency; it is not progress', () => {
    const state = registered();
    const cmd = increase();
    const decision = decide(state, () => increaseCapital(state, cmd, contextAt()));
    const increment = { id: 'C1', requestId: cmd.requestId, amountMinor: '100000000000', currency: 'CNY', agreedOn: '2026-03-08', enteredBy: coordinator.id };
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'capitalIncreased', increase: increment },
    ]);
    expect(decision.ledger).toEqual([{ activity: 'appendCapitalIncrease', increase: increment }]);
    expect(decision.record).toEqual({ kind: 'capital.increased', actor: coordinator.id, data: increment });
    expect(act(state, decision)).toEqual(increment);
    expect(state.capitalIncreases).toEqual([increment]);
    // The contract stays as signed; statistics add the increment.
    expect(state.contracted).toEqual({ amountMinor: '500000000000', currency: 'CNY' });
    expect(state.lastProgressAt).toBe(STARTED_AT);
  });

  it('takes any currency when no contract amount is known', () => {
    const state = registered({ contracted: null });
    expect(act(state, increaseCapital(state, increase({ currency: 'USD' }), contextAt())).currency).toBe('USD');
  });

  it('refuses another currency than the contract, a project not yet signed, a closed one, a user of another city, and an increase beyond the cap', () => {
    const state = registered();
    const converted = expectRefusal(state, () => increaseCapital(state, increase({ currency: 'USD' }), contextAt()), ErrorType.InvalidInput, 'currency');
    expect(converted.details[0]!.reason).toBe("must be CNY, the contract's currency");
    const negotiating = registered({ stage: 'negotiating' });
    expectRefusal(negotiating, () => increaseCapital(negotiating, increase(), contextAt()), ErrorType.IllegalTransition, 'stage');
    const done = closed();
    expectRefusal(done, () => increaseCapital(done, increase(), contextAt()), ErrorType.ProjectClosed, 'stage');
    expectRefusal(state, () => increaseCapital(state, increase({ actor: dalian }), contextAt()), ErrorType.WrongCity, 'actor.city');

    const first = act(state, increaseCapital(state, increase(), contextAt()));
    state.capitalIncreases = Array.from({ length: STATE_CAPS.capitalIncreases }, (_, i) => ({ ...first, id: `C${i + 1}`, requestId: `old-${i}` }));
    expectRefusal(state, () => increaseCapital(state, increase(), contextAt()), ErrorType.IllegalTransition, 'capital increases');
  });
});

/**
 * The funds ledger under any sequence of record / verify / void / reverse requests, accepted or
 * refused: what counts is exactly the verified tranches not corrected by a verified reversal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordFunds, reverseFunds, verifyFunds, voidFunds } from '../../workflows/decisions/funds.js';
import { advanceStage } from '../../workflows/decisions/stages.js';
import { ErrorType, Refusal } from '../../workflows/errors.js';
import type { Actor } from '../../workflows/messages.js';
import { verifiedFunds } from '../../workflows/project-state.js';
import type { Currency } from '../../workflows/reference.js';
import type { ProjectState } from '../../workflows/state.js';
import { act, contextAt, coordinator, inFunds, provincial, rid, verifier } from './fixture.js';

const ACTORS: readonly Actor[] = [coordinator, verifier, provincial];

type Op =
  | { op: 'record'; currency: Currency; amountMinor: string; by: number }
  /** `pick` chooses among the entries (or one past them); `latest` takes the newest instead. */
  | { op: 'verify' | 'void' | 'reverse'; pick: number; latest: boolean; by: number };

const by = fc.nat({ max: ACTORS.length - 1 });
const pick = fc.nat({ max: 1_000 });
const latest = fc.boolean();
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('record' as const), currency: fc.constantFrom<Currency>('CNY', 'USD'), amountMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }).map(String), by }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('verify' as const), pick, latest, by }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('void' as const), pick, latest, by }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reverse' as const), pick, latest, by }) },
);
const opsArb = fc.array(opArb, { minLength: 5, maxLength: 40 });

const LEDGER_REFUSALS: readonly ErrorType[] = [ErrorType.NotFound, ErrorType.IllegalTransition, ErrorType.FourEyes];

/** A project in funds, built once and copied for each run. */
const start = inFunds();

/** Decides one request; a refusal must leave the state as it was. Returns whether it was accepted. */
function send(state: ProjectState, op: Op): boolean {
  const ctx = contextAt();
  const actor = ACTORS[op.by]!;
  const before = JSON.stringify(state);
  try {
    if (op.op === 'record') {
      act(state, recordFunds(state, { requestId: rid(), amountMinor: op.amountMinor, currency: op.currency, receivedOn: '2026-03-06', evidence: 'VOUCHER-1', actor }, ctx));
    } else {
      const entryId = `F${op.latest ? state.funds.length : (op.pick % (state.funds.length + 1)) + 1}`;
      if (op.op === 'verify') act(state, verifyFunds(state, { requestId: rid(), entryId, actor }, ctx));
      if (op.op === 'void') act(state, voidFunds(state, { requestId: rid(), entryId, reason: '录入有误', actor }, ctx));
      if (op.op === 'reverse') act(state, reverseFunds(state, { requestId: rid(), entryId, reason: '冲销', actor }, ctx));
    }
    return true;
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    // Checked cheaply; expect only says what went wrong.
    if (!LEDGER_REFUSALS.includes(err.type)) expect(LEDGER_REFUSALS).toContain(err.type);
    const after = JSON.stringify(state);
    if (after !== before) expect(after).toBe(before);
    return false;
  }
}

/** What is wrong with the ledger (nothing, if it keeps its rules). */
function ledgerProblems(state: ProjectState): string[] {
  const problems: string[] = [];
  const byId = new Map(state.funds.map((e) => [e.id, e]));
  const standing = { CNY: 0n, USD: 0n };
  for (const e of state.funds) {
    if (e.verifiedAt && e.verifiedBy === e.enteredBy) problems.push(`${e.id} verified by who entered it`);
    if (e.verifiedAt && e.voidedAt) problems.push(`${e.id} is both verified and void`);
    if (e.kind === 'reversal') {
      const original = byId.get(e.reverses!);
      if (original?.kind !== 'tranche' || !original.verifiedAt) problems.push(`${e.id} reverses ${e.reverses}, not a verified tranche`);
      else if (e.currency !== original.currency || BigInt(e.amountMinor) !== -BigInt(original.amountMinor)) problems.push(`${e.id} does not mirror ${original.id}`);
      continue;
    }
    const live = state.funds.filter((r) => r.reverses === e.id && !r.voidedAt);
    if (live.length > 1) problems.push(`${e.id} has ${live.length} live reversals`);
    if ((e.reversedBy ?? null) !== (live[0]?.id ?? null)) problems.push(`${e.id} is reversedBy ${e.reversedBy}, its live reversal is ${live[0]?.id}`);
    if (e.verifiedAt && !live.some((r) => r.verifiedAt)) standing[e.currency] += BigInt(e.amountMinor);
  }
  const counted = verifiedFunds(state);
  if (counted.CNY !== standing.CNY || counted.USD !== standing.USD) problems.push(`counted ${counted.CNY}/${counted.USD}, standing ${standing.CNY}/${standing.USD}`);
  if (counted.CNY < 0n || counted.USD < 0n) problems.push('a negative total');
  return problems;
}

describe('the funds ledger, whatever is asked of it', () => {
  it('counts exactly the verified tranches not corrected by a verified reversal, never less than zero', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const state = structuredClone(start);
        for (const op of ops) {
          send(state, op);
          const problems = ledgerProblems(state);
          if (problems.length) expect(problems).toEqual([]);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('lets a project operate exactly when no entry awaits verification', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const state = structuredClone(start);
        for (const op of ops) send(state, op);
        const waiting = state.funds.filter((e) => !e.verifiedAt && !e.voidedAt).map((e) => `funds.${e.id}`);
        let fields: string[] = [];
        try {
          advanceStage(state, { to: 'operating', actor: coordinator.id, reason: null, requestId: rid() }, contextAt());
        } catch (err) {
          expect(err).toBeInstanceOf(Refusal);
          fields = (err as Refusal).details.map((d) => d.field);
        }
        expect(fields).toEqual(waiting);
      }),
      { numRuns: 60 },
    );
  });
});

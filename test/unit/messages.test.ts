/** An update's input as the workflow parses it (the API parses the same schemas first). */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { FieldReason } from '../../workflows/errors.js';
import { parseMessage } from '../../workflows/message-parsing.js';
import type { UpdateName } from '../../workflows/messages.js';
import { coordinator, staff, verifier } from './fixture.js';

/** A valid raw input for every update. */
const VALID: Record<UpdateName, Record<string, unknown>> = {
  advanceStage: { to: 'negotiating', actor: 'coordinator.zhang', requestId: 'req-a' },
  completeTask: { requestId: 'req-b', taskKey: 'registration', actor: staff('market_regulation'), data: { credit_code: '91210100MA0Y8XQ21K' } },
  reportBlocker: { requestId: 'req-c', category: 'land', description: '地块尚未完成征收', actor: staff('natural_resources') },
  resolveBlocker: { requestId: 'req-d', blockerId: 'B1', resolution: '征收完成', actor: coordinator },
  reassignLiaison: { requestId: 'req-e', liaison: 'liaison.sun', actor: coordinator },
  withdraw: { requestId: 'req-f', reason: '企业投资计划取消', actor: coordinator },
  markMerged: { requestId: 'req-g', into: 'LN-2026-SY-0002', actor: coordinator },
  recordFunds: { requestId: 'req-h', amountMinor: '30000000000', currency: 'CNY', receivedOn: '2026-03-06', evidence: 'BOC-TT-20260306-0042', actor: coordinator },
  verifyFunds: { requestId: 'req-i', entryId: 'F1', actor: verifier },
  reverseFunds: { requestId: 'req-j', entryId: 'F1', reason: '银行退回', actor: coordinator },
  voidFunds: { requestId: 'req-k', entryId: 'F1', reason: '重复录入', actor: coordinator },
  increaseCapital: { requestId: 'req-l', amountMinor: '100000000000', currency: 'CNY', agreedOn: '2026-03-08', actor: coordinator },
  reproject: { requestId: 'req-m', actor: { id: 'admin.zhao', department: null, city: null } },
};

/** Parses, expecting InvalidInput; returns the fields named. */
function refusedFields(name: UpdateName, raw: unknown): string[] {
  let thrown: unknown;
  try {
    parseMessage(name, raw);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ApplicationFailure);
  const failure = thrown as ApplicationFailure;
  expect(failure.type).toBe('InvalidInput');
  expect(failure.nonRetryable).toBe(true);
  return (failure.details as FieldReason[]).map((d) => d.field);
}

describe('parseMessage', () => {
  it.each(Object.keys(VALID) as UpdateName[])('accepts a valid %s', (name) => {
    expect(() => parseMessage(name, VALID[name])).not.toThrow();
  });

  it('normalises texts and fills defaults', () => {
    expect(parseMessage('advanceStage', { to: 'signed', actor: ' coordinator.zhang ' })).toEqual({ to: 'signed', actor: 'coordinator.zhang', reason: null });
    expect(parseMessage('reportBlocker', { ...VALID.reportBlocker, description: '  第一行\r\n第二行  ' }).description).toBe('第一行\n第二行');
    expect(parseMessage('reassignLiaison', VALID.reassignLiaison).reason).toBeNull();
  });

  it('refuses a NUL byte in a blocker description', () => {
    expect(refusedFields('reportBlocker', { ...VALID.reportBlocker, description: '地块\u0000征收' })).toEqual(['description']);
  });

  it('refuses an unknown stage', () => {
    expect(refusedFields('advanceStage', { ...VALID.advanceStage, to: 'finished' })).toEqual(['to']);
  });

  it.each(['-5', '12.50', '1e6', '007', '', '0'])('refuses %j as an amount of funds', (amountMinor) => {
    expect(refusedFields('recordFunds', { ...VALID.recordFunds, amountMinor })).toEqual(['amountMinor']);
  });

  it('refuses an amount sent as a number, even a whole one', () => {
    expect(refusedFields('increaseCapital', { ...VALID.increaseCapital, amountMinor: 100 })).toEqual(['amountMinor']);
  });

  it('refuses a missing actor, and an actor of an unknown city or department', () => {
    const { actor: _actor, ...anonymous } = VALID.completeTask;
    expect(refusedFields('completeTask', anonymous)).toEqual(['actor']);
    expect(refusedFields('verifyFunds', { ...VALID.verifyFunds, actor: { ...verifier, city: '北京' } })).toEqual(['actor.city']);
    expect(refusedFields('completeTask', { ...VALID.completeTask, actor: { ...coordinator, department: 'finance' } })).toEqual(['actor.department']);
  });

  it('names every field at fault at once', () => {
    expect(refusedFields('recordFunds', { ...VALID.recordFunds, currency: 'EUR', receivedOn: '2026-02-30', evidence: 'line\nbreak', requestId: undefined }).sort()).toEqual(
      ['currency', 'evidence', 'receivedOn', 'requestId'].sort(),
    );
  });

  it('refuses malformed ids and form data that is not an object', () => {
    expect(refusedFields('verifyFunds', { ...VALID.verifyFunds, entryId: 'F-1' })).toEqual(['entryId']);
    expect(refusedFields('resolveBlocker', { ...VALID.resolveBlocker, blockerId: '1' })).toEqual(['blockerId']);
    expect(refusedFields('completeTask', { ...VALID.completeTask, taskKey: 'Registration' })).toEqual(['taskKey']);
    expect(refusedFields('completeTask', { ...VALID.completeTask, data: ['not', 'an', 'object'] })).toEqual(['data']);
  });

  it('refuses a body that is not an object', () => {
    expect(refusedFields('withdraw', null)).toEqual(['(body)']);
  });
});

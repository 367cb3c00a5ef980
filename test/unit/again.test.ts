/**
 * A retried request (same request id, e.g. the same Idempotency-Key) changes nothing and answers as
 * the first time. The workflow asks `again` before deciding (workflows/projectLanding.ts).
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS, type Context, type Decision } from '../../workflows/decisions/index.js';
import { Inputs, UPDATES, type UpdateName } from '../../workflows/messages.js';
import type { ProjectState } from '../../workflows/state.js';
import { act, completion, contextAt, coordinator, recorded, recording, registered, rid, staff, verified, verifier } from './fixture.js';

type CommandName = (typeof COMMANDS)[number]['name'];
interface LooseSpec {
  decide(state: ProjectState, cmd: unknown, ctx: Context): Decision<unknown>;
  again(state: ProjectState, cmd: unknown): unknown;
}
const specOf = (name: CommandName): LooseSpec => COMMANDS.find((c) => c.name === name)! as unknown as LooseSpec;

const withBlocker = () => {
  const state = registered();
  act(state, specOf('reportBlocker').decide(state, { requestId: rid(), category: 'approvals', description: '环评批复迟迟未下达', actor: staff('ecology_environment') }, contextAt()));
  return state;
};
const withEntry = () => {
  const state = registered();
  recorded(state);
  return state;
};
const withVerifiedEntry = () => {
  const state = withEntry();
  verified(state, 'F1');
  return state;
};

/** One accepted request per command: the project it is sent to and the command. */
const CASES: Record<CommandName, { setup: () => ProjectState; cmd: (state: ProjectState) => { requestId?: string } }> = {
  advanceStage: { setup: () => registered({ stage: 'intention' }), cmd: () => ({ to: 'negotiating', actor: coordinator.id, reason: '锁定合作项目', requestId: rid() }) },
  completeTask: { setup: () => registered(), cmd: (state) => completion(state, 'registration') },
  reportBlocker: { setup: () => registered(), cmd: () => ({ requestId: rid(), category: 'land', description: '地块尚未完成征收', actor: staff('natural_resources') }) },
  resolveBlocker: { setup: withBlocker, cmd: () => ({ requestId: rid(), blockerId: 'B1', resolution: '省生态环境厅已批复', actor: coordinator }) },
  reassignLiaison: { setup: () => registered(), cmd: () => ({ requestId: rid(), liaison: 'liaison.sun', reason: null, actor: coordinator }) },
  recordFunds: { setup: () => registered(), cmd: () => recording() },
  verifyFunds: { setup: withEntry, cmd: () => ({ requestId: rid(), entryId: 'F1', actor: verifier }) },
  reverseFunds: { setup: withVerifiedEntry, cmd: () => ({ requestId: rid(), entryId: 'F1', reason: '银行退回', actor: coordinator }) },
  voidFunds: { setup: withEntry, cmd: () => ({ requestId: rid(), entryId: 'F1', reason: '重复录入', actor: coordinator }) },
  increaseCapital: { setup: () => registered(), cmd: () => ({ requestId: rid(), amountMinor: '100000000000', currency: 'CNY', agreedOn: '2026-03-08', actor: coordinator }) },
  withdraw: { setup: () => registered(), cmd: () => ({ requestId: rid(), reason: '企业投资计划取消', actor: coordinator }) },
  markMerged: { setup: () => registered(), cmd: () => ({ requestId: rid(), into: 'LN-2026-SY-0002', actor: coordinator }) },
};

describe('the command table', () => {
  it('has one command per update input besides reproject, each under its update name', () => {
    expect([...COMMANDS.map((c) => c.name), 'reproject'].sort()).toEqual((Object.keys(Inputs) as UpdateName[]).sort());
    for (const spec of COMMANDS) expect(UPDATES[spec.name].name).toBe(spec.name);
  });
});

describe('a retried request', () => {
  it.each(COMMANDS.map((c) => c.name))('%s: answers as before and changes nothing', (name) => {
    const spec = specOf(name);
    const { setup, cmd: commandFor } = CASES[name];
    const state = setup();
    const cmd = commandFor(state);
    expect(spec.again(state, cmd)).toBeUndefined();

    const first = structuredClone(act(state, spec.decide(state, cmd, contextAt())));
    const applied = structuredClone(state);
    expect(spec.again(state, cmd)).toEqual(first);
    expect(state).toEqual(applied);
    // Another request is not taken for this one.
    expect(spec.again(state, { ...cmd, requestId: rid() })).toBeUndefined();
  });

  it('advanceStage without a request id (older callers) is never taken for a retry', () => {
    const state = registered({ stage: 'intention' });
    const cmd = { to: 'negotiating', actor: coordinator.id, reason: null };
    act(state, specOf('advanceStage').decide(state, cmd, contextAt()));
    expect(specOf('advanceStage').again(state, cmd)).toBeUndefined();
  });

  it('needs the check: deciding a recorded request again would append a second tranche', () => {
    const state = registered();
    const cmd = recording();
    act(state, specOf('recordFunds').decide(state, cmd, contextAt()));
    expect(specOf('recordFunds').decide(state, cmd, contextAt()).changes).toContainEqual(expect.objectContaining({ type: 'fundsRecorded', entry: expect.objectContaining({ id: 'F2' }) }));
  });
});

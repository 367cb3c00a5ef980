import { describe, expect, it } from 'vitest';
import { apply } from '../../workflows/decisions/index.js';
import { advanceStage, markMerged, register, withdraw } from '../../workflows/decisions/stages.js';
import { voidFunds } from '../../workflows/decisions/funds.js';
import { completeTask } from '../../workflows/decisions/tasks.js';
import { ErrorType } from '../../workflows/errors.js';
import type { Command } from '../../workflows/messages.js';
import { initialState } from '../../workflows/project-state.js';
import { summaryOf } from '../../workflows/state.js';
import {
  act,
  admin,
  CODE,
  completion,
  contextAt,
  coordinator,
  dalian,
  daysAfter,
  decide,
  expectRefusal,
  inFunds,
  INDUSTRIAL,
  INDUSTRIAL_KEPT,
  NOW,
  projectInput,
  provincial,
  recorded,
  registered,
  rid,
  STARTED_AT,
  verified,
} from './fixture.js';

/** A task's rungs in the industrial ladder (0, 3, 7 and 15 working days after its due date). */
const rungs = (from: string, dueWorkingDays: number) => [0, 3, 7, 15].map((d) => daysAfter(from, dueWorkingDays + d));
const statuses = (state: ReturnType<typeof registered>) => Object.fromEntries(state.tasks.map((t) => [t.key, t.status]));

const advance = (over: Partial<Command<'advanceStage'>> & Pick<Command<'advanceStage'>, 'to'>): Command<'advanceStage'> => ({ actor: coordinator.id, reason: null, requestId: rid(), ...over });

describe('register', () => {
  it('moves a project registered as signed to landing and opens the tasks without dependencies, with rungs from the calendar', () => {
    const input = projectInput({ stage: 'signed' });
    const state = initialState(input, STARTED_AT);
    const ctx = contextAt(STARTED_AT);
    const decision = decide(state, () => register(state, input, INDUSTRIAL, ctx));

    expect(decision.changes.map((c) => c.type)).toEqual(['templateLoaded', 'stageMoved', 'taskOpened', 'taskOpened', 'progressed']);
    expect(decision.changes.slice(1)).toEqual([
      { type: 'stageMoved', to: 'landing', actor: 'system', at: STARTED_AT, reason: '签约后开始落地 landing starts at signing' },
      { type: 'taskOpened', key: 'registration', at: STARTED_AT, rungAt: rungs(STARTED_AT, 10) },
      { type: 'taskOpened', key: 'land', at: STARTED_AT, rungAt: rungs(STARTED_AT, 30) },
      { type: 'progressed', at: STARTED_AT, idleAt: daysAfter(STARTED_AT, 30) },
    ]);
    expect(ctx.asked).toEqual([
      { from: STARTED_AT, workingDays: [10, 13, 17, 25], what: 'rungs' },
      { from: STARTED_AT, workingDays: [30, 33, 37, 45], what: 'rungs' },
      { from: STARTED_AT, workingDays: [30], what: 'idle' },
    ]);
    expect(decision.record).toEqual({
      kind: 'project.registered',
      actor: coordinator.id,
      data: { stage: 'signed', template: INDUSTRIAL_KEPT, opened: ['registration', 'land'] },
    });
    expect(decision.notifications).toBeUndefined();
    expect(decision.ledger).toBeUndefined();

    // As the workflow starts a project: the changes applied, the record keeping version 1.
    for (const change of decision.changes) apply(state, change);
    expect(state.version).toBe(1);
    expect(state.stage).toBe('landing');
    expect(state.transitions.map((t) => [t.from, t.to, t.actor])).toEqual([
      [null, 'signed', coordinator.id],
      ['signed', 'landing', 'system'],
    ]);
    expect(state.template).toEqual(INDUSTRIAL_KEPT);
    expect(statuses(state)).toEqual({ registration: 'open', land: 'open', project_filing: 'pending', eia: 'pending', construction_permit: 'pending', construction_start: 'pending' });
    const registration = state.tasks.find((t) => t.key === 'registration')!;
    expect(registration).toMatchObject({ openedAt: STARTED_AT, dueAt: daysAfter(STARTED_AT, 10), rungAt: rungs(STARTED_AT, 10), rung: 0, department: 'market_regulation', milestone: 'registered' });
    expect(state.idleAt).toBe(daysAfter(STARTED_AT, 30));
    expect(state.signedOn).toBe('2026-02-26');
  });

  it('opens no task for a project registered as an intention, and starts no idle clock', () => {
    const state = registered({ stage: 'intention', signedOn: null, contracted: null });
    expect(state.stage).toBe('intention');
    expect(state.template).toEqual(INDUSTRIAL_KEPT);
    expect(state.tasks).toHaveLength(6);
    expect(state.tasks.every((t) => t.status === 'pending' && t.rungAt.length === 0)).toBe(true);
    expect(state.idleAt).toBeNull();
    expect(state.signedOn).toBeNull();

    const input = projectInput({ stage: 'intention' });
    const decision = register(initialState(input, STARTED_AT), input, INDUSTRIAL, contextAt(STARTED_AT));
    expect(decision.changes.map((c) => c.type)).toEqual(['templateLoaded', 'progressed']);
    expect(decision.changes[1]).toEqual({ type: 'progressed', at: STARTED_AT });
    expect(decision.record.data).toEqual({ stage: 'intention', template: INDUSTRIAL_KEPT, opened: [] });
  });

  it('keeps a project without a template as it was registered: no tasks, no landing', () => {
    const input = projectInput({ stage: 'signed', projectType: undefined });
    const state = initialState(input, STARTED_AT);
    const decision = register(state, input, null, contextAt(STARTED_AT));
    expect(decision.changes).toEqual([]);
    expect(decision.record).toEqual({ kind: 'project.registered', actor: coordinator.id, data: { stage: 'signed' } });
    act(state, decision, STARTED_AT);
    expect(state.stage).toBe('signed');
    expect(state.tasks).toEqual([]);
    expect(state.template).toBeNull();
  });

  it('dates a project registered as signed without a signing date by its registration day in Beijing', () => {
    // 2026-03-01T20:00Z is already 2 March in Beijing.
    const state = initialState(projectInput({ signedOn: null }), '2026-03-01T20:00:00.000Z');
    expect(state.signedOn).toBe('2026-03-02');
  });
});

describe('advanceStage', () => {
  it('moves intention to negotiating by hand and remembers the request', () => {
    const state = registered({ stage: 'intention', signedOn: null });
    const cmd = advance({ to: 'negotiating', reason: '锁定合作项目' });
    const decision = decide(state, () => advanceStage(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'stageMoved', to: 'negotiating', actor: coordinator.id, at: NOW, reason: '锁定合作项目' },
      // The idle clock runs only from signing on.
      { type: 'progressed', at: NOW },
    ]);
    expect(decision.record).toEqual({ kind: 'stage.advanced', actor: coordinator.id, data: { from: 'intention', to: 'negotiating', actor: coordinator.id, at: NOW, reason: '锁定合作项目' } });
    const reply = act(state, decision);
    expect(reply).toEqual(summaryOf(state));
    expect(state).toMatchObject({ stage: 'negotiating', version: 2, updatedAt: NOW, lastProgressAt: NOW, idleAt: null, appliedRequests: [cmd.requestId] });
    expect(state.transitions.at(-1)).toEqual({ from: 'intention', to: 'negotiating', actor: coordinator.id, at: NOW, reason: '锁定合作项目' });
  });

  it('starts landing when a negotiating project is signed: first tasks open, idle clock starts, signing date set', () => {
    const state = registered({ stage: 'negotiating', signedOn: null });
    const cmd = advance({ to: 'signed' });
    const decision = decide(state, () => advanceStage(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'stageMoved', to: 'signed', actor: coordinator.id, at: NOW, reason: null },
      { type: 'progressed', at: NOW, idleAt: daysAfter(NOW, 30) },
      { type: 'stageMoved', to: 'landing', actor: 'system', at: NOW, reason: '签约后开始落地 landing starts at signing' },
      { type: 'taskOpened', key: 'registration', at: NOW, rungAt: rungs(NOW, 10) },
      { type: 'taskOpened', key: 'land', at: NOW, rungAt: rungs(NOW, 30) },
    ]);
    expect(decision.record.data).toEqual({ from: 'negotiating', to: 'signed', actor: coordinator.id, at: NOW, reason: null, opened: ['registration', 'land'] });
    act(state, decision);
    expect(state.stage).toBe('landing');
    expect(state.transitions.map((t) => t.to)).toEqual(['negotiating', 'signed', 'landing']);
    expect(state.signedOn).toBe('2026-03-09');
    expect(state.idleAt).toBe(daysAfter(NOW, 30));
    expect(statuses(state)).toMatchObject({ registration: 'open', land: 'open', project_filing: 'pending' });
  });

  it('records no request when an older caller sends none', () => {
    const state = registered({ stage: 'intention' });
    const decision = advanceStage(state, { to: 'negotiating', actor: 'coordinator.zhang', reason: null }, contextAt());
    expect(decision.changes.map((c) => c.type)).toEqual(['stageMoved', 'progressed']);
    act(state, decision);
    expect(state.appliedRequests).toEqual([]);
  });

  it('moves funds to operating once every entry is verified or void, and stops the idle clock', () => {
    const state = inFunds();
    recorded(state);
    verified(state, 'F1');
    recorded(state);
    act(state, voidFunds(state, { requestId: rid(), entryId: 'F2', reason: '重复录入 entered twice', actor: coordinator }, contextAt()));
    const idleAt = state.idleAt;
    const decision = decide(state, () => advanceStage(state, advance({ to: 'operating', reason: '投产' }), contextAt()));
    expect(decision.changes.map((c) => c.type)).toEqual(['requestApplied', 'stageMoved', 'progressed']);
    expect(decision.changes[2]).toEqual({ type: 'progressed', at: NOW });
    act(state, decision);
    expect(state.stage).toBe('operating');
    expect(state.idleAt).toBe(idleAt);
    expect(state.stuck.stuck).toBe(false);
  });

  it('refuses a move that skips a stage or that happens by itself', () => {
    const intention = registered({ stage: 'intention' });
    const refusal = expectRefusal(intention, () => advanceStage(intention, advance({ to: 'signed' }), contextAt()), ErrorType.IllegalTransition, 'to');
    expect(refusal.details[0]!.reason).toBe('the project is intention; allowed next: negotiating');
    const landing = registered();
    expectRefusal(landing, () => advanceStage(landing, advance({ to: 'funds' }), contextAt()), ErrorType.IllegalTransition, 'to');
    expectRefusal(landing, () => advanceStage(landing, advance({ to: 'landing' }), contextAt()), ErrorType.IllegalTransition, 'to');
    // Withdrawal has its own update, with a reason.
    expectRefusal(landing, () => advanceStage(landing, advance({ to: 'withdrawn' }), contextAt()), ErrorType.IllegalTransition, 'to');
  });

  it('refuses to operate while funds entries await verification, naming each', () => {
    const state = inFunds();
    recorded(state);
    recorded(state);
    recorded(state);
    verified(state, 'F2');
    const refusal = expectRefusal(state, () => advanceStage(state, advance({ to: 'operating' }), contextAt()), ErrorType.IllegalTransition, 'funds.F1', 'funds.F3');
    expect(refusal.message).toBe('2 funds entries await verification: F1, F3');
  });

  it('moves a closed project nowhere', () => {
    const state = registered();
    act(state, withdraw(state, { requestId: rid(), reason: '企业投资计划取消', actor: coordinator }, contextAt()));
    const refusal = expectRefusal(state, () => advanceStage(state, advance({ to: 'negotiating' }), contextAt()), ErrorType.IllegalTransition, 'to');
    expect(refusal.details[0]!.reason).toBe('the project is withdrawn; allowed next: none by hand');
  });
});

describe('withdraw', () => {
  it('ends the project with its reason and cancels its open and pending tasks, keeping what is done', () => {
    const state = registered();
    act(state, completeTask(state, completion(state, 'registration'), contextAt()));
    const cmd = { requestId: rid(), reason: '企业投资计划取消', actor: coordinator };
    const decision = decide(state, () => withdraw(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'stageMoved', to: 'withdrawn', actor: coordinator.id, at: NOW, reason: '企业投资计划取消' },
      { type: 'tasksCancelled' },
    ]);
    expect(decision.record).toEqual({ kind: 'stage.advanced', actor: coordinator.id, data: { from: 'landing', to: 'withdrawn', reason: '企业投资计划取消' } });
    expect(decision.notifications).toBeUndefined();
    expect(act(state, decision)).toEqual(summaryOf(state));
    expect(state.stage).toBe('withdrawn');
    expect(statuses(state)).toEqual({ registration: 'done', land: 'cancelled', project_filing: 'cancelled', eia: 'cancelled', construction_permit: 'cancelled', construction_start: 'cancelled' });
    expect(state.appliedRequests).toContain(cmd.requestId);
  });

  it('is open to province-wide users', () => {
    const state = registered();
    act(state, withdraw(state, { requestId: rid(), reason: '省级统筹调整', actor: provincial }, contextAt()));
    expect(state.stage).toBe('withdrawn');
  });

  it('refuses a closed project and a user of another city', () => {
    const state = registered();
    expectRefusal(state, () => withdraw(state, { requestId: rid(), reason: '不在本市', actor: dalian }, contextAt()), ErrorType.WrongCity, 'actor.city');
    act(state, withdraw(state, { requestId: rid(), reason: '企业投资计划取消', actor: coordinator }, contextAt()));
    expectRefusal(state, () => withdraw(state, { requestId: rid(), reason: '再次终止', actor: coordinator }, contextAt()), ErrorType.ProjectClosed, 'stage');
    const operating = inFunds();
    act(operating, advanceStage(operating, advance({ to: 'operating' }), contextAt()));
    expectRefusal(operating, () => withdraw(operating, { requestId: rid(), reason: '已投产', actor: coordinator }, contextAt()), ErrorType.ProjectClosed, 'stage');
  });
});

describe('markMerged', () => {
  it('closes a duplicate, naming the project it duplicates', () => {
    const state = registered({ stage: 'intention' });
    const cmd = { requestId: rid(), into: 'LN-2026-SY-0002', reason: null, actor: coordinator };
    const decision = decide(state, () => markMerged(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'stageMoved', to: 'merged', actor: coordinator.id, at: NOW, reason: 'duplicate of LN-2026-SY-0002' },
      { type: 'tasksCancelled' },
    ]);
    expect(decision.record).toEqual({ kind: 'stage.advanced', actor: coordinator.id, data: { from: 'intention', to: 'merged', reason: 'duplicate of LN-2026-SY-0002', into: 'LN-2026-SY-0002' } });
    act(state, decision);
    expect(state.stage).toBe('merged');
    expect(state.tasks.every((t) => t.status === 'cancelled')).toBe(true);
  });

  it('keeps the reason given with the project it duplicates', () => {
    const state = registered({ stage: 'intention' });
    const decision = decide(state, () => markMerged(state, { requestId: rid(), into: 'LN-2026-SY-0002', reason: '峰会重复签约', actor: coordinator }, contextAt()));
    expect(decision.record.data).toMatchObject({ to: 'merged', reason: 'duplicate of LN-2026-SY-0002: 峰会重复签约', into: 'LN-2026-SY-0002' });
  });

  it('refuses merging into itself, a closed project, and a user of another city', () => {
    const state = registered();
    expectRefusal(state, () => markMerged(state, { requestId: rid(), into: CODE, reason: null, actor: coordinator }, contextAt()), ErrorType.InvalidInput, 'into');
    expectRefusal(state, () => markMerged(state, { requestId: rid(), into: 'LN-2026-DL-0009', reason: null, actor: dalian }, contextAt()), ErrorType.WrongCity, 'actor.city');
    act(state, markMerged(state, { requestId: rid(), into: 'LN-2026-SY-0002', reason: null, actor: admin }, contextAt()));
    expectRefusal(state, () => markMerged(state, { requestId: rid(), into: 'LN-2026-SY-0003', reason: null, actor: coordinator }, contextAt()), ErrorType.ProjectClosed, 'stage');
  });
});

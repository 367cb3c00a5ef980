import { describe, expect, it } from 'vitest';
import { reportBlocker } from '../../workflows/decisions/blockers.js';
import { withdraw } from '../../workflows/decisions/stages.js';
import { completeTask, escalation, idleNotice } from '../../workflows/decisions/tasks.js';
import { ErrorType } from '../../workflows/errors.js';
import { EXCERPT_CHARS, nextWakeAt, stuckReasons } from '../../workflows/project-state.js';
import { rungAudiences } from '../../workflows/reference.js';
import type { ProjectState } from '../../workflows/state.js';
import {
  act,
  CODE,
  completion,
  contextAt,
  coordinator,
  dalian,
  daysAfter,
  decide,
  expectRefusal,
  LANDING_ORDER,
  NOW,
  registered,
  rid,
  staff,
  STARTED_AT,
} from './fixture.js';

const task = (state: ProjectState, key: string) => state.tasks.find((t) => t.key === key)!;
const complete = (state: ProjectState, key: string, now = NOW) => act(state, completeTask(state, completion(state, key), contextAt(now)), now);

describe('completeTask', () => {
  it('completes a task by its department: the record keeps the form, the idle clock restarts', () => {
    const state = registered();
    const cmd = completion(state, 'registration');
    const decision = decide(state, () => completeTask(state, cmd, contextAt()));
    expect(decision.changes).toEqual([
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'taskCompleted', key: 'registration', by: 'staff.market_regulation', at: NOW, data: cmd.data },
      { type: 'progressed', at: NOW, idleAt: daysAfter(NOW, 30) },
    ]);
    expect(decision.record).toEqual({
      kind: 'task.completed',
      actor: 'staff.market_regulation',
      data: { taskKey: 'registration', department: 'market_regulation', data: cmd.data, opened: [] },
    });
    expect(decision.notifications).toBeUndefined();
    expect(decision.ledger).toBeUndefined();

    const reply = act(state, decision);
    expect(reply).toMatchObject({ key: 'registration', status: 'done', completedBy: 'staff.market_regulation', completedAt: NOW, data: cmd.data });
    expect(task(state, 'registration')).toMatchObject({ status: 'done', completedAt: NOW, completedBy: 'staff.market_regulation', data: cmd.data });
    expect(state).toMatchObject({ stage: 'landing', lastProgressAt: NOW, idleAt: daysAfter(NOW, 30), version: 2 });
    expect(state.appliedRequests).toEqual([cmd.requestId]);
  });

  it('opens the tasks that depended on it, each with its own rungs from now', () => {
    const state = registered();
    const ctx = contextAt();
    const decision = completeTask(state, completion(state, 'land'), ctx);
    expect(decision.changes.filter((c) => c.type === 'taskOpened')).toEqual([
      { type: 'taskOpened', key: 'project_filing', at: NOW, rungAt: [10, 13, 17, 25].map((d) => daysAfter(NOW, d)) },
      { type: 'taskOpened', key: 'eia', at: NOW, rungAt: [20, 23, 27, 35].map((d) => daysAfter(NOW, d)) },
      { type: 'taskOpened', key: 'construction_permit', at: NOW, rungAt: [15, 18, 22, 30].map((d) => daysAfter(NOW, d)) },
    ]);
    expect(ctx.asked.map((a) => a.what)).toEqual(['idle', 'rungs', 'rungs', 'rungs']);
    expect(decision.record.data.opened).toEqual(['project_filing', 'eia', 'construction_permit']);
    act(state, decision);
    expect(task(state, 'eia')).toMatchObject({ status: 'open', openedAt: NOW, dueAt: daysAfter(NOW, 20), rung: 0 });
    // Construction waits for all three.
    expect(task(state, 'construction_start').status).toBe('pending');
    complete(state, 'project_filing');
    complete(state, 'eia');
    expect(task(state, 'construction_start').status).toBe('pending');
    const last = completeTask(state, completion(state, 'construction_permit'), contextAt());
    expect(last.record.data.opened).toEqual(['construction_start']);
    act(state, last);
    expect(task(state, 'construction_start').status).toBe('open');
    expect(state.stage).toBe('landing');
  });

  it('moves the project to funds with its last task', () => {
    const state = registered();
    for (const key of LANDING_ORDER.slice(0, -1)) complete(state, key);
    const cmd = completion(state, 'construction_start');
    const decision = completeTask(state, cmd, contextAt());
    expect(decision.changes.at(-1)).toEqual({ type: 'stageMoved', to: 'funds', actor: 'system', at: NOW, reason: '落地里程碑全部完成 all landing milestones done' });
    expect(decision.record.data).toEqual({ taskKey: 'construction_start', department: 'commerce', data: cmd.data, opened: [], stage: 'funds' });
    act(state, decision);
    expect(state.stage).toBe('funds');
    expect(state.tasks.every((t) => t.status === 'done')).toBe(true);
    expect(state.transitions.at(-1)).toMatchObject({ from: 'landing', to: 'funds', actor: 'system' });
    // The idle clock still runs in funds.
    expect(state.idleAt).toBe(daysAfter(NOW, 30));
  });

  it('keeps long form texts as excerpts in the state, whole in the record and the answer', () => {
    const state = registered();
    act(state, completeTask(state, completion(state, 'land'), contextAt()));
    act(state, completeTask(state, completion(state, 'project_filing'), contextAt()));
    act(state, completeTask(state, completion(state, 'eia'), contextAt()));
    act(state, completeTask(state, completion(state, 'construction_permit'), contextAt()));
    const note = '开工仪式'.repeat(60);
    const cmd = completion(state, 'construction_start', { data: { started_on: '2026-03-20', note } });
    const decision = completeTask(state, cmd, contextAt());
    expect(decision.record.data.data).toEqual({ started_on: '2026-03-20', note });
    const reply = act(state, decision);
    expect(reply.data).toEqual({ started_on: '2026-03-20', note });
    const kept = task(state, 'construction_start').data!.note as string;
    expect(Array.from(kept)).toHaveLength(EXCERPT_CHARS);
    expect(kept.endsWith('…')).toBe(true);
  });

  it('refuses a task the project does not have, or one that is not open', () => {
    const state = registered();
    expectRefusal(state, () => completeTask(state, completion(state, 'registration', { taskKey: 'fire_safety' }), contextAt()), ErrorType.NotFound, 'taskKey');
    // Pending: its dependency (land) is not done.
    expectRefusal(state, () => completeTask(state, completion(state, 'project_filing'), contextAt()), ErrorType.TaskNotOpen, 'taskKey');
    complete(state, 'registration');
    const refusal = expectRefusal(state, () => completeTask(state, completion(state, 'registration'), contextAt()), ErrorType.TaskNotOpen, 'taskKey');
    expect(refusal.details[0]!.reason).toBe('the task is done');
  });

  it('refuses another department, a user without one, and a user of another city', () => {
    const state = registered();
    expectRefusal(state, () => completeTask(state, completion(state, 'registration', { actor: staff('commerce') }), contextAt()), ErrorType.WrongDepartment, 'actor.department');
    expectRefusal(state, () => completeTask(state, completion(state, 'registration', { actor: coordinator }), contextAt()), ErrorType.WrongDepartment, 'actor.department');
    expectRefusal(
      state,
      () => completeTask(state, completion(state, 'registration', { actor: { ...staff('market_regulation'), city: '大连' } }), contextAt()),
      ErrorType.WrongCity,
      'actor.city',
    );
    // The city is checked first: a user of another city learns nothing about the tasks.
    expectRefusal(state, () => completeTask(state, completion(state, 'registration', { taskKey: 'fire_safety', actor: dalian }), contextAt()), ErrorType.WrongCity, 'actor.city');
  });

  it('refuses bad form data, naming every field at fault', () => {
    const state = registered();
    const refuseData = (key: string, data: Record<string, unknown>, ...fields: string[]) =>
      expectRefusal(state, () => completeTask(state, completion(state, key, { data }), contextAt()), ErrorType.InvalidInput, ...fields);
    refuseData('registration', {}, 'data.credit_code', 'data.registered_on');
    refuseData('registration', { credit_code: '91210100MA0Y8XQ21K', registered_on: '2026-02-30' }, 'data.registered_on');
    refuseData('registration', { credit_code: '91210100MA0Y8XQ21K', registered_on: '2026-03-05', colour: 'red' }, 'data.colour');
    refuseData('registration', { credit_code: 'a\u0000b', registered_on: '2026-03-05' }, 'data.credit_code');
    refuseData('registration', { credit_code: '91210100MA0Y8XQ21K', registered_on: '2026-03-05', registered_capital: { amountMinor: 12.5, currency: 'CNY' } }, 'data.registered_capital');
    refuseData('registration', { credit_code: '91210100MA0Y8XQ21K', registered_on: '2026-03-05', registered_capital: { amountMinor: '100', currency: 'EUR' } }, 'data.registered_capital');
    refuseData('land', { parcel: 'P-1', area_mu: 'many', land_payment: { amountMinor: '100', currency: 'CNY' }, payment_voucher: 'PV 0311' }, 'data.area_mu', 'data.payment_voucher');
    complete(state, 'land');
    refuseData('project_filing', { procedure: 'guess', code: '沈发改备〔2026〕12号' }, 'data.procedure');
  });

  it('finds no open task in a withdrawn project', () => {
    const state = registered();
    act(state, withdraw(state, { requestId: rid(), reason: '企业投资计划取消', actor: coordinator }, contextAt()));
    expectRefusal(state, () => completeTask(state, completion(state, 'registration'), contextAt()), ErrorType.TaskNotOpen, 'taskKey');
  });
});

describe('escalation', () => {
  const registrationDue = daysAfter(STARTED_AT, 10);

  it('does nothing before a task is due', () => {
    const state = registered();
    expect(escalation(state, NOW)).toBeNull();
    expect(escalation(state, daysAfter(registrationDue, -0.001))).toBeNull();
  });

  it('reminds the department and the liaison at the due date', () => {
    const state = registered();
    const decision = escalation(state, registrationDue)!;
    const payload = {
      project: '沈阳新松机器人产业园',
      taskKey: 'registration',
      title: { zh: '企业注册登记', en: 'Company registered' },
      department: 'market_regulation',
      rung: 1,
      dueAt: registrationDue,
      liaison: 'liaison.chen',
    };
    expect(decision.changes).toEqual([{ type: 'taskEscalated', key: 'registration', rung: 1 }]);
    expect(decision.record).toEqual({ kind: 'task.escalated', actor: 'system', data: payload });
    expect(decision.notifications).toEqual(
      ['department', 'liaison'].map((audience) => ({
        dedupeKey: `${CODE}/task/registration/rung/1/${audience}`,
        projectCode: CODE,
        kind: 'escalation',
        audience,
        city: '沈阳',
        department: 'market_regulation',
        payload,
        requestedAt: registrationDue,
      })),
    );
    act(state, decision, registrationDue);
    expect(task(state, 'registration').rung).toBe(1);
    expect(state.stuck.stuck).toBe(false);
    expect(escalation(state, registrationDue)).toBeNull();
  });

  it('climbs one rung per call when several are due, each to its audiences, and stops at the last', () => {
    const state = registered();
    const late = daysAfter(STARTED_AT, 26);
    const climbed: number[] = [];
    for (let next = escalation(state, late); next; next = escalation(state, late)) {
      const rung = climbed.length + 1;
      expect(next.changes).toEqual([{ type: 'taskEscalated', key: 'registration', rung }]);
      expect(next.notifications!.map((n) => n.audience)).toEqual(rungAudiences(rung));
      expect(new Set(next.notifications!.map((n) => n.dedupeKey)).size).toBe(rungAudiences(rung).length);
      act(state, next, late);
      climbed.push(task(state, 'registration').rung);
      if (rung === 1) expect(state.stuck.reasons).toEqual([]);
      if (rung === 2) expect(state.stuck).toEqual({ stuck: true, reasons: ['escalated'], since: late });
    }
    expect(climbed).toEqual([1, 2, 3, 4]);
    expect(rungAudiences(3)).toEqual(['city_leader']);
    expect(rungAudiences(4)).toEqual(['provincial_group']);
    // Land is not due yet (30 working days).
    expect(task(state, 'land').rung).toBe(0);
  });

  it('names a confidential project by its codename', () => {
    const state = registered({ codename: '项目甲' });
    const decision = escalation(state, registrationDue)!;
    expect(decision.record.data.project).toBe('项目甲');
    expect(decision.notifications!.every((n) => n.payload.project === '项目甲')).toBe(true);
  });

  it('stops for a task once it is done, and for tasks cancelled with the project', () => {
    const done = registered();
    act(done, escalation(done, registrationDue)!, registrationDue);
    complete(done, 'registration', registrationDue);
    expect(escalation(done, daysAfter(STARTED_AT, 26))).toBeNull();
    expect(done.stuck.stuck).toBe(false);

    const withdrawn = registered();
    act(withdrawn, withdraw(withdrawn, { requestId: rid(), reason: '企业投资计划取消', actor: coordinator }, contextAt()));
    expect(escalation(withdrawn, daysAfter(STARTED_AT, 100))).toBeNull();
  });

  it('wakes the workflow at the next rung or the idle deadline, whichever comes first', () => {
    const state = registered();
    expect(nextWakeAt(state)).toBe(Date.parse(registrationDue));
    act(state, escalation(state, registrationDue)!, registrationDue);
    expect(nextWakeAt(state)).toBe(Date.parse(daysAfter(STARTED_AT, 13)));
    complete(state, 'registration', registrationDue);
    // Land (due after 30 working days from the start) now competes with idle (30 from the completion).
    expect(nextWakeAt(state)).toBe(Date.parse(daysAfter(STARTED_AT, 30)));
  });
});

describe('idleNotice', () => {
  it('notices once, when the project has just become idle', () => {
    const state = registered();
    const idleAt = daysAfter(STARTED_AT, 30);
    expect(state.idleAt).toBe(idleAt);
    expect(idleNotice(state, daysAfter(STARTED_AT, 29))).toBeNull();

    const decision = idleNotice(state, idleAt)!;
    expect(decision.changes).toEqual([]);
    expect(decision.record).toEqual({ kind: 'stuck.changed', actor: 'system', data: { idleSince: idleAt, lastProgressAt: STARTED_AT } });
    expect(decision.notifications).toBeUndefined();
    act(state, decision, idleAt);
    expect(state.stuck).toEqual({ stuck: true, reasons: ['idle'], since: idleAt });
    expect(idleNotice(state, daysAfter(idleAt, 5))).toBeNull();
  });

  it('starts again after progress: a task done restarts the clock and clears idle', () => {
    const state = registered();
    const idleAt = daysAfter(STARTED_AT, 30);
    act(state, idleNotice(state, idleAt)!, idleAt);
    const later = daysAfter(idleAt, 2);
    act(state, completeTask(state, completion(state, 'registration'), contextAt(later)), later);
    expect(state.stuck.stuck).toBe(false);
    expect(state.idleAt).toBe(daysAfter(later, 30));
    expect(idleNotice(state, daysAfter(later, 29))).toBeNull();
    expect(idleNotice(state, daysAfter(later, 30))).not.toBeNull();
  });

  it('never notices a project before signing or once it operates', () => {
    const intention = registered({ stage: 'intention' });
    expect(idleNotice(intention, daysAfter(STARTED_AT, 400))).toBeNull();
    expect(stuckReasons(intention, Date.parse(daysAfter(STARTED_AT, 400)))).toEqual([]);
  });

  it('counts an open blocker as stuck too, alongside idle', () => {
    const state = registered();
    act(state, reportBlocker(state, { requestId: rid(), category: 'land', description: '地块未完成征收', actor: coordinator }, contextAt()));
    expect(state.stuck).toEqual({ stuck: true, reasons: ['blocker'], since: NOW });
    const idleAt = daysAfter(STARTED_AT, 30);
    act(state, idleNotice(state, idleAt)!, idleAt);
    // Stuck since the first reason, not the second.
    expect(state.stuck).toEqual({ stuck: true, reasons: ['blocker', 'idle'], since: NOW });
  });
});

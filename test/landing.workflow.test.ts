import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addTemplateVersion } from '../db/templates.js';
import { advanceStage, completeTask, getState, markMerged, reassignLiaison, reportBlocker, resolveBlocker, withdraw, type Actor, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { EscalationRungAttr, OverdueTasksAttr, ProjectStuckAttr, StuckReasonsAttr } from '../workflows/search-attributes.js';
import type { Department } from '../workflows/reference.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

/** One working day lasts this long for this file's worker. */
const DAY_MS = 500;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle(), { workingDayMs: DAY_MS });
  // A one-task template whose ladder climbs one rung per working day.
  await addTemplateVersion(
    stack.db,
    {
      projectType: 'ladder_test',
      name: { zh: '督办测试', en: 'Ladder test' },
      escalationWorkingDays: [0, 1, 2, 3],
      idleWorkingDays: 200,
      tasks: [
        { key: 'permit', department: 'housing_construction', title: { zh: '施工许可', en: 'Permit' }, dependsOn: [], dueWorkingDays: 1, fields: [] },
        { key: 'start', department: 'commerce', title: { zh: '开工', en: 'Start' }, dependsOn: ['permit'], dueWorkingDays: 100, fields: [] },
      ],
    },
    'admin.test',
  );
  // The same with a wide gap after rung 2, so that a test can complete the task in between.
  await addTemplateVersion(
    stack.db,
    {
      projectType: 'ladder_gap_test',
      name: { zh: '督办间隔测试', en: 'Ladder gap test' },
      escalationWorkingDays: [0, 1, 6, 12],
      idleWorkingDays: 200,
      tasks: [{ key: 'permit', department: 'housing_construction', title: { zh: '施工许可', en: 'Permit' }, dependsOn: [], dueWorkingDays: 1, fields: [] }],
    },
    'admin.test',
  );
  await addTemplateVersion(
    stack.db,
    {
      projectType: 'idle_test',
      name: { zh: '无进展测试', en: 'Idle test' },
      escalationWorkingDays: [0],
      idleWorkingDays: 3,
      tasks: [
        { key: 'a', department: 'commerce', title: { zh: '甲', en: 'A' }, dependsOn: [], dueWorkingDays: 200, fields: [] },
        { key: 'b', department: 'commerce', title: { zh: '乙', en: 'B' }, dependsOn: ['a'], dueWorkingDays: 200, fields: [] },
      ],
    },
    'admin.test',
  );
});
afterAll(async () => {
  await stack?.close();
});

const staff = (department: Department, city: Actor['city'] = '沈阳'): Actor => ({ id: `staff.${department}`, department, city });
const coordinator: Actor = { id: 'coordinator.zhang', department: null, city: '沈阳' };
let requests = 0;
const rid = () => `req-${Date.now()}-${++requests}`;

async function start(over: Partial<Parameters<ProjectLandingWorkflow>[0]> = {}): Promise<WorkflowHandle<ProjectLandingWorkflow>> {
  const code = newCode();
  return stack.client.workflow.start<ProjectLandingWorkflow>('projectLanding', {
    workflowId: code,
    taskQueue: stack.taskQueue,
    args: [
      {
        code,
        name: '沈阳新松机器人产业园',
        codename: null,
        city: '沈阳',
        investor: '新松机器人',
        capitalType: 'domestic',
        outOfProvince: false,
        stage: 'signed',
        projectType: 'industrial',
        liaison: 'liaison.wang',
        actor: 'coordinator.zhang',
        ...over,
      },
    ],
  });
}

async function rejection(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => {
      throw new Error('the update was accepted');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

const validData = {
  registration: { credit_code: '91210100MA0XXXXX1K', registered_on: '2018-06-01' },
  land: { parcel: 'SY-2018-017', area_mu: 120, land_payment: { amountMinor: '1200000000', currency: 'CNY' }, payment_voucher: 'JS-2018-0601-77' },
  project_filing: { procedure: 'filing', code: '沈发改备〔2018〕12号' },
  eia: { category: 'form', approval_number: '沈环审〔2018〕33号' },
  construction_permit: { permit_number: '210100201806010101', issued_on: '2018-07-01' },
  construction_start: { started_on: '2018-07-15' },
} as const;

const DEPARTMENT_OF: Record<keyof typeof validData, Department> = {
  registration: 'market_regulation',
  land: 'natural_resources',
  project_filing: 'development_reform',
  eia: 'ecology_environment',
  construction_permit: 'housing_construction',
  construction_start: 'commerce',
};

function complete(handle: WorkflowHandle, taskKey: keyof typeof validData, requestId = rid()) {
  return handle.executeUpdate(completeTask, {
    args: [{ requestId, taskKey, actor: staff(DEPARTMENT_OF[taskKey]), data: { ...validData[taskKey] } }],
  });
}

const openTasks = (s: { tasks: { key: string; status: string }[] }) => s.tasks.filter((t) => t.status === 'open').map((t) => t.key).sort();

describe('the landing journey', () => {
  test('intention → operating through every milestone, in dependency order', async () => {
    const handle = await start({ stage: 'intention' });
    await handle.executeUpdate(advanceStage, { args: [{ to: 'negotiating', actor: 'coordinator.zhang', reason: '项目锁定' }] });
    const signed = await handle.executeUpdate(advanceStage, { args: [{ to: 'signed', actor: 'coordinator.zhang', reason: '集中签约' }] });
    expect(signed.stage).toBe('landing');
    expect(signed.template).toMatchObject({ projectType: 'industrial', version: 1 });
    expect(openTasks(signed)).toEqual(['land', 'registration']);

    // Approvals wait for the land: completing one early is refused.
    const early = await rejection(complete(handle, 'eia'));
    expect(early.type).toBe('TaskNotOpen');

    await complete(handle, 'registration');
    const afterLand = await complete(handle, 'land');
    expect(afterLand.status).toBe('done');
    expect(openTasks(await handle.query(getState))).toEqual(['construction_permit', 'eia', 'project_filing']);

    const tooSoon = await rejection(complete(handle, 'construction_start'));
    expect(tooSoon.type).toBe('TaskNotOpen');
    await complete(handle, 'project_filing');
    await complete(handle, 'eia');
    await complete(handle, 'construction_permit');
    expect(openTasks(await handle.query(getState))).toEqual(['construction_start']);
    await complete(handle, 'construction_start');

    const landed = await handle.query(getState);
    expect(landed.stage).toBe('funds');
    expect(landed.tasks.every((t) => t.status === 'done')).toBe(true);
    expect(landed.tasks.find((t) => t.key === 'land')).toMatchObject({ completedBy: 'staff.natural_resources', data: validData.land });

    await handle.executeUpdate(advanceStage, { args: [{ to: 'operating', actor: 'coordinator.zhang', reason: '投产' }] });
    const result = await handle.result();
    expect(result.stage).toBe('operating');
    expect(result.transitions.map((t) => [t.from, t.to, t.actor])).toEqual([
      [null, 'intention', 'coordinator.zhang'],
      ['intention', 'negotiating', 'coordinator.zhang'],
      ['negotiating', 'signed', 'coordinator.zhang'],
      ['signed', 'landing', 'system'],
      ['landing', 'funds', 'system'],
      ['funds', 'operating', 'coordinator.zhang'],
    ]);

    // Every change reached PostgreSQL.
    const code = handle.workflowId;
    const row = await eventually(async () => {
      const r = await stack.db.selectFrom('projects').selectAll().where('code', '=', code).executeTakeFirst();
      return r?.stage === 'operating' ? r : undefined;
    });
    expect(row.version).toBe(result.version);
    const tasks = await stack.db.selectFrom('tasks').selectAll().where('project_code', '=', code).execute();
    expect(tasks).toHaveLength(6);
    expect(tasks.every((t) => t.status === 'done' && t.completed_by !== null)).toBe(true);
    const audit = await stack.db.selectFrom('audit_log').select(['version', 'kind']).where('project_code', '=', code).orderBy('version').execute();
    expect(audit.map((a) => a.version)).toEqual(Array.from({ length: result.version }, (_, i) => i + 1));
    expect(audit.filter((a) => a.kind === 'task.completed')).toHaveLength(6);
  });

  test('a task opened on signing gets a due date and a ladder of working-day deadlines', async () => {
    const handle = await start();
    const state = await eventually(async () => {
      const s = await handle.query(getState);
      return s.tasks.some((t) => t.status === 'open') ? s : undefined;
    });
    const registration = state.tasks.find((t) => t.key === 'registration')!;
    const opened = Date.parse(registration.openedAt!);
    // registration: due in 10 working days; rungs at +0, +3, +7, +15.
    expect(registration.rungAt.map((at) => Math.round((Date.parse(at) - opened) / DAY_MS))).toEqual([10, 13, 17, 25]);
    expect(registration.dueAt).toBe(registration.rungAt[0]);
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });
});

describe('department tasks', () => {
  test('only the owning department in the project city completes a task, with valid form data; a refusal writes nothing', async () => {
    const handle = await start();
    await eventually(async () => ((await handle.query(getState)).tasks.some((t) => t.status === 'open') ? true : undefined));
    const versionBefore = (await handle.query(getState)).version;
    const data = { ...validData.land };

    const wrongDept = await rejection(handle.executeUpdate(completeTask, { args: [{ requestId: rid(), taskKey: 'land', actor: staff('commerce'), data }] }));
    expect(wrongDept.type).toBe('WrongDepartment');
    expect(wrongDept.details).toEqual([{ field: 'actor.department', reason: expect.stringContaining('natural_resources') }]);

    const wrongCity = await rejection(
      handle.executeUpdate(completeTask, { args: [{ requestId: rid(), taskKey: 'land', actor: staff('natural_resources', '大连'), data }] }),
    );
    expect(wrongCity.type).toBe('WrongCity');

    const badForm = await rejection(
      handle.executeUpdate(completeTask, {
        args: [
          {
            requestId: rid(),
            taskKey: 'land',
            actor: staff('natural_resources'),
            data: { parcel: '', area_mu: 'big', land_payment: { amountMinor: '12.5', currency: 'CNY' }, payment_voucher: 'V1', colour: 'red' },
          },
        ],
      }),
    );
    expect(badForm.type).toBe('InvalidInput');
    expect((badForm.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['data.area_mu', 'data.colour', 'data.land_payment', 'data.parcel']);

    const accepted = (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(0);
    expect((await handle.query(getState)).version).toBe(versionBefore);
    expect((await handle.query(getState)).tasks.find((t) => t.key === 'land')?.status).toBe('open');
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });

  test('the same request id applied twice changes nothing the second time', async () => {
    const handle = await start();
    await eventually(async () => ((await handle.query(getState)).tasks.some((t) => t.status === 'open') ? true : undefined));
    const requestId = rid();
    const first = await complete(handle, 'registration', requestId);
    const versionAfterFirst = (await handle.query(getState)).version;
    // A new update id (as a retry from another API instance would carry) with the same request id.
    const second = await complete(handle, 'registration', requestId);
    expect(second).toEqual(first);
    expect((await handle.query(getState)).version).toBe(versionAfterFirst);

    const blockerRequest = rid();
    const b1 = await handle.executeUpdate(reportBlocker, { args: [{ requestId: blockerRequest, category: 'land', description: '征地未完成', actor: coordinator }] });
    const b2 = await handle.executeUpdate(reportBlocker, { args: [{ requestId: blockerRequest, category: 'land', description: '征地未完成', actor: coordinator }] });
    expect(b2).toEqual(b1);
    expect((await handle.query(getState)).blockers).toHaveLength(1);
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });
});

describe('escalation ladder', () => {
  test('an overdue task climbs every rung, each recorded and notified; the project is stuck from rung 2', async () => {
    const handle = await start({ projectType: 'ladder_test' });
    const code = handle.workflowId;
    const top = await eventually(async () => {
      const s = await handle.query(getState);
      return s.tasks.find((t) => t.key === 'permit')?.rung === 4 ? s : undefined;
    }, 20_000);
    expect(top.stuck).toMatchObject({ stuck: true, reasons: ['escalated'] });

    // The state shows a rung as soon as it is reached; its records follow from the rung's activities.
    const escalations = await eventually(async () => {
      const rows = await stack.db.selectFrom('escalations').select(['rung', 'department']).where('project_code', '=', code).orderBy('rung').execute();
      return rows.length === 4 ? rows : undefined;
    });
    expect(escalations).toEqual([1, 2, 3, 4].map((rung) => ({ rung, department: 'housing_construction' })));
    const notices = await eventually(async () => {
      const rows = await stack.db.selectFrom('notification_requests').select(['dedupe_key', 'audience']).where('project_code', '=', code).orderBy('id').execute();
      return rows.length === 6 ? rows : undefined;
    });
    expect(notices.map((n) => n.audience)).toEqual(['department', 'liaison', 'department_head', 'city_bureau', 'city_leader', 'provincial_group']);
    expect(notices[0]?.dedupe_key).toBe(`${code}/task/permit/rung/1/department`);

    const description = await eventually(async () => {
      const d = await handle.describe();
      return d.typedSearchAttributes.get(EscalationRungAttr) === 4 ? d : undefined;
    });
    expect(description.typedSearchAttributes.get(ProjectStuckAttr)).toBe(true);
    expect(description.typedSearchAttributes.get(OverdueTasksAttr)).toBe(1);
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('施工许可');
    expect(metadata.currentDetails).toContain('Stuck');

    // Completing the task stops its ladder and clears the stuck flag.
    await handle.executeUpdate(completeTask, { args: [{ requestId: rid(), taskKey: 'permit', actor: staff('housing_construction'), data: {} }] });
    const after = await handle.query(getState);
    expect(after.stuck.stuck).toBe(false);
    expect(after.tasks.find((t) => t.key === 'permit')?.rung).toBe(4);
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });

  test('completing a task stops its ladder: no rung after completion', async () => {
    const handle = await start({ projectType: 'ladder_gap_test' });
    const code = handle.workflowId;
    await eventually(async () => ((await handle.query(getState)).tasks.find((t) => t.key === 'permit')?.rung === 2 ? true : undefined), 20_000);
    const done = await handle.executeUpdate(completeTask, { args: [{ requestId: rid(), taskKey: 'permit', actor: staff('housing_construction'), data: {} }] });
    expect(done).toMatchObject({ status: 'done', rung: 2 });
    // Wait past when rung 3 would have fired (6 working days after the due date).
    const rung3At = Date.parse(done.rungAt[2]!);
    await new Promise((r) => setTimeout(r, Math.max(0, rung3At - Date.now()) + 2 * DAY_MS));
    const state = await handle.query(getState);
    expect(state.tasks.find((t) => t.key === 'permit')).toMatchObject({ status: 'done', rung: 2 });
    const rungs = await stack.db.selectFrom('escalations').select('rung').where('project_code', '=', code).where('task_key', '=', 'permit').execute();
    expect(rungs.map((r) => r.rung).sort()).toEqual([1, 2]);
    expect(state.stuck.stuck).toBe(false);
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });
});

describe('stuck projects', () => {
  test('an open blocker makes the project stuck, found by a supervisor query; resolving it clears that', async () => {
    const handle = await start();
    const code = handle.workflowId;
    await eventually(async () => ((await handle.query(getState)).tasks.some((t) => t.status === 'open') ? true : undefined));
    const blocker = await handle.executeUpdate(reportBlocker, {
      args: [{ requestId: rid(), category: 'land', description: '土地指标不足', actor: coordinator }],
    });
    expect(blocker).toMatchObject({ id: 'B1', category: 'land', reportedBy: 'coordinator.zhang', resolvedAt: null });

    const stuckQuery = `ProjectStuck = true AND ProjectCity = "沈阳" AND WorkflowId = "${code}"`;
    const found = await eventually(async () => {
      for await (const wf of stack.client.workflow.list({ query: stuckQuery })) return wf;
      return undefined;
    });
    expect(found.typedSearchAttributes.get(StuckReasonsAttr)).toEqual(['blocker']);
    const notice = await stack.db.selectFrom('notification_requests').selectAll().where('project_code', '=', code).executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ kind: 'blocker', audience: 'coordination', dedupe_key: `${code}/blocker/B1/coordination` });
    expect(await stack.db.selectFrom('projects').select(['stuck', 'stuck_reasons']).where('code', '=', code).executeTakeFirst()).toEqual({
      stuck: true,
      stuck_reasons: ['blocker'],
    });

    await handle.executeUpdate(resolveBlocker, { args: [{ requestId: rid(), blockerId: 'B1', resolution: '已调剂指标', actor: coordinator }] });
    const cleared = await eventually(async () => {
      for await (const wf of stack.client.workflow.list({ query: `ProjectStuck = false AND WorkflowId = "${code}"` })) return wf;
      return undefined;
    });
    expect(cleared.workflowId).toBe(code);
    expect((await handle.query(getState)).stuck).toEqual({ stuck: false, reasons: [], since: null });
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });

  test('no progress for N working days makes the project stuck; a milestone done clears it', async () => {
    const handle = await start({ projectType: 'idle_test' });
    const idle = await eventually(async () => {
      const s = await handle.query(getState);
      return s.stuck.reasons.includes('idle') ? s : undefined;
    }, 15_000);
    expect(idle.stuck.stuck).toBe(true);
    await handle.executeUpdate(completeTask, { args: [{ requestId: rid(), taskKey: 'a', actor: staff('commerce'), data: {} }] });
    const moving = await handle.query(getState);
    expect(moving.stuck.stuck).toBe(false);
    expect(Date.parse(moving.idleAt!)).toBeGreaterThan(Date.parse(idle.idleAt!));
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });
});

describe('closing and handing over', () => {
  test('withdrawal cancels open tasks, records the reason and completes the workflow', async () => {
    const handle = await start();
    await eventually(async () => ((await handle.query(getState)).tasks.some((t) => t.status === 'open') ? true : undefined));
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: '企业战略调整，终止投资', actor: coordinator }] });
    const result = await handle.result();
    expect(result.stage).toBe('withdrawn');
    expect(result.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(result.transitions.at(-1)).toMatchObject({ to: 'withdrawn', actor: 'coordinator.zhang', reason: '企业战略调整，终止投资' });
    const row = await eventually(async () => {
      const r = await stack.db.selectFrom('projects').select('stage').where('code', '=', handle.workflowId).executeTakeFirst();
      return r?.stage === 'withdrawn' ? r : undefined;
    });
    expect(row.stage).toBe('withdrawn');
  });

  test('a duplicate is marked merged into the other project', async () => {
    const handle = await start();
    const merged = await handle.executeUpdate(markMerged, { args: [{ requestId: rid(), into: 'LN-2018-SY-0001', actor: coordinator }] });
    expect(merged.stage).toBe('merged');
    expect((await handle.result()).transitions.at(-1)).toMatchObject({ to: 'merged', reason: 'duplicate of LN-2018-SY-0001' });
  });

  test('the liaison is reassigned and the change is audited', async () => {
    const handle = await start();
    const state = await handle.executeUpdate(reassignLiaison, { args: [{ requestId: rid(), liaison: 'liaison.li', reason: '工作调整', actor: coordinator }] });
    expect(state.liaison).toBe('liaison.li');
    const audit = await eventually(async () =>
      stack.db.selectFrom('audit_log').selectAll().where('project_code', '=', handle.workflowId).where('kind', '=', 'liaison.reassigned').executeTakeFirst(),
    );
    expect(audit.data).toMatchObject({ from: 'liaison.wang', to: 'liaison.li', reason: '工作调整' });
    await handle.executeUpdate(withdraw, { args: [{ requestId: rid(), reason: 'test done', actor: coordinator }] });
  });
});

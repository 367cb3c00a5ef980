import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { completeTask, getState, reassignLiaison, reportBlocker, withdraw, type Actor, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';
import { ownTemporal, type OwnTemporal } from './temporal-target.js';

/** A server of its own that suggests continue-as-new after 40 events, so a project continues within a test. */
let server: OwnTemporal;
let stack: Stack;
beforeAll(async () => {
  server = await ownTemporal({ target: inject('temporalTarget'), cliPath: inject('temporalCliPath'), dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  await server.start();
  stack = await startStack(await bundle(), { address: server.address });
});
afterAll(async () => {
  await stack?.close();
  await server?.dispose();
});

const coordinator: Actor = { id: 'coordinator.zhang', department: null, city: '沈阳' };

test('a long-lived project continues as new with its whole state', async () => {
  const code = newCode();
  const handle = await stack.client.workflow.start<ProjectLandingWorkflow>('projectLanding', {
    workflowId: code,
    taskQueue: stack.taskQueue,
    args: [{ code, name: '沈阳机器人产业园', codename: null, city: '沈阳', investor: '新松', capitalType: 'domestic', outOfProvince: false, stage: 'signed', projectType: 'industrial', liaison: 'liaison.0', actor: 'coordinator.zhang' }],
  });
  const firstRunId = handle.firstExecutionRunId;
  await eventually(async () => ((await handle.query(getState)).tasks.some((t) => t.status === 'open') ? true : undefined));
  await handle.executeUpdate(completeTask, {
    args: [{ requestId: 'registration-1', taskKey: 'registration', actor: { id: 'staff.mr', department: 'market_regulation', city: '沈阳' }, data: { credit_code: '91210100MA0XXXXX1K', registered_on: '2018-06-01' } }],
  });
  await handle.executeUpdate(reportBlocker, { args: [{ requestId: 'blocker-1', category: 'financing', description: '融资未到位', actor: coordinator }] });
  const before = await handle.query(getState);

  // Each update adds events; past 40 the server suggests continue-as-new.
  let n = 0;
  const continued = await eventually(async () => {
    n += 1;
    await handle.executeUpdate(reassignLiaison, { args: [{ requestId: `liaison-${n}`, liaison: `liaison.${n}`, reason: null, actor: coordinator }] });
    const d = await stack.client.workflow.getHandle(code).describe();
    return d.runId !== firstRunId ? d : undefined;
  }, 30_000);
  expect(continued.status.name).toBe('RUNNING');

  const after = await stack.client.workflow.getHandle(code).query(getState);
  expect(after.liaison).toBe(`liaison.${n}`);
  expect(after.version).toBe(before.version + n);
  expect(after.transitions).toEqual(before.transitions);
  expect(after.tasks.map(({ key, status, rungAt, dueAt }) => ({ key, status, rungAt, dueAt }))).toEqual(
    before.tasks.map(({ key, status, rungAt, dueAt }) => ({ key, status, rungAt, dueAt })),
  );
  expect(after.blockers).toEqual(before.blockers);
  expect(after.stuck).toEqual(before.stuck);

  // Requests applied before continuing are still recognised: a retry changes nothing.
  const current = stack.client.workflow.getHandle(code);
  await current.executeUpdate(completeTask, {
    args: [{ requestId: 'registration-1', taskKey: 'registration', actor: { id: 'staff.mr', department: 'market_regulation', city: '沈阳' }, data: {} }],
  });
  expect((await current.query(getState)).version).toBe(after.version);

  // And the continued run goes on working.
  const land = await current.executeUpdate(completeTask, {
    args: [{ requestId: 'land-1', taskKey: 'land', actor: { id: 'staff.nr', department: 'natural_resources', city: '沈阳' }, data: { parcel: 'P-1', land_payment: { amountMinor: '100', currency: 'CNY' }, payment_voucher: 'V-1' } }],
  });
  expect(land.status).toBe('done');
  expect((await current.query(getState)).tasks.filter((t) => t.status === 'open').map((t) => t.key).sort()).toEqual(['construction_permit', 'eia', 'project_filing']);
  await current.executeUpdate(withdraw, { args: [{ requestId: 'w-1', reason: 'test done', actor: coordinator }] });
});

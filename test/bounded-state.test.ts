import { afterAll, beforeAll, expect, test } from 'vitest';
import { getState, recordFunds, reportBlocker, type Actor } from '../workflows/messages.js';
import { EXCERPT_CHARS, STATE_CAPS } from '../workflows/project-state.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

/**
 * A project that gathers 1,000 blockers and 1,000 funds entries keeps a bounded state: it still
 * answers updates at once, its state stays far below Temporal's 2 MB payload limit, and it
 * continues as new within Temporal's history and update limits. PostgreSQL keeps every text whole.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

const EACH = 1_000;
/** Temporal allows 10 updates in flight per workflow. */
const IN_FLIGHT = 8;
// In 辽阳 (no other test file uses it), so that its 1,000 unverified entries do not crowd other files' 沈阳 queues.
const coordinator: Actor = { id: 'coordinator.bulk', department: null, city: null };

async function inParallel(count: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

test('1,000 blockers and 1,000 funds entries: updates still answered, state bounded, continue-as-new within limits', async () => {
  const code = newCode();
  const created = await stack.api('/api/projects', {
    body: { code, name: '海量瓶颈项目', city: '辽阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', contracted: { amountMinor: '100000000000', currency: 'CNY' } },
  });
  expect(created.status).toBe(201);
  const handle = stack.client.workflow.getHandle(code);
  const firstRunId = (await handle.describe()).runId;
  const longText = (i: number) => `${i}：${'征地拆迁补偿标准未定，'.repeat(180)}`.slice(0, 2000);

  await inParallel(EACH, (i) => handle.executeUpdate(reportBlocker, { args: [{ requestId: `b-${i}`, category: 'land', description: longText(i), actor: coordinator }], updateId: `b-${i}` }));
  await inParallel(EACH, (i) =>
    handle.executeUpdate(recordFunds, {
      args: [{ requestId: `f-${i}`, amountMinor: String(1000 + i), currency: 'CNY', receivedOn: '2018-07-10', evidence: `HD-${i}-${'0'.repeat(180)}`, actor: coordinator }],
      updateId: `f-${i}`,
    }),
  );

  // Still answers at once; past the documented cap, a further blocker is refused and says why.
  const started = Date.now();
  const liaison = await stack.api(`/api/projects/${code}/liaison`, { body: { liaison: 'liaison.new' } });
  expect(liaison.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(5_000);
  const beyond = await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'approvals', description: '再一个' } });
  expect(beyond.status).toBe(409);
  expect(beyond.body.errors).toEqual([{ field: 'blockers', reason: `at most ${STATE_CAPS.blockers} per project` }]);

  const state = await handle.query(getState);
  expect(state.blockers).toHaveLength(EACH);
  expect(state.funds).toHaveLength(EACH);
  expect(state.blockers[0]!.description.length).toBeLessThanOrEqual(EXCERPT_CHARS);
  const bytes = Buffer.byteLength(JSON.stringify(state));
  expect(bytes).toBeLessThan(1_000_000);

  // Continued as new, and the current run is within the history limits.
  const d = await handle.describe();
  expect(d.runId).not.toBe(firstRunId);
  expect(d.historyLength).toBeLessThan(10_240);
  expect(d.raw.pendingActivities ?? []).toHaveLength(0);

  // PostgreSQL has every record once, with the whole text; the API shows it whole.
  const blockers = await eventually(async () => {
    const rows = await stack.db.selectFrom('blockers').select(['blocker_id', 'description']).where('project_code', '=', code).execute();
    return rows.length === EACH ? rows : undefined;
  }, 30_000);
  expect(blockers.filter((b) => b.description === longText(0))).toHaveLength(1);
  const entries = await stack.db.selectFrom('funds_entries').select((eb) => eb.fn.countAll<string>().as('n')).where('project_code', '=', code).executeTakeFirstOrThrow();
  expect(Number(entries.n)).toBe(EACH);
  const view = await stack.api(`/api/projects/${code}`);
  expect(view.body.blockers.filter((b: { description: string }) => b.description === longText(0))).toHaveLength(1);
}, 300_000);

import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { classify, DATA_ERROR } from '../activities/errors.js';
import { getState, PROJECT_WORKFLOW } from '../workflows/messages.js';
import { type ProjectInput } from '../workflows/state.js';
import { setPassword } from '../db/users.js';
import { bundle, eventually, newCode, signInPages, startStack, type Stack } from './stack.js';

/**
 * A write that fails for good (a data error) ends: it is not retried, the project becomes stuck
 * with reason system and keeps answering, and an admin re-projects it once the cause is fixed.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

async function signedProject(): Promise<string> {
  const code = newCode();
  const res = await stack.api('/api/projects', { body: { code, name: '故障演练项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed' } });
  expect(res.status).toBe(201);
  return code;
}

async function pendingActivities(code: string): Promise<number> {
  const d = await stack.client.workflow.getHandle(code).describe();
  return d.raw.pendingActivities?.length ?? 0;
}

describe('activities classify their errors', () => {
  test.each(['22021', '22P05', '22008', '23505', '23514'])('SQLSTATE %s is a non-retryable data error', (code) => {
    const err = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code });
    expect(() => classify(err)).toThrow(ApplicationFailure);
    try {
      classify(err);
    } catch (e) {
      expect((e as ApplicationFailure).nonRetryable).toBe(true);
      expect((e as ApplicationFailure).type).toBe(DATA_ERROR);
    }
  });

  test.each([['57P01'], ['40001'], ['40P01'], ['53300'], ['08006'], ['ECONNRESET'], ['ECONNREFUSED']])('%s is transient and retried', (code) => {
    const err = Object.assign(new Error('terminating connection'), { code });
    expect(() => classify(err)).toThrow(err);
  });

  test('a connection lost without a code is transient; a bug is not', () => {
    const lost = new Error('Connection terminated unexpectedly');
    expect(() => classify(lost)).toThrow(lost);
    expect(() => classify(new TypeError("Cannot read properties of undefined (reading 'x')"))).toThrow(ApplicationFailure);
  });
});

describe('a write that fails for good', () => {
  test('makes the project stuck (system) without retrying; it keeps answering; reproject restores it', async () => {
    const code = await signedProject();
    const poison = `poison-${randomUUID()}`;
    const constraint = sql.id(`test_refuse_${randomUUID().replace(/-/g, '')}`);
    // The cause: the database refuses this one description (23514), as a bad deployment might.
    await sql`alter table blockers add constraint ${constraint} check (description <> ${sql.lit(poison)})`.execute(stack.db);
    try {
      const refused = await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'land', description: poison } });
      expect(refused.status).toBe(201);

      const state = await eventually(async () => {
        const s = await stack.client.workflow.getHandle(code).query(getState);
        return s.stuck.reasons.includes('system') ? s : undefined;
      }, 5_000);
      expect(state.writeFailures).toHaveLength(1);
      // One action's records are one write (recordChange): its ledger rows, audit record, projection and notifications.
      expect(state.writeFailures[0]!.call.activity).toBe('recordChange');
      expect(await pendingActivities(code)).toBe(0);
      const row = await stack.db.selectFrom('projects').select(['stuck', 'stuck_reasons']).where('code', '=', code).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ stuck: true, stuck_reasons: expect.arrayContaining(['system']) });
      const stuckList = await stack.api('/api/stuck', { as: 'supervisor' });
      expect(stuckList.body.items.map((p: { code: string }) => p.code)).toContain(code);

      // Still responsive: a valid update is answered at once, and written (it touches only its own rows).
      const started = Date.now();
      const next = await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'approvals', description: '环评未批' } });
      expect(next.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await pendingActivities(code)).toBe(0);
    } finally {
      await sql`alter table blockers drop constraint ${constraint}`.execute(stack.db);
    }

    const restored = await stack.api(`/api/projects/${code}/reproject`, { as: 'admin', body: {} });
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ restored: 1, remaining: 0 });
    const after = await stack.client.workflow.getHandle(code).query(getState);
    expect(after.stuck.reasons).not.toContain('system');
    const blockers = await stack.db.selectFrom('blockers').select('description').where('project_code', '=', code).execute();
    expect(blockers.map((b) => b.description).sort()).toEqual([poison, '环评未批'].sort());
    const row = await stack.db.selectFrom('projects').select('stuck_reasons').where('code', '=', code).executeTakeFirstOrThrow();
    expect(row.stuck_reasons).not.toContain('system');
    const open = await stack.db.selectFrom('write_failures').select('id').where('project_code', '=', code).where('resolved_at', 'is', null).execute();
    expect(open).toHaveLength(0);
    // The audit log has every event, including the ones first refused.
    const kinds = await stack.db.selectFrom('audit_log').select('kind').where('project_code', '=', code).execute();
    expect(kinds.filter((k) => k.kind === 'blocker.reported')).toHaveLength(2);
  });

  test('even when the failure itself cannot be recorded, the update is answered and the project shows stuck (system)', async () => {
    const code = await signedProject();
    const poison = `poison-${randomUUID()}`;
    const blockers = sql.id(`test_refuse_${randomUUID().replace(/-/g, '')}`);
    const failures = sql.id(`test_refuse_${randomUUID().replace(/-/g, '')}`);
    await sql`alter table blockers add constraint ${blockers} check (description <> ${sql.lit(poison)})`.execute(stack.db);
    await sql`alter table write_failures add constraint ${failures} check (project_code <> ${sql.lit(code)})`.execute(stack.db);
    try {
      const res = await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'land', description: poison } });
      expect(res.status).toBe(201);
      const state = await stack.client.workflow.getHandle(code).query(getState);
      expect(state.stuck.reasons).toContain('system');
      expect(await pendingActivities(code)).toBe(0);
      expect((await stack.client.workflow.getHandle(code).describe()).status.name).toBe('RUNNING');
    } finally {
      await sql`alter table blockers drop constraint ${blockers}`.execute(stack.db);
      await sql`alter table write_failures drop constraint ${failures}`.execute(stack.db);
    }
  });

  test('only admins re-project', async () => {
    const code = await signedProject();
    expect((await stack.api(`/api/projects/${code}/reproject`, { as: 'coordinator', body: {} })).status).toBe(403);
  });

  test('a project started past the API with a NUL in its name is stuck (system), not retrying, and on the stuck list', async () => {
    const code = newCode();
    const input: ProjectInput = { code, name: 'a\u0000b', codename: null, city: '沈阳', investor: '某公司', capitalType: 'domestic', outOfProvince: false, stage: 'intention', actor: 'someone' };
    await stack.client.workflow.start(PROJECT_WORKFLOW, { workflowId: code, taskQueue: stack.taskQueue, args: [input] });
    await eventually(async () => ((await stack.client.workflow.getHandle(code).query(getState)).stuck.reasons.includes('system') ? true : undefined), 5_000);
    expect(await pendingActivities(code)).toBe(0);
    const stuck = await stack.api('/api/stuck', { as: 'supervisor' });
    expect(stuck.body.unprojected.map((f: { code: string }) => f.code)).toContain(code);
    // The supervisors' stuck page shows it too.
    await setPassword(stack.db, stack.userIds.supervisor, 'a long enough password');
    const { cookie } = await signInPages(stack.baseUrl, stack.userIds.supervisor, 'a long enough password');
    const stuckPage = await (await fetch(`${stack.baseUrl}/stuck`, { headers: { cookie: cookie! } })).text();
    expect(stuckPage).toContain(`data-unprojected="${code}"`);
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { addTemplateVersion } from '../db/templates.js';
import { createApiToken, createUser, disableUser, userByToken } from '../db/users.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

/** One working day lasts this long for this file's worker. */
const DAY_MS = 300;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle(), { workingDayMs: DAY_MS });
  await addTemplateVersion(
    stack.db,
    {
      projectType: 'inbox_test',
      name: { zh: '收件箱测试', en: 'Inbox test' },
      tasks: [
        { key: 'late', department: 'natural_resources', title: { zh: '很快逾期', en: 'Soon overdue' }, dependsOn: [], dueWorkingDays: 1, fields: [] },
        { key: 'later', department: 'natural_resources', title: { zh: '不急', en: 'Not urgent' }, dependsOn: [], dueWorkingDays: 300, fields: [] },
        { key: 'other', department: 'commerce', title: { zh: '别的部门', en: 'Another department' }, dependsOn: [], dueWorkingDays: 5, fields: [] },
      ],
    },
    'admin.test',
  );
});
afterAll(async () => {
  await stack?.close();
});

async function startProject(over: Record<string, unknown> = {}): Promise<string> {
  const code = newCode();
  const res = await stack.api('/api/projects', { body: { code, name: '沈阳测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', ...over } });
  expect(res.status).toBe(201);
  await eventually(async () => ((await stack.db.selectFrom('tasks').select('task_key').where('project_code', '=', code).where('status', '=', 'open').execute()).length ? true : undefined));
  return code;
}

describe('department staff complete tasks over HTTP', () => {
  test('a task is completed right after its project is created: the start returns once the tasks are open', async () => {
    const code = newCode();
    const created = await stack.api('/api/projects', { body: { code, name: '即建即办', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', projectType: 'inbox_test' } });
    expect(created.status).toBe(201);
    const done = await stack.api(`/api/projects/${code}/tasks/late/complete`, { as: 'staffLand', body: { data: {} } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ key: 'late', status: 'done' });
  });

  test('a blocker with a NUL byte is a 400 naming the field, and the project then takes a valid one; a malformed path is a 400', async () => {
    const code = await startProject();
    const started = Date.now();
    const bad = await stack.api(`/api/projects/${code}/blockers`, { as: 'staffLand', body: { category: 'land', description: 'a\u0000b' } });
    expect(bad.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(bad.body.errors).toEqual([{ field: 'description', reason: expect.stringContaining('control character') }]);
    const good = await stack.api(`/api/projects/${code}/blockers`, { as: 'staffLand', body: { category: 'land', description: '征地未完成' } });
    expect(good.status).toBe(201);
    const malformed = await stack.api('/api/projects/%/blockers', { as: 'staffLand', body: { category: 'land', description: 'x' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: '(path)', reason: 'malformed percent-encoding' }]);
  });

  test('invalid form data is a 400 naming each field; valid data completes the task', async () => {
    const code = await startProject();
    const bad = await stack.api(`/api/projects/${code}/tasks/land/complete`, {
      as: 'staffLand',
      body: { data: { parcel: '', land_payment: { amountMinor: '1.5', currency: 'EUR' }, payment_voucher: 'V 1' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['data.land_payment', 'data.parcel', 'data.payment_voucher']);

    const ok = await stack.api(`/api/projects/${code}/tasks/land/complete`, {
      as: 'staffLand',
      body: { data: { parcel: 'SY-17', land_payment: { amountMinor: '1200000000', currency: 'CNY' }, payment_voucher: 'JS-77' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ key: 'land', status: 'done', completedBy: stack.userIds.staffLand });
    const row = await eventually(async () => {
      const r = await stack.db.selectFrom('tasks').select(['status', 'completed_by']).where('project_code', '=', code).where('task_key', '=', 'land').executeTakeFirst();
      return r?.status === 'done' ? r : undefined;
    });
    expect(row.completed_by).toBe(stack.userIds.staffLand);

    const again = await stack.api(`/api/projects/${code}/tasks/land/complete`, { as: 'staffLand', body: { data: {} } });
    expect(again.status).toBe(409);
  });

  test('an unknown task is a 404', async () => {
    const code = await startProject();
    const res = await stack.api(`/api/projects/${code}/tasks/no_such_task/complete`, { as: 'staffLand', body: { data: {} } });
    expect(res.status).toBe(404);
  });
});

describe('the department inbox', () => {
  test("lists my department's open tasks in my city, overdue first", async () => {
    const code = await startProject({ projectType: 'inbox_test' });
    await eventually(async () => {
      const r = await stack.db.selectFrom('tasks').select('rung').where('project_code', '=', code).where('task_key', '=', 'late').executeTakeFirst();
      return r && r.rung >= 1 ? true : undefined;
    }, 10_000);
    const inbox = await stack.api('/api/inbox?limit=200', { as: 'staffLand' });
    expect(inbox.status).toBe(200);
    const mine = inbox.body.items.filter((t: { projectCode: string }) => t.projectCode === code);
    expect(mine.map((t: { taskKey: string }) => t.taskKey)).toEqual(['late', 'later']);
    expect(mine[0]).toMatchObject({ overdue: true, department: 'natural_resources', city: '沈阳', title: { zh: '很快逾期' } });
    // Overdue tasks come before every task that is not.
    const firstNotOverdue = inbox.body.items.findIndex((t: { overdue: boolean }) => !t.overdue);
    expect(inbox.body.items.slice(firstNotOverdue).some((t: { overdue: boolean }) => t.overdue)).toBe(false);
    expect(inbox.body.items.every((t: { department: string; city: string }) => t.department === 'natural_resources' && t.city === '沈阳')).toBe(true);

    const dalian = await stack.api('/api/inbox?limit=200', { as: 'staffLandDalian' });
    expect(dalian.body.items.some((t: { projectCode: string }) => t.projectCode === code)).toBe(false);
  });
});

describe("the supervisors' stuck list", () => {
  test('shows stuck projects with their reasons and a link to the Temporal UI, within the city', async () => {
    const code = await startProject();
    const blocker = await stack.api(`/api/projects/${code}/blockers`, { as: 'staffRegistration', body: { category: 'approvals', description: '审批材料不全' } });
    expect(blocker.status).toBe(201);
    expect(blocker.body).toMatchObject({ id: 'B1', reportedBy: stack.userIds.staffRegistration });
    const stuck = await eventually(async () => {
      const r = await stack.api('/api/stuck?limit=200', { as: 'supervisor' });
      return r.body.items.find((p: { code: string }) => p.code === code);
    });
    expect(stuck).toMatchObject({ stuck: true, stuckReasons: ['blocker'], links: { temporalUi: `/temporal/namespaces/default/workflows/${code}` } });
    const dalian = await stack.api('/api/stuck?limit=200', { as: 'supervisorDalian' });
    expect(dalian.body.items.some((p: { code: string }) => p.code === code)).toBe(false);

    const resolved = await stack.api(`/api/projects/${code}/blockers/B1/resolve`, { as: 'coordinatorShenyang', body: { resolution: '已补齐' } });
    expect(resolved.body).toMatchObject({ resolvedBy: stack.userIds.coordinatorShenyang, resolution: '已补齐' });
  });
});

describe('Idempotency-Key on POST', () => {
  test('a repeated start returns the first response and starts nothing else; a different request with the key is refused', async () => {
    const code = newCode();
    const body = { code, name: '重复提交', city: '沈阳', investor: '某公司', capitalType: 'domestic' };
    const headers = { 'Idempotency-Key': `start-${code}` };
    const first = await stack.api('/api/projects', { body, headers });
    const second = await stack.api('/api/projects', { body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(`/api/projects/${code}`);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await stack.api('/api/projects', { body: { ...body, name: '别的' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.errors[0].field).toBe('Idempotency-Key');
    // The same key belongs to each user separately.
    const byAnother = await stack.api('/api/projects', { body, headers, as: 'coordinatorShenyang' });
    expect(byAnother.status).toBe(409);
  });

  test('a repeated blocker report creates one blocker', async () => {
    const code = await startProject();
    const request = { as: 'staffLand' as const, body: { category: 'land', description: '征地' }, headers: { 'Idempotency-Key': `blocker-${code}` } };
    const a = await stack.api(`/api/projects/${code}/blockers`, request);
    const b = await stack.api(`/api/projects/${code}/blockers`, request);
    expect(b.body).toEqual(a.body);
    expect((await stack.api(`/api/projects/${code}`)).body.blockers).toHaveLength(1);
  });

  test('a repeated invalid request gets the same 400', async () => {
    const request = { body: { code: 'bad code' }, headers: { 'Idempotency-Key': `bad-${newCode()}` } };
    const a = await stack.api('/api/projects', request);
    const b = await stack.api('/api/projects', request);
    expect(a.status).toBe(400);
    expect(b.status).toBe(400);
    expect(b.contentType).toContain('application/problem+json');
    expect(b.body).toEqual(a.body);
  });
});

describe('withdrawal over HTTP', () => {
  test('withdraws with a reason; a closed project refuses further actions', async () => {
    const code = await startProject();
    const res = await stack.api(`/api/projects/${code}/withdraw`, { as: 'coordinatorShenyang', body: { reason: '企业战略调整' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stage: 'withdrawn' });
    const after = await stack.api(`/api/projects/${code}/liaison`, { as: 'coordinatorShenyang', body: { liaison: 'liaison.li' } });
    expect(after.status).toBe(409);
    expect(after.contentType).toContain('application/problem+json');
  });
});

describe('marking a duplicate (merge) over HTTP', () => {
  test('a coordinator of the city merges a duplicate with a reason: it closes, and says which project it duplicates', async () => {
    const original = await startProject();
    const duplicate = await startProject();
    const res = await stack.api(`/api/projects/${duplicate}/merge`, { as: 'coordinatorShenyang', body: { into: original, reason: '同一项目在两场签约会上重复签约' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ stage: 'merged' });
    expect(res.body.transitions.at(-1)).toMatchObject({ to: 'merged', reason: `duplicate of ${original}: 同一项目在两场签约会上重复签约` });
    const row = await eventually(async () => (await stack.db.selectFrom('projects').select('stage').where('code', '=', duplicate).executeTakeFirst())?.stage === 'merged' || undefined);
    expect(row).toBe(true);
    expect((await stack.api(`/api/projects/${original}`)).body.stage).toBe('landing');
  });

  test('is refused, naming `into`, when the target does not exist, is the project itself, is closed, or is in another city for a city user', async () => {
    const code = await startProject();
    const closed = await startProject();
    expect((await stack.api(`/api/projects/${closed}/withdraw`, { body: { reason: '终止' } })).status).toBe(200);
    const dalian = await startProject({ city: '大连', name: '大连测试项目' });
    const merge = (into: string, as: 'coordinatorShenyang' | 'coordinator' = 'coordinatorShenyang') => stack.api(`/api/projects/${code}/merge`, { as, body: { into, reason: '重复' } });

    const missing = await merge('LN-2099-SY-9999');
    expect([missing.status, missing.body.errors]).toEqual([400, [{ field: 'into', reason: expect.stringContaining('does not exist') }]]);
    const itself = await merge(code);
    expect([itself.status, itself.body.errors]).toEqual([400, [{ field: 'into', reason: 'must be another project' }]]);
    const ended = await merge(closed);
    expect([ended.status, ended.body.errors]).toEqual([409, [{ field: 'into', reason: expect.stringContaining('closed') }]]);
    const elsewhere = await merge(dalian);
    expect([elsewhere.status, elsewhere.body.errors]).toEqual([403, [{ field: 'into', reason: expect.stringContaining('大连') }]]);
    const noReason = await stack.api(`/api/projects/${code}/merge`, { as: 'coordinatorShenyang', body: { into: dalian } });
    expect([noReason.status, noReason.body.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['reason']]);
    // Nothing of that was written: the project is still open, and a province-wide coordinator may merge across cities.
    expect((await stack.api(`/api/projects/${code}`)).body.stage).toBe('landing');
    const across = await merge(dalian, 'coordinator');
    expect([across.status, across.body.stage]).toEqual([200, 'merged']);
  });
});

describe('API tokens', () => {
  test('an unknown token or a disabled user is a 401; only a hash of the token is stored', async () => {
    expect((await stack.api('/api/projects', { as: null, headers: { authorization: 'Bearer luodi_not-a-token' } })).status).toBe(401);
    const id = `temp.${Date.now()}`;
    await createUser(stack.db, { id, name: '临时', role: 'supervisor', city: null, department: null });
    const token = await createApiToken(stack.db, id, 'test');
    expect((await stack.api('/api/projects', { as: null, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const stored = await stack.db.selectFrom('api_tokens').select('token_hash').where('user_id', '=', id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    await disableUser(stack.db, id);
    expect(await userByToken(stack.db, token)).toBeUndefined();
    expect((await stack.api('/api/projects', { as: null, headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test('npm run user -- add creates a user and prints a working token; bad input is refused', async () => {
    const run = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/user.ts', ...args], { env: { ...process.env, DATABASE_URL: inject('databaseUrl') } });
    const id = `li.si.${Date.now()}`;
    const { stdout } = await run('add', id, '--name', '李四', '--role', 'staff', '--city', '沈阳', '--department', 'natural_resources');
    const token = /API token \(shown once\): (\S+)/.exec(stdout)?.[1];
    expect(token).toBeDefined();
    const inbox = await stack.api('/api/inbox', { as: null, headers: { authorization: `Bearer ${token}` } });
    expect(inbox.status).toBe(200);
    await expect(run('add', `x.${Date.now()}`, '--name', 'X', '--role', 'staff', '--city', '沈阳')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--department') });
    await expect(run('add', id, '--name', '重名', '--role', 'supervisor')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('already exists') });
  });
});

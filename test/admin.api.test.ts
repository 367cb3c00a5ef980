import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

describe('admins manage users, templates and the calendar over the API', () => {
  test('a new user gets a token that works once; a duplicate or a staff user without a department is refused', async () => {
    const id = `zhao.liu.${Date.now()}`;
    const res = await stack.api('/api/users', { as: 'admin', body: { id, name: '赵六', role: 'staff', city: '丹东', department: 'commerce' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id, role: 'staff', city: '丹东', department: 'commerce', token: expect.stringMatching(/^luodi_/) });
    const inbox = await stack.api('/api/inbox', { as: null, headers: { authorization: `Bearer ${res.body.token}` } });
    expect(inbox.status).toBe(200);
    expect((await stack.api('/api/users', { as: 'admin', body: { id, name: '重名', role: 'supervisor' } })).status).toBe(409);
    const noDept = await stack.api('/api/users', { as: 'admin', body: { id: `x.${Date.now()}`, name: 'X', role: 'staff' } });
    expect(noDept.status).toBe(400);
    expect(noDept.body.errors).toEqual([{ field: 'department', reason: 'is required for staff, and only for staff' }]);
    expect((await stack.api('/api/users', { as: 'admin' })).body.items.map((u: { id: string }) => u.id)).toContain(id);
  });

  test("with an Idempotency-Key, a new user's token is never stored; a repeat says it was shown once", async () => {
    const id = `qian.qi.${Date.now()}`;
    const request = { as: 'admin' as const, body: { id, name: '钱七', role: 'supervisor' }, headers: { 'Idempotency-Key': `user-${id}` } };
    const first = await stack.api('/api/users', request);
    expect(first.body.token).toMatch(/^luodi_/);
    const stored = await stack.db.selectFrom('idempotency_keys').select('response').where('key', '=', `user-${id}`).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.response)).not.toContain(first.body.token);
    const repeat = await stack.api('/api/users', request);
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body).toMatchObject({ id, token: '(shown once, in the first response only)' });
  });

  test('a template version is saved, or refused with the path of each problem', async () => {
    const projectType = `api_${Date.now().toString(36)}`;
    const template = {
      projectType,
      name: { zh: '服务业项目', en: 'Services project' },
      tasks: [
        { key: 'registration', department: 'market_regulation', title: { zh: '注册', en: 'Registered' }, dependsOn: [], dueWorkingDays: 10, fields: [] },
        { key: 'opening', department: 'commerce', title: { zh: '开业', en: 'Opened' }, dependsOn: ['registration'], dueWorkingDays: 30, fields: [] },
      ],
    };
    const saved = await stack.api('/api/templates', { as: 'admin', body: template });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ projectType, version: 1, escalationWorkingDays: [0, 3, 7, 15], idleWorkingDays: 30 });
    const again = await stack.api('/api/templates', { as: 'admin', body: { ...template, idleWorkingDays: 20 } });
    expect(again.body.version).toBe(2);
    expect((await stack.api(`/api/templates/${projectType}`, { as: 'staffLand' })).body).toMatchObject({ version: 2, idleWorkingDays: 20 });

    const bad = await stack.api('/api/templates', { as: 'admin', body: { ...template, tasks: [{ ...template.tasks[1], dependsOn: ['nothing'] }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'tasks.0.dependsOn.0', reason: 'no task nothing' }]);
  });

  test('a calendar day set by an admin shows in the year', async () => {
    const res = await stack.api('/api/calendar/days', { as: 'admin', body: { day: '2032-02-14', kind: 'workday', name: '调休' } });
    expect(res.status).toBe(201);
    const year = await stack.api('/api/calendar/2032', { as: 'supervisor' });
    expect(year.body.days).toContainEqual({ day: '2032-02-14', kind: 'workday' });
    const bad = await stack.api('/api/calendar/days', { as: 'admin', body: { day: '2032-02-30', kind: 'sometimes', name: '' } });
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['day', 'kind', 'name']);
  });
});

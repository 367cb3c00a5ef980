import { afterAll, beforeAll, expect, test } from 'vitest';
import { bundle, signInPages, startStack, type Stack } from './stack.js';

/** The admin routes the pages brought: each refuses bad input naming the field, and does what it says. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

const admin = { as: 'admin' } as const;

test('a user gets a first password with POST /api/users, another one later, and is disabled', async () => {
  const id = `wang.wu.${Date.now().toString(36)}`;
  const short = await stack.api('/api/users', { ...admin, body: { id, name: '王五', role: 'supervisor', password: 'short' } });
  expect(short.status).toBe(400);
  expect(short.body.errors).toEqual([{ field: 'password', reason: 'must have at least 10 characters' }]);
  const added = await stack.api('/api/users', { ...admin, body: { id, name: '王五', role: 'supervisor', password: 'a long enough password' } });
  expect(added.status).toBe(201);
  expect(added.body.password).toBeUndefined();
  expect((await signInPages(stack.baseUrl, id, 'a long enough password')).status).toBe(303);

  expect((await stack.api(`/api/users/${id}/password`, { ...admin, body: { password: 'another long password' } })).status).toBe(200);
  expect((await signInPages(stack.baseUrl, id, 'a long enough password')).status).toBe(401);

  expect((await stack.api(`/api/users/${id}/disable`, { ...admin, body: {} })).status).toBe(200);
  expect((await stack.api(`/api/users/${id}`, admin)).body.disabled_at).not.toBeNull();
  expect((await fetch(`${stack.baseUrl}/api/me/tokens`, { headers: { authorization: `Bearer ${added.body.token}` } })).status).toBe(401);
  const self = await stack.api(`/api/users/${stack.userIds.admin}/disable`, { ...admin, body: {} });
  expect(self.status).toBe(409);
  expect(self.body.errors).toEqual([{ field: 'id', reason: 'is you' }]);
});

test('the calendar says which years it holds; a year chinese-days does not publish is refused, naming the field', async () => {
  const calendar = await stack.api('/api/calendar', admin);
  expect(calendar.body.official).toContain(2025);
  expect(calendar.body.years.find((y: { year: number }) => y.year === 2025).days).toBeGreaterThan(20);
  const refused = await stack.api('/api/calendar/imports', { ...admin, body: { year: 1990 } });
  expect(refused.status).toBe(400);
  expect(refused.body.errors[0].field).toBe('year');
  // Every 2025 day is there already: loading it again keeps them and adds none.
  expect((await stack.api('/api/calendar/imports', { ...admin, body: { year: 2025 } })).body).toEqual({ year: 2025, added: 0 });
});

test('a webhook test delivery is one outbox row per Idempotency-Key, and a webhook list holds no secret', async () => {
  const hook = await stack.api('/api/webhooks', { ...admin, body: { name: '测试', url: 'http://127.0.0.1:9/hook', secret: 'sixteen-characters!' } });
  const listed = await stack.api('/api/webhooks', admin);
  expect(listed.body.items.find((w: { id: string }) => w.id === hook.body.id)).toEqual({ id: hook.body.id, name: '测试', url: 'http://127.0.0.1:9/hook', format: 'generic' });
  const headers = { 'idempotency-key': `test-${Date.now()}` };
  const first = await stack.api(`/api/webhooks/${hook.body.id}/test`, { ...admin, body: {}, headers });
  const again = await stack.api(`/api/webhooks/${hook.body.id}/test`, { ...admin, body: {}, headers });
  expect(first.status).toBe(202);
  expect(again.body.outboxId).toBe(first.body.outboxId);
  const rows = await stack.db.selectFrom('outbox').select(['status', 'channel']).where('webhook_id', '=', hook.body.id).execute();
  expect(rows).toEqual([{ status: 'pending', channel: 'webhook' }]);
  expect((await stack.api('/api/webhooks/999999999/test', { ...admin, body: {} })).status).toBe(404);
});

test('one version of a template, or a 404', async () => {
  expect((await stack.api('/api/templates/industrial/1', admin)).body).toMatchObject({ projectType: 'industrial', version: 1 });
  expect((await stack.api('/api/templates/industrial/999', admin)).status).toBe(404);
});

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, eventually, newCode, startStack, TEST_USERS, type Stack, type TestUser } from './stack.js';

/**
 * Every route × every role: allowed (anything but 401/403) or denied (403), including another
 * city's project and another department's task. Unauthenticated requests are 401 everywhere.
 */
let stack: Stack;
let shared: string;
beforeAll(async () => {
  stack = await startStack(await bundle());
  shared = await signedProject();
});
afterAll(async () => {
  await stack?.close();
});

async function signedProject(): Promise<string> {
  const code = newCode();
  const res = await stack.api('/api/projects', {
    body: { code, name: '沈阳测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed' },
  });
  expect(res.status).toBe(201);
  await eventually(async () => {
    const row = await stack.db.selectFrom('tasks').select('status').where('project_code', '=', code).where('task_key', '=', 'land').executeTakeFirst();
    return row?.status === 'open' ? true : undefined;
  });
  return code;
}

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: (code: string) => string;
  body?: (code: string) => unknown;
  /** A CSV file as the body instead of JSON. */
  rawCsv?: () => string;
  allowed: TestUser[];
  /** Runs against a project of its own for each allowed user (the route ends the project). */
  freshProject?: boolean;
}

const everyone = Object.keys(TEST_USERS) as TestUser[];
const shenyangCoordinators: TestUser[] = ['coordinator', 'coordinatorShenyang'];

const routes: Route[] = [
  {
    name: 'create a project in 沈阳',
    method: 'POST',
    path: () => '/api/projects',
    body: () => ({ code: newCode(), name: '新项目', city: '沈阳', investor: '某公司', capitalType: 'foreign' }),
    allowed: shenyangCoordinators,
  },
  { name: 'list projects', method: 'GET', path: () => '/api/projects', allowed: everyone },
  {
    name: "read a 沈阳 project's live state",
    method: 'GET',
    path: (c) => `/api/projects/${c}`,
    allowed: ['coordinator', 'coordinatorShenyang', 'staffLand', 'staffRegistration', 'verifier', 'supervisor', 'admin'],
  },
  { name: 'move the stage', method: 'POST', path: (c) => `/api/projects/${c}/stage`, body: () => ({ to: 'operating' }), allowed: shenyangCoordinators },
  {
    name: 'complete the land task (natural resources, 沈阳)',
    method: 'POST',
    path: (c) => `/api/projects/${c}/tasks/land/complete`,
    body: () => ({ data: { parcel: 'P-1', land_payment: { amountMinor: '100', currency: 'CNY' }, payment_voucher: 'V-1' } }),
    allowed: ['staffLand'],
  },
  {
    name: 'report a blocker',
    method: 'POST',
    path: (c) => `/api/projects/${c}/blockers`,
    body: () => ({ category: 'land', description: '征地' }),
    allowed: [...shenyangCoordinators, 'staffLand', 'staffRegistration'],
  },
  {
    name: 'resolve a blocker',
    method: 'POST',
    path: (c) => `/api/projects/${c}/blockers/B99/resolve`,
    body: () => ({ resolution: '已解决' }),
    allowed: shenyangCoordinators,
  },
  { name: 'reassign the liaison', method: 'POST', path: (c) => `/api/projects/${c}/liaison`, body: () => ({ liaison: 'liaison.li' }), allowed: shenyangCoordinators },
  {
    name: 'withdraw the project',
    method: 'POST',
    path: (c) => `/api/projects/${c}/withdraw`,
    body: () => ({ reason: '终止' }),
    allowed: shenyangCoordinators,
    freshProject: true,
  },
  {
    name: 'mark the project a duplicate of another',
    method: 'POST',
    path: (c) => `/api/projects/${c}/merge`,
    body: () => ({ into: shared, reason: '重复签约' }),
    allowed: shenyangCoordinators,
    freshProject: true,
  },
  {
    name: 'import a summit batch',
    method: 'POST',
    path: () => '/api/imports',
    rawCsv: () => `项目编号,项目名称,投资方,城市,资本类型\n${newCode()},导入项目,某公司,沈阳,内资\n`,
    // Any coordinator may import; each row's city is checked as a row problem (import.test.ts).
    allowed: [...shenyangCoordinators, 'coordinatorDalian'],
  },
  { name: 'list users', method: 'GET', path: () => '/api/users', allowed: ['admin'] },
  {
    name: 'add a user',
    method: 'POST',
    path: () => '/api/users',
    body: () => ({ id: `u.${Math.random().toString(36).slice(2, 10)}`, name: '新用户', role: 'supervisor' }),
    allowed: ['admin'],
  },
  { name: "list a user's API tokens", method: 'GET', path: () => '/api/users/__ADMIN__/tokens', allowed: ['admin'] },
  { name: 'create an API token for a user', method: 'POST', path: () => '/api/users/__ADMIN__/tokens', body: () => ({ label: 'matrix' }), allowed: ['admin'] },
  { name: 'list my API tokens', method: 'GET', path: () => '/api/me/tokens', allowed: everyone },
  // Anyone may ask; a token that is not theirs is a 404 (signin-security.test.ts).
  { name: 'revoke an API token', method: 'POST', path: () => '/api/tokens/999999999/revoke', body: () => ({}), allowed: everyone },
  { name: 'list task templates', method: 'GET', path: () => '/api/templates', allowed: everyone },
  { name: 'read a task template', method: 'GET', path: () => '/api/templates/industrial', allowed: everyone },
  {
    name: 'save a task template version',
    method: 'POST',
    path: () => '/api/templates',
    body: () => ({
      projectType: `m_${Math.random().toString(36).slice(2, 8)}`,
      name: { zh: '矩阵', en: 'Matrix' },
      tasks: [{ key: 'a', department: 'commerce', title: { zh: '甲', en: 'A' }, dependsOn: [], dueWorkingDays: 5, fields: [] }],
    }),
    allowed: ['admin'],
  },
  { name: "read a year's calendar", method: 'GET', path: () => '/api/calendar/2025', allowed: everyone },
  { name: 'the years the calendar holds', method: 'GET', path: () => '/api/calendar', allowed: everyone },
  { name: "load a year's official calendar", method: 'POST', path: () => '/api/calendar/imports', body: () => ({ year: 2004 }), allowed: ['admin'] },
  { name: 'read one version of a task template', method: 'GET', path: () => '/api/templates/industrial/1', allowed: everyone },
  { name: 'read a user', method: 'GET', path: () => '/api/users/__ADMIN__', allowed: ['admin'] },
  // An unknown user: the admin gets a 404, everyone else a 403 before that.
  { name: 'disable a user', method: 'POST', path: () => '/api/users/no.such.user/disable', body: () => ({}), allowed: ['admin'] },
  { name: "set a user's password", method: 'POST', path: () => '/api/users/no.such.user/password', body: () => ({ password: 'a long enough password' }), allowed: ['admin'] },
  { name: 'set a calendar day', method: 'POST', path: () => '/api/calendar/days', body: () => ({ day: '2099-01-02', kind: 'holiday', name: '测试' }), allowed: ['admin'] },
  { name: "read a project's funds ledger", method: 'GET', path: (c) => `/api/projects/${c}/funds`, allowed: ['coordinator', 'coordinatorShenyang', 'staffLand', 'staffRegistration', 'verifier', 'supervisor', 'admin'] },
  {
    name: 'record funds',
    method: 'POST',
    path: (c) => `/api/projects/${c}/funds`,
    body: () => ({ amountMinor: '100', currency: 'CNY', receivedOn: '2018-07-10', evidence: 'V-1' }),
    allowed: shenyangCoordinators,
  },
  { name: 'verify funds', method: 'POST', path: (c) => `/api/projects/${c}/funds/F1/verify`, body: () => ({}), allowed: ['verifier'] },
  { name: 'reverse funds', method: 'POST', path: (c) => `/api/projects/${c}/funds/F99/reverse`, body: () => ({ reason: '更正' }), allowed: shenyangCoordinators },
  {
    name: 'record a capital increase',
    method: 'POST',
    path: (c) => `/api/projects/${c}/capital-increases`,
    body: () => ({ amountMinor: '100', currency: 'CNY', agreedOn: '2018-08-01' }),
    allowed: shenyangCoordinators,
  },
  { name: 'read statistics', method: 'GET', path: () => '/api/statistics?quarter=2017Q1', allowed: ['coordinator', 'coordinatorShenyang', 'coordinatorDalian', 'verifier', 'supervisor', 'supervisorDalian', 'admin'] },
  { name: 'list reports', method: 'GET', path: () => '/api/reports', allowed: ['coordinator', 'coordinatorShenyang', 'coordinatorDalian', 'verifier', 'supervisor', 'supervisorDalian', 'admin'] },
  { name: 'read targets', method: 'GET', path: () => '/api/targets?year=2017', allowed: ['coordinator', 'coordinatorShenyang', 'coordinatorDalian', 'verifier', 'supervisor', 'supervisorDalian', 'admin'] },
  { name: 'set a target', method: 'POST', path: () => '/api/targets', body: () => ({ year: 2099, city: '全省', category: 'foreign', amountMinor: '100', currency: 'USD' }), allowed: ['admin'] },
  { name: 'my notifications', method: 'GET', path: () => '/api/notifications', allowed: everyone },
  { name: 'my channels', method: 'POST', path: () => '/api/me/channels', body: () => ({ email: true }), allowed: everyone },
  { name: 'the dead letters', method: 'GET', path: () => '/api/outbox', allowed: ['admin'] },
  { name: 're-drive a notification', method: 'POST', path: () => '/api/outbox/999999999/redrive', body: () => ({}), allowed: ['admin'] },
  { name: 'add a contact', method: 'POST', path: () => '/api/contacts', body: () => ({ city: '沈阳', audience: 'city_leader', webhookId: '999999999' }), allowed: ['admin'] },
  { name: 'remove a contact', method: 'DELETE', path: () => '/api/contacts/999999999', allowed: ['admin'] },
  { name: 'list contacts', method: 'GET', path: () => '/api/contacts', allowed: ['admin'] },
  { name: 'add a webhook endpoint', method: 'POST', path: () => '/api/webhooks', body: () => ({ name: '测试', url: 'http://127.0.0.1:9/hook', secret: 'sixteen-characters!' }), allowed: ['admin'] },
  { name: 'list webhook endpoints', method: 'GET', path: () => '/api/webhooks', allowed: ['admin'] },
  { name: 'send a test to a webhook endpoint', method: 'POST', path: () => '/api/webhooks/999999999/test', body: () => ({}), allowed: ['admin'] },
  { name: 'the department inbox', method: 'GET', path: () => '/api/inbox', allowed: ['staffLand', 'staffLandDalian', 'staffRegistration'] },
  { name: 'the stuck list', method: 'GET', path: () => '/api/stuck', allowed: ['coordinator', 'coordinatorShenyang', 'coordinatorDalian', 'supervisor', 'supervisorDalian'] },
];

function payload(route: Route, code: string) {
  if (route.rawCsv) return { rawBody: route.rawCsv(), headers: { 'content-type': 'text/csv' } };
  return route.body ? { body: route.body(code) } : {};
}

const cases = routes.flatMap((route) => everyone.map((user) => ({ route, user, allowed: route.allowed.includes(user) })));

describe.each(routes)('$name', (route) => {
  test.each(everyone.map((user) => ({ user, allowed: route.allowed.includes(user) })))('$user: allowed $allowed', async ({ user, allowed }) => {
    const code = allowed && route.freshProject ? await signedProject() : shared;
    const res = await stack.api(route.path(code).replace('__ADMIN__', stack.userIds.admin), { method: route.method, as: user, ...payload(route, code) });
    if (allowed) expect([401, 403], JSON.stringify(res.body)).not.toContain(res.status);
    else {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.contentType).toContain('application/problem+json');
    }
  });

  test('without a token: 401', async () => {
    const res = await stack.api(route.path(shared), { method: route.method, as: null, ...payload(route, shared) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });
});

test('the matrix covers every route for every role', () => {
  expect(cases).toHaveLength(routes.length * everyone.length);
  expect(new Set(routes.map((r) => `${r.method} ${r.path(':code')}`)).size).toBe(routes.length);
});

test("a city's user cannot list another city's projects", async () => {
  const res = await stack.api(`/api/projects?city=${encodeURIComponent('沈阳')}`, { as: 'supervisorDalian' });
  expect(res.status).toBe(403);
  const own = await stack.api('/api/projects', { as: 'supervisorDalian' });
  expect(own.body.items.every((p: { city: string }) => p.city === '大连')).toBe(true);
});

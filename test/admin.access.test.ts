import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setPassword } from '../db/users.js';
import { bundle, signInPages, startStack, type Stack, type TestUser } from './stack.js';

/** The admin pages are the admin's: everyone else gets 403 on each, page or action; checked without a browser. */
let stack: Stack;
const PASSWORD = 'correct horse battery';
const NON_ADMINS = ['coordinator', 'coordinatorShenyang', 'staffLand', 'verifier', 'supervisor'] as const satisfies readonly TestUser[];
const cookies = {} as Record<TestUser, string>;

beforeAll(async () => {
  stack = await startStack(await bundle());
  for (const user of [...NON_ADMINS, 'admin'] as const) {
    await setPassword(stack.db, stack.userIds[user], PASSWORD);
    cookies[user] = (await signInPages(stack.baseUrl, stack.userIds[user], PASSWORD)).cookie!;
  }
});
afterAll(async () => {
  await stack?.close();
});

const PAGES = [
  '/admin',
  '/admin/users',
  '/admin/users/new',
  '/admin/users/__ADMIN__',
  '/admin/users/__ADMIN__/password',
  '/admin/users/__ADMIN__/tokens/new',
  '/admin/targets',
  '/admin/targets/new',
  '/admin/calendar',
  '/admin/calendar/load',
  '/admin/calendar/days/new',
  '/admin/calendar/2025',
  '/admin/notifications',
  '/admin/notifications/contacts/new',
  '/admin/notifications/webhooks/new',
  '/admin/templates',
  '/admin/templates/new',
  '/admin/templates/industrial/1',
  '/admin/outbox',
];

/** Actions that change something: each must be refused before it happens. */
const ACTIONS = [
  '/admin/users',
  '/admin/users/__ADMIN__/password',
  '/admin/users/__ADMIN__/tokens',
  '/admin/users/__ADMIN__/disable',
  '/admin/users/__ADMIN__/tokens/1/revoke',
  '/admin/targets',
  '/admin/calendar/load',
  '/admin/calendar/days',
  '/admin/notifications/contacts',
  '/admin/notifications/contacts/1/remove',
  '/admin/notifications/webhooks',
  '/admin/notifications/webhooks/1/test',
  '/admin/templates',
  '/admin/outbox/1/redrive',
];

const pathOf = (path: string) => path.replace('__ADMIN__', stack.userIds.admin);

async function get(path: string, user: TestUser) {
  return fetch(`${stack.baseUrl}${pathOf(path)}`, { redirect: 'manual', headers: { cookie: cookies[user] } });
}

/** The session's CSRF token, as a page carries it. */
async function csrfOf(user: TestUser): Promise<string> {
  return /name="_csrf" value="([^"]+)"/.exec(await (await get('/notifications', user)).text())![1]!;
}

describe('the admin pages', () => {
  test('signed out: each sends you to sign in', async () => {
    for (const path of PAGES) {
      const res = await fetch(`${stack.baseUrl}${pathOf(path)}`, { redirect: 'manual' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/signin\?next=/);
    }
  });

  test('the admin opens each', async () => {
    for (const path of PAGES) expect((await get(path, 'admin')).status, path).toBe(200);
  });

  test.each(NON_ADMINS)('%s gets 403 on each page', async (user) => {
    for (const path of PAGES) {
      const res = await get(path, user);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain('无权访问');
    }
  });

  test.each(NON_ADMINS)('%s gets 403 on each action, and nothing changes', async (user) => {
    const csrf = await csrfOf(user);
    for (const path of ACTIONS) {
      const res = await fetch(`${stack.baseUrl}${pathOf(path)}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookies[user], 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, id: `x.${user.toLowerCase()}`, name: 'x', role: 'admin', password: 'a long enough password', label: 'x' }).toString(),
      });
      expect(res.status, path).toBe(403);
    }
    // The user the forms would have added is not there (other files add users to this database meanwhile, so no count).
    expect(await stack.db.selectFrom('users').select('id').where('id', '=', `x.${user.toLowerCase()}`).executeTakeFirst()).toBeUndefined();
    expect(await stack.api(`/api/users/${stack.userIds.admin}`, { as: 'admin' }).then((r) => r.body.disabled_at)).toBeNull();
  });

  test('an action without the session’s CSRF token is refused, even for the admin', async () => {
    const res = await fetch(`${stack.baseUrl}/admin/users/${stack.userIds.coordinator}/disable`, { method: 'POST', redirect: 'manual', headers: { cookie: cookies.admin, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(res.status).toBe(403);
    expect(await stack.api(`/api/users/${stack.userIds.coordinator}`, { as: 'admin' }).then((r) => r.body.disabled_at)).toBeNull();
  });
});

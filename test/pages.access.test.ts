import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { setPassword } from '../db/users.js';
import { bundle, eventually, newCode, signInPages, startStack, type Stack, type TestUser } from './stack.js';

/** The pages apply the same authorization as the API; checked without a browser. */
let stack: Stack;
let code: string;
const PASSWORD = 'correct horse battery';
beforeAll(async () => {
  stack = await startStack(await bundle());
  for (const user of ['staffLand', 'staffLandDalian', 'staffRegistration', 'supervisor', 'verifier', 'coordinatorShenyang', 'coordinatorDalian'] as const) await setPassword(stack.db, stack.userIds[user], PASSWORD);
  code = newCode();
  await stack.api('/api/projects', { body: { code, name: '页面权限测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed' } });
  await eventually(async () => ((await stack.db.selectFrom('tasks').select('status').where('project_code', '=', code).where('task_key', '=', 'land').executeTakeFirst())?.status === 'open' ? true : undefined));
});
afterAll(async () => {
  await stack?.close();
});

function signIn(user: TestUser, password = PASSWORD) {
  return signInPages(stack.baseUrl, stack.userIds[user], password);
}

async function get(path: string, cookie: string | null) {
  return fetch(`${stack.baseUrl}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

describe('pages', () => {
  test('signed out: every page sends you to sign in', async () => {
    for (const path of ['/inbox', '/stuck', '/funds', `/projects/${code}`, `/projects/${code}/tasks/land`, `/projects/${code}/funds/new`]) {
      const res = await get(path, null);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
  });

  test('a sign-in without the form token is refused', async () => {
    const res = await fetch(`${stack.baseUrl}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: stack.userIds.staffLand, password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('luodi_session='))).toBe(false);
  });

  test.each([
    ['staffLand', `/projects/${'CODE'}/tasks/land`, 200],
    ['staffRegistration', `/projects/${'CODE'}/tasks/land`, 403],
    ['staffLandDalian', `/projects/${'CODE'}/tasks/land`, 403],
    ['staffLandDalian', `/projects/${'CODE'}`, 403],
    ['staffLand', '/stuck', 403],
    ['supervisor', '/inbox', 403],
    ['supervisor', '/stuck', 200],
    ['supervisor', `/projects/${'CODE'}`, 200],
    ['verifier', '/funds', 200],
    ['supervisor', '/funds', 403],
    ['coordinatorShenyang', '/funds', 403],
    ['coordinatorShenyang', `/projects/${'CODE'}/funds/new`, 200],
    ['coordinatorDalian', `/projects/${'CODE'}/funds/new`, 403],
    ['verifier', `/projects/${'CODE'}/funds/new`, 403],
    ['supervisor', `/projects/${'CODE'}/funds/new`, 403],
    ['coordinatorShenyang', `/projects/${'CODE'}/capital-increases/new`, 200],
    ['coordinatorDalian', `/projects/${'CODE'}/capital-increases/new`, 403],
    // The coordinators' pages: the list for every reader, the forms for the roles the API allows.
    ['coordinatorShenyang', '/projects', 200],
    ['staffLand', '/projects', 200],
    ['coordinatorShenyang', '/projects/new', 200],
    ['supervisor', '/projects/new', 403],
    ['staffLand', '/projects/new', 403],
    ['coordinatorShenyang', '/imports', 200],
    ['verifier', '/imports', 403],
    ['coordinatorShenyang', `/projects/${'CODE'}/liaison`, 200],
    ['coordinatorDalian', `/projects/${'CODE'}/liaison`, 403],
    ['supervisor', `/projects/${'CODE'}/stage`, 403],
    ['coordinatorShenyang', `/projects/${'CODE'}/withdraw`, 200],
    ['staffLand', `/projects/${'CODE'}/withdraw`, 403],
    ['coordinatorShenyang', `/projects/${'CODE'}/merge?q=${encodeURIComponent('页面')}`, 200],
    ['coordinatorDalian', `/projects/${'CODE'}/merge`, 403],
    ['staffLand', `/projects/${'CODE'}/blockers/new?task=land`, 200],
    ['staffLandDalian', `/projects/${'CODE'}/blockers/new`, 403],
    ['verifier', `/projects/${'CODE'}/blockers/new`, 403],
  ] as const)('%s opens %s: %i', async (user, path, status) => {
    const { cookie } = await signIn(user);
    expect(cookie).not.toBeNull();
    const res = await get(path.replace('CODE', code), cookie);
    expect(res.status).toBe(status);
    if (status === 403) expect(await res.text()).toContain('无权访问');
  });

  test('a form sent twice (a double click, a resend) is applied once: the request token makes the second the same update', async () => {
    const { cookie } = await signIn('staffLand');
    const form = await (await get(`/projects/${code}/blockers/new`, cookie)).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(form)![1]!;
    const body = new URLSearchParams({ _csrf: field('_csrf'), _request: field('_request'), category: 'approvals', description: '环评批复待出' }).toString();
    const send = () => fetch(`${stack.baseUrl}/projects/${code}/blockers`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' }, body });
    const [first, second] = await Promise.all([send(), send()]);
    expect([first.status, second.status]).toEqual([303, 303]);
    const state = (await stack.api(`/api/projects/${code}`)).body as { blockers: { description: string }[] };
    expect(state.blockers.filter((b) => b.description === '环评批复待出')).toHaveLength(1);
    // Without the session's CSRF token, nothing is applied.
    const forged = await fetch(`${stack.baseUrl}/projects/${code}/blockers`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' }, body: body.replace(/_csrf=[^&]+/, '_csrf=x') });
    expect(forged.status).toBe(403);
  });

  test('signing out ends the session', async () => {
    const { cookie } = await signIn('supervisor');
    const page = await (await get('/stuck', cookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const out = await fetch(`${stack.baseUrl}/signout`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}` });
    expect(out.status).toBe(303);
    expect((await get('/stuck', cookie)).status).toBe(303);
  });
});

test('npm run user -- password sets a password from standard input that signs in', async () => {
  const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/user.ts', 'password', stack.userIds.verifier], { env: { ...process.env, DATABASE_URL: inject('databaseUrl') } });
  child.stdin!.end('a long enough password\n');
  const done = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(done).toBe(0);
  expect((await signIn('verifier', 'a long enough password')).status).toBe(303);
  expect((await signIn('verifier', 'wrong')).status).toBe(401);
});

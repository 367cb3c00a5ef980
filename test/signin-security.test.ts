import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { localPath } from '../api/pages/signin.routes.js';
import { createApp } from '../api/app.js';
import { DEFAULT_SIGNIN_LIMITS, SignInGuard } from '../api/signin-limits.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { hashPassword, SCRYPT_PARAMS } from '../db/passwords.js';
import { checkPassword, createSession, purgeExpiredSessions } from '../db/sessions.js';
import { createApiToken, createUser, disableUser, hashToken, setPassword } from '../db/users.js';
import { TEST_KEY_RING } from './keys.js';
import { bundle, startStack, TEMPORAL_UI, type Stack } from './stack.js';

/**
 * Sign-in and sessions: same-origin redirects only, limits per account and per address, the
 * same refusal time for unknown users, scrypt at OWASP's parameters with rehashing, security
 * headers, TRUST_PROXY, API token expiry and revocation, password changes ending sessions, and
 * the purge of expired sessions.
 */
let stack: Stack;
/** The same API behind a "proxy" on loopback: X-Forwarded-For gives each test its own address. */
let proxied: { baseUrl: string; close(): Promise<void> };
const PASSWORD = 'correct horse battery';
let addressSeq = 0;
const newAddress = () => `198.51.100.${++addressSeq}`;
let userSeq = 0;

beforeAll(async () => {
  stack = await startStack(await bundle());
  const app = createApp({ client: stack.client, db: stack.db, keyRing: TEST_KEY_RING, log: createLogger('api', 'silent'), taskQueue: stack.taskQueue, temporalUiUrl: TEMPORAL_UI, trustProxy: ['loopback'] });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  proxied = { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
});
afterAll(async () => {
  await proxied?.close();
  await stack?.close();
});

/** A fresh user with a password (or none). */
async function newUser(password: string | null = PASSWORD, city: '沈阳' | '大连' | null = '沈阳'): Promise<string> {
  const id = `sec.${++userSeq}.${Math.random().toString(36).slice(2, 8)}`;
  await createUser(stack.db, { id, name: id, role: 'supervisor', city, department: null }, password ?? undefined);
  return id;
}

interface SignIn {
  user: string;
  password: string;
  next?: string;
  address?: string;
  headers?: Record<string, string>;
  baseUrl?: string;
}

/** Posts the sign-in form, as a browser would, with its CSRF cookie and token. */
async function signIn({ user, password, next = '/', address, headers = {}, baseUrl = proxied.baseUrl }: SignIn) {
  const forwarded: Record<string, string> = address ? { 'x-forwarded-for': address } : {};
  const form = await fetch(`${baseUrl}/signin`, { headers: forwarded });
  const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('luodi_signin_csrf='))!.split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${baseUrl}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, ...forwarded, ...headers },
    body: new URLSearchParams({ _csrf: token, user, password, next }).toString(),
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('luodi_session='));
  return { status: res.status, location: res.headers.get('location'), retryAfter: res.headers.get('retry-after'), setCookie, cookie: setCookie?.split(';')[0] ?? null, text: await res.text() };
}

const get = (path: string, cookie: string | null, baseUrl = proxied.baseUrl) => fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

describe('redirects after sign-in stay on this site', () => {
  test.each(['/\\evil.com', '//evil.com', '/\\\\evil', 'https://evil.com/', 'http:/evil.com', '/.//evil.com', '/a/..//evil.com', '/\tevil.com', 'javascript:alert(1)', '', 'evil.com'])('%j goes home', async (next) => {
    expect(localPath(next)).toBe('/');
    const { user } = { user: await newUser() };
    const res = await signIn({ user, password: PASSWORD, next, address: newAddress() });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
  });

  test('the finding: /signin?next=/%5Cevil.com neither renders nor redirects to it', async () => {
    const page = await (await fetch(`${proxied.baseUrl}/signin?next=/%5Cevil.com`)).text();
    expect(page).toContain('name="next" value="/"');
    expect(page).not.toContain('evil');
  });

  test('a path on this site is kept, with its query and fragment', async () => {
    expect(localPath('/projects/LN-1?tab=funds#ledger')).toBe('/projects/LN-1?tab=funds#ledger');
    const res = await signIn({ user: await newUser(), password: PASSWORD, next: '/inbox?x=1', address: newAddress() });
    expect(res.location).toBe('/inbox?x=1');
  });
});

describe('sign-in limits (rate-limiter-flexible on PostgreSQL)', () => {
  test(`an account is locked after ${DEFAULT_SIGNIN_LIMITS.accountFailures} failures, from any address, even with the right password: 429 with Retry-After and a message`, async () => {
    const user = await newUser();
    for (let i = 1; i < DEFAULT_SIGNIN_LIMITS.accountFailures; i++) {
      expect((await signIn({ user, password: 'wrong password', address: newAddress() })).status).toBe(401);
    }
    const locked = await signIn({ user, password: 'wrong password', address: newAddress() });
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBe(DEFAULT_SIGNIN_LIMITS.firstLockSeconds);
    expect(locked.text).toContain('登录失败次数过多');
    const right = await signIn({ user, password: PASSWORD, address: newAddress() });
    expect(right.status).toBe(429);
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
    expect(right.cookie).toBeNull();
  });

  test('a success clears the account count', async () => {
    const user = await newUser();
    const address = newAddress();
    for (let i = 0; i < 3; i++) expect((await signIn({ user, password: 'wrong password', address })).status).toBe(401);
    expect((await signIn({ user, password: PASSWORD, address })).status).toBe(303);
    for (let i = 0; i < DEFAULT_SIGNIN_LIMITS.accountFailures - 1; i++) expect((await signIn({ user, password: 'wrong password', address })).status).toBe(401);
  });

  test(`an address is locked after ${DEFAULT_SIGNIN_LIMITS.addressFailures} failures on any accounts; other addresses are not`, async () => {
    const address = newAddress();
    for (let i = 1; i < DEFAULT_SIGNIN_LIMITS.addressFailures; i++) {
      expect((await signIn({ user: `nobody.${i}`, password: 'guess', address })).status).toBe(401);
    }
    expect((await signIn({ user: 'nobody.last', password: 'guess', address })).status).toBe(429);
    const user = await newUser();
    const refused = await signIn({ user, password: PASSWORD, address });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('登录失败次数过多');
    expect((await signIn({ user, password: PASSWORD, address: newAddress() })).status).toBe(303);
  });

  test('each further lock doubles, up to the maximum, and a lock ends by itself', async () => {
    const limits = { accountFailures: 2, addressFailures: 1000, windowSeconds: 60, firstLockSeconds: 1, maxLockSeconds: 3 };
    const guard = new SignInGuard(stack.db, limits);
    const account = `backoff.${Math.random()}`;
    const address = newAddress();
    expect(await guard.failed(account, address)).toBe(0);
    expect(await guard.failed(account, address)).toBe(1);
    expect(await guard.retryAfter(account, address)).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await guard.retryAfter(account, address)).toBe(0);
    expect(await guard.failed(account, address)).toBe(0);
    expect(await guard.failed(account, address)).toBe(2);
    await new Promise((r) => setTimeout(r, 2100));
    await guard.failed(account, address);
    expect(await guard.failed(account, address)).toBe(3);
    // Counted in PostgreSQL, so another API instance sees the same lock; keys are hashed.
    const { rows } = await sql`select key from rate_limits`.execute(stack.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(account);
    expect(await new SignInGuard(stack.db, limits).retryAfter(account, newAddress())).toBeGreaterThan(0);
  });
});

describe('passwords', () => {
  test('unknown, disabled and password-less users are refused in the same time as a wrong password', async () => {
    const known = await newUser();
    const disabled = await newUser();
    await disableUser(stack.db, disabled);
    const passwordless = await newUser(null);
    const time = async (user: string) => {
      const started = process.hrtime.bigint();
      expect(await checkPassword(stack.db, user, 'not the password')).toBeUndefined();
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await time('warm.up.the.dummy');
    const samples: Record<string, number[]> = { known: [], unknown: [], disabled: [], passwordless: [] };
    for (let i = 0; i < 5; i++) {
      samples.known!.push(await time(known));
      samples.unknown!.push(await time(`nobody.${i}.${Math.random()}`));
      samples.disabled!.push(await time(disabled));
      samples.passwordless!.push(await time(passwordless));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const knownMs = median(samples.known!);
    // Before, an unknown user was refused in about 1 ms against some 100+ ms for a wrong password.
    expect(knownMs).toBeGreaterThan(30);
    for (const other of ['unknown', 'disabled', 'passwordless']) {
      const ratio = median(samples[other]!) / knownMs;
      expect(ratio, `${other}: ${samples[other]!.join(', ')} ms against ${samples.known!.join(', ')} ms`).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    }
  });

  test('hashes are scrypt N=2^17, r=8, p=1, and carry their parameters', async () => {
    expect(SCRYPT_PARAMS).toEqual({ N: 131072, r: 8, p: 1 });
    const user = await newUser();
    const { password_hash } = await stack.db.selectFrom('users').select('password_hash').where('id', '=', user).executeTakeFirstOrThrow();
    expect(password_hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  });

  test('a hash made with older parameters still signs in, and is rehashed with the current ones; a failed sign-in changes nothing', async () => {
    const user = await newUser(null);
    const old = await hashPassword(PASSWORD, { N: 2 ** 15, r: 8, p: 1 });
    await stack.db.updateTable('users').set({ password_hash: old }).where('id', '=', user).execute();
    const stored = async () => (await stack.db.selectFrom('users').select('password_hash').where('id', '=', user).executeTakeFirstOrThrow()).password_hash!;

    expect((await signIn({ user, password: 'wrong password', address: newAddress() })).status).toBe(401);
    expect(await stored()).toBe(old);
    expect((await signIn({ user, password: PASSWORD, address: newAddress() })).status).toBe(303);
    const rehashed = await stored();
    expect(rehashed.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(rehashed).not.toBe(old);
    expect((await signIn({ user, password: PASSWORD, address: newAddress() })).status).toBe(303);
    expect(await stored()).toBe(rehashed);
  });
});

describe('security headers (helmet)', () => {
  test('every page has a CSP with a fresh nonce, no framing, nosniff; its only inline code carries the nonce', async () => {
    const [a, b] = await Promise.all([fetch(`${proxied.baseUrl}/signin`), fetch(`${proxied.baseUrl}/signin`)]);
    const csp = a.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(b.headers.get('content-security-policy')).not.toContain(nonce);
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('x-frame-options')).toBe('DENY');
    const html = await a.text();
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  test('the API and the Swagger UI page have them too, and the Swagger page runs no inline script', async () => {
    const api = await stack.api('/api/projects', { as: null });
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const docs = await fetch(`${stack.baseUrl}/api/docs`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await docs.text();
    expect(html).toContain('<script src="/api/docs/init.js"></script>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect((await fetch(`${stack.baseUrl}/api/docs/init.js`)).headers.get('content-type')).toContain('javascript');
  });
});

describe('TRUST_PROXY', () => {
  test('behind a trusted TLS proxy the session cookie is Secure; without trust, X-Forwarded-Proto is ignored', async () => {
    const behind = await signIn({ user: await newUser(), password: PASSWORD, address: newAddress(), headers: { 'x-forwarded-proto': 'https' } });
    expect(behind.setCookie).toMatch(/;\s*Secure/i);
    expect(behind.setCookie).toMatch(/HttpOnly/i);
    const direct = await signIn({ user: await newUser(), password: PASSWORD, baseUrl: stack.baseUrl, headers: { 'x-forwarded-proto': 'https' } });
    expect(direct.status).toBe(303);
    expect(direct.setCookie).not.toMatch(/;\s*Secure/i);
  });

  test('is read and checked like every setting', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'behind nginx' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });
});

describe('API tokens expire and are revoked', () => {
  const notifications = (token: string) => fetch(`${stack.baseUrl}/api/notifications`, { headers: { authorization: `Bearer ${token}` } });

  test('an expired token is a 401; one not yet expired works', async () => {
    const user = await newUser();
    expect((await notifications(await createApiToken(stack.db, user, 'past', new Date(Date.now() - 1000)))).status).toBe(401);
    expect((await notifications(await createApiToken(stack.db, user, 'future', new Date(Date.now() + 3_600_000)))).status).toBe(200);
  });

  test('admins create tokens with an expiry, list and revoke them; a revoked token is a 401', async () => {
    const user = await newUser();
    const past = await stack.api(`/api/users/${user}/tokens`, { as: 'admin', body: { label: 'old', expiresAt: '2020-01-01T00:00:00+08:00' } });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'expiresAt', reason: 'must be in the future' }]);
    const created = await stack.api(`/api/users/${user}/tokens`, { as: 'admin', body: { label: 'phone', expiresAt: '2099-01-01T00:00:00+08:00' } });
    expect(created.status).toBe(201);
    expect((await notifications(created.body.token)).status).toBe(200);
    const listed = await stack.api(`/api/users/${user}/tokens`, { as: 'admin' });
    const phone = listed.body.items.find((t: { label: string }) => t.label === 'phone');
    expect(phone).toMatchObject({ expiresAt: '2098-12-31T16:00:00.000Z', revokedAt: null, active: true });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect((await stack.api(`/api/tokens/${phone.id}/revoke`, { as: 'admin', body: {} })).status).toBe(200);
    expect((await notifications(created.body.token)).status).toBe(401);
    expect((await stack.api(`/api/users/${user}/tokens`, { as: 'admin' })).body.items.find((t: { id: string }) => t.id === phone.id)).toMatchObject({ revokedBy: stack.userIds.admin, active: false });
    expect((await stack.api(`/api/users/${user}/tokens`, { as: 'supervisor' })).status).toBe(403);
  });

  test("a user revokes their own token, and not someone else's", async () => {
    const mine = await newUser();
    const theirs = await newUser();
    const myToken = await createApiToken(stack.db, mine, 'laptop');
    const theirToken = await createApiToken(stack.db, theirs, 'laptop');
    const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    const own = (await (await fetch(`${stack.baseUrl}/api/me/tokens`, { headers: as(myToken) })).json()) as { items: { id: string }[] };
    const theirId = (await stack.db.selectFrom('api_tokens').select('id').where('token_hash', '=', hashToken(theirToken)).executeTakeFirstOrThrow()).id;
    const other = await fetch(`${stack.baseUrl}/api/tokens/${theirId}/revoke`, { method: 'POST', headers: as(myToken), body: '{}' });
    expect(other.status).toBe(404);
    expect((await notifications(theirToken)).status).toBe(200);
    const revoked = await fetch(`${stack.baseUrl}/api/tokens/${own.items[0]!.id}/revoke`, { method: 'POST', headers: as(myToken), body: '{}' });
    expect(revoked.status).toBe(200);
    expect((await notifications(myToken)).status).toBe(401);
  });

  test('from the command line: a token with an expiry, the list, and revocation', async () => {
    const user = await newUser();
    const run = (...args: string[]) => promisify(execFile)('npx', ['tsx', 'scripts/user.ts', ...args], { env: { ...process.env, DATABASE_URL: inject('databaseUrl') } });
    const { stdout: token, stderr } = await run('token', user, '--label', 'ci', '--expires-days', '30');
    expect(stderr).toMatch(/expires \d{4}-/);
    expect((await notifications(token.trim())).status).toBe(200);
    const { stdout: list } = await run('tokens', user);
    const [id, label, state] = list.trim().split('\n')[0]!.split('\t');
    expect([label, state]).toEqual(['ci', 'active']);
    expect((await run('revoke-token', id!)).stdout).toContain(`revoked API token ${id}`);
    expect((await notifications(token.trim())).status).toBe(401);
    expect((await run('tokens', user)).stdout).toContain('revoked');
  });
});

describe('sessions', () => {
  const csrfOf = async (path: string, cookie: string) => /name="_csrf" value="([^"]+)"/.exec(await (await get(path, cookie)).text())![1]!;
  const changePassword = async (cookie: string, form: Record<string, string>) =>
    fetch(`${proxied.baseUrl}/account/password`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': newAddress() },
      body: new URLSearchParams({ _csrf: await csrfOf('/account/password', cookie), ...form }).toString(),
    });

  test('changing one’s password ends every other session, and this browser gets a new one', async () => {
    const user = await newUser();
    const here = (await signIn({ user, password: PASSWORD, address: newAddress() })).cookie!;
    const elsewhere = (await signIn({ user, password: PASSWORD, address: newAddress() })).cookie!;
    expect((await get('/notifications', elsewhere)).status).toBe(200);

    const wrong = await changePassword(here, { current: 'not it at all', new: 'a new long password', confirm: 'a new long password' });
    expect(wrong.status).toBe(401);
    const mismatch = await changePassword(here, { current: PASSWORD, new: 'a new long password', confirm: 'another long password' });
    expect(mismatch.status).toBe(400);
    const short = await changePassword(here, { current: PASSWORD, new: 'short', confirm: 'short' });
    expect(short.status).toBe(400);

    const changed = await changePassword(here, { current: PASSWORD, new: 'a new long password', confirm: 'a new long password' });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('location')).toBe('/account/password?changed=1');
    const renewed = changed.headers.getSetCookie().find((c) => c.startsWith('luodi_session='))!.split(';')[0]!;
    expect((await get('/notifications', elsewhere)).status).toBe(303);
    expect((await get('/notifications', here)).status).toBe(303);
    expect((await get('/account/password?changed=1', renewed)).status).toBe(200);
    expect((await signIn({ user, password: PASSWORD, address: newAddress() })).status).toBe(401);
    expect((await signIn({ user, password: 'a new long password', address: newAddress() })).status).toBe(303);
  });

  test('a password set by an admin (npm run user -- password) ends all the user’s sessions', async () => {
    const user = await newUser();
    const { cookie } = await signIn({ user, password: PASSWORD, address: newAddress() });
    await setPassword(stack.db, user, 'set by an admin');
    expect((await get('/notifications', cookie)).status).toBe(303);
    expect(await stack.db.selectFrom('sessions').select('token_hash').where('user_id', '=', user).execute()).toEqual([]);
  });

  test('expired sessions are purged; live ones stay', async () => {
    const user = await newUser();
    const live = await createSession(stack.db, user);
    await stack.db.insertInto('sessions').values({ token_hash: `expired-${Math.random()}`, user_id: user, csrf_token: 'x', expires_at: new Date(Date.now() - 60_000).toISOString() }).execute();
    expect(await purgeExpiredSessions(stack.db)).toBeGreaterThanOrEqual(1);
    const left = await stack.db.selectFrom('sessions').select('token_hash').where('user_id', '=', user).execute();
    expect(left).toEqual([{ token_hash: hashToken(live.token) }]);
    expect(await stack.db.selectFrom('sessions').select('token_hash').where('expires_at', '<=', sql<Date>`now()`).execute()).toEqual([]);
  });
});

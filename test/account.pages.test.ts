import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { quarterlyReportContent } from '../db/report-content.js';
import { publishReport } from '../db/reports.js';
import { userChannels } from '../db/user-channels.js';
import { setPassword } from '../db/users.js';
import { getState } from '../workflows/messages.js';
import { bundle, eventually, newCode, signInPages, startStack, type Stack, type TestUser } from './stack.js';

/**
 * The pages behind the rest of the API's user actions, without a browser: one's channels and API
 * tokens, the frozen reports and their Excel, and an admin's re-projection of a project stuck (system).
 */
let stack: Stack;
const PASSWORD = 'correct horse battery';
beforeAll(async () => {
  stack = await startStack(await bundle());
  for (const user of ['staffLand', 'supervisor', 'admin', 'coordinatorDalian'] as const) await setPassword(stack.db, stack.userIds[user], PASSWORD);
});
afterAll(async () => {
  await stack?.close();
});

async function session(user: TestUser) {
  const { cookie } = await signInPages(stack.baseUrl, stack.userIds[user], PASSWORD);
  const get = (path: string) => fetch(`${stack.baseUrl}${path}`, { redirect: 'manual', headers: { cookie: cookie! } });
  /** Posts a form found on the page at `from`, with the session's CSRF token and the form's request token. */
  const post = async (from: string, to: string, fields: Record<string, string> = {}) => {
    const page = await (await get(from)).text();
    const token = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1] ?? '';
    const body = new URLSearchParams({ _csrf: token('_csrf'), _request: token('_request'), ...fields }).toString();
    return fetch(`${stack.baseUrl}${to}`, { method: 'POST', redirect: 'manual', headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' }, body });
  };
  return { get, post, cookie: cookie! };
}

describe('my account', () => {
  test('a user turns in-app notifications off and on again, as POST /api/me/channels does', async () => {
    const staff = await session('staffLand');
    expect((await staff.get('/account/channels')).status).toBe(200);
    // An unticked box is not sent: the channel is turned off.
    const off = await staff.post('/account/channels', '/account/channels');
    expect([off.status, off.headers.get('location')]).toEqual([303, '/account/channels?saved=1']);
    expect(await userChannels(stack.db, stack.userIds.staffLand)).toEqual([{ channel: 'in_app', enabled: false }]);
    expect((await stack.api('/api/me/channels', { as: 'staffLand' })).body).toMatchObject({ in_app: false });
    await staff.post('/account/channels', '/account/channels', { in_app: 'true' });
    expect((await stack.api('/api/me/channels', { as: 'staffLand' })).body).toMatchObject({ in_app: true });
  });

  test("a user lists and revokes their own API token, which then stops working; another's is not theirs to revoke", async () => {
    const staff = await session('staffLand');
    const page = await (await staff.get('/account/tokens')).text();
    const id = /data-token="(\d+)"/.exec(page)![1]!;
    expect((await stack.api('/api/inbox', { as: 'staffLand' })).status).toBe(200);
    const revoked = await staff.post('/account/tokens', `/account/tokens/${id}/revoke`);
    expect([revoked.status, revoked.headers.get('location')]).toEqual([303, `/account/tokens?revoked=${id}`]);
    expect((await stack.api('/api/inbox', { as: 'staffLand' })).status).toBe(401);
    expect(await (await staff.get(`/account/tokens?revoked=${id}`)).text()).toContain('已吊销');

    const supervisor = await session('supervisor');
    const supervisorToken = /data-token="(\d+)"/.exec(await (await supervisor.get('/account/tokens')).text())![1]!;
    expect((await staff.post('/account/tokens', `/account/tokens/${supervisorToken}/revoke`)).status).toBe(404);
    expect((await stack.api('/api/stuck', { as: 'supervisor' })).status).toBe(200);
  });
});

describe('a form that writes a row of its own (not a workflow update)', () => {
  test('sent twice at once with the same request token adds one contact; sent again with other values, it is refused and offered afresh', async () => {
    const admin = await session('admin');
    const page = await (await admin.get('/admin/notifications/contacts/new')).text();
    const token = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)![1]!;
    const fields = { _csrf: token('_csrf'), _request: token('_request'), city: '铁岭', department: '', audience: 'coordination', userId: stack.userIds.supervisor, webhookId: '' };
    const send = (over: Record<string, string> = {}) =>
      fetch(`${stack.baseUrl}/admin/notifications/contacts`, { method: 'POST', redirect: 'manual', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, ...over }).toString() });
    const [first, second] = await Promise.all([send(), send()]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const rows = await stack.db.selectFrom('contacts').select('id').where('city', '=', '铁岭').where('user_id', '=', stack.userIds.supervisor).execute();
    expect(rows).toHaveLength(1);
    const changed = await send({ audience: 'supervisors' });
    expect(changed.status).toBe(409);
    expect(await changed.text()).toContain('已经提交过');
    expect(await stack.db.selectFrom('contacts').select('id').where('city', '=', '铁岭').execute()).toHaveLength(1);
  });
});

describe('the frozen reports', () => {
  test('supervisors list them and download each version as Excel; staff may not', async () => {
    const quarter = '2008Q3';
    await publishReport(stack.db, quarter, await quarterlyReportContent(stack.db, quarter), 'pages-test');
    const supervisor = await session('supervisor');
    const list = await (await supervisor.get('/reports')).text();
    expect(list).toMatch(new RegExp(`data-quarter="${quarter}"[\\s\\S]*href="/reports/${quarter}.xlsx"`));
    const xlsx = await supervisor.get(`/reports/${quarter}.xlsx`);
    expect([xlsx.status, xlsx.headers.get('content-type')]).toEqual([200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    expect(book.worksheets.length).toBeGreaterThan(0);
    expect((await supervisor.get(`/reports/${quarter}.xlsx?restatement=9`)).status).toBe(404);
    expect((await (await session('staffLand')).get('/reports')).status).toBe(403);
  });
});

describe("an admin's re-projection", () => {
  test('a project stuck (system) offers admins one button that writes its records again, and the project is no longer stuck', async () => {
    const code = newCode();
    expect((await stack.api('/api/projects', { body: { code, name: '重写测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed' } })).status).toBe(201);
    const poison = `page-poison-${code}`;
    await sql`alter table blockers add constraint ${sql.raw(`page_refuse_${code.replace(/\W/g, '_').toLowerCase()}`)} check (description <> ${sql.lit(poison)})`.execute(stack.db);
    try {
      expect((await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'land', description: poison } })).status).toBe(201);
      await eventually(async () => ((await stack.client.workflow.getHandle(code).query(getState)).stuck.reasons.includes('system') ? true : undefined), 20_000);
    } finally {
      await sql`alter table blockers drop constraint ${sql.raw(`page_refuse_${code.replace(/\W/g, '_').toLowerCase()}`)}`.execute(stack.db);
    }
    expect(await (await (await session('supervisor')).get(`/projects/${code}`)).text()).not.toContain('reproject-form');
    const admin = await session('admin');
    expect(await (await admin.get(`/projects/${code}`)).text()).toContain('id="reproject-form"');
    const done = await admin.post(`/projects/${code}`, `/projects/${code}/reproject`);
    expect([done.status, done.headers.get('location')]).toEqual([303, `/projects/${code}?did=reprojected`]);
    const state = await stack.client.workflow.getHandle(code).query(getState);
    expect(state.stuck.reasons).not.toContain('system');
    expect(await stack.db.selectFrom('blockers').select('description').where('project_code', '=', code).executeTakeFirst()).toEqual({ description: poison });
  });
});

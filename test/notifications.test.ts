import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { addTemplateVersion } from '../db/templates.js';
import { enqueueNotifications } from '../db/outbox.js';
import { createApiToken, createUser, setPassword } from '../db/users.js';
import { emailChannel, messageIdOf, webhookChannel, webhookSignature } from '../worker/channels.js';
import { startDispatcher } from '../worker/dispatcher.js';
import { withdraw, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { TEST_KEY_RING } from './keys.js';
import { bundle, eventually, newCode, ownDatabase, signInPages, startStack, type Stack } from './stack.js';

/** A real SMTP server on loopback that refuses one domain, and a real HTTP receiver that checks signatures. */
interface Mail {
  to: string;
  subject: string;
  messageId: string;
  text: string;
}
const mails: Mail[] = [];
const hooks: { path: string; body: Record<string, unknown>; valid: boolean }[] = [];
const SECRET = 'a-webhook-secret-of-some-length';
let smtp: SMTPServer;
let smtpPort: number;
let receiver: Server;
let receiverUrl: string;
let stack: Stack;
/** A database of this file's own: its dispatcher must not deliver, or fail, other files' notifications. */
let database: Awaited<ReturnType<typeof ownDatabase>>;
let dispatcher: { stop(): Promise<void> };
const suffix = Date.now().toString(36);
const id = (name: string) => `${name}.${suffix}`;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@invalid.test')) return callback(Object.assign(new Error('550 no such mailbox'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push({ to: (Array.isArray(m.to) ? m.to[0] : m.to)?.text ?? '', subject: m.subject ?? '', messageId: m.messageId ?? '', text: m.text ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const valid = req.headers['x-luodi-signature'] === webhookSignature(SECRET, String(req.headers['x-luodi-timestamp']), raw);
      hooks.push({ path: req.url ?? '', body: JSON.parse(raw) as Record<string, unknown>, valid });
      res.statusCode = req.url === '/fail' ? 500 : valid ? 200 : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  database = await ownDatabase('notify');
  stack = await startStack(await bundle(), { workingDayMs: 400, databaseUrl: database.databaseUrl });
  await addTemplateVersion(stack.db, {
    projectType: `notify_${suffix}`,
    name: { zh: '通知测试', en: 'Notification test' },
    escalationWorkingDays: [0, 1],
    idleWorkingDays: 300,
    tasks: [{ key: 'land', department: 'natural_resources', title: { zh: '土地落实', en: 'Land' }, dependsOn: [], dueWorkingDays: 1, fields: [] }],
  } as never, 'admin.test');
  const people: [string, string, string | null][] = [
    ['staff', 'staff', 'staff@example.test'],
    ['head', 'supervisor', 'head@example.test'],
    ['badhead', 'supervisor', 'nobody@invalid.test'],
    ['liaison', 'coordinator', 'liaison@example.test'],
  ];
  for (const [name, role, email] of people) {
    await createUser(stack.db, { id: id(name), name, role: role as never, city: '沈阳', department: role === 'staff' ? 'natural_resources' : null, email });
  }
  const contact = (body: object) => stack.api('/api/contacts', { as: 'admin', body });
  const ok = await stack.api('/api/webhooks', { as: 'admin', body: { name: '沈阳招商局群机器人', url: `${receiverUrl}/ok`, format: 'generic', secret: SECRET } });
  const failing = await stack.api('/api/webhooks', { as: 'admin', body: { name: '坏的接收端', url: `${receiverUrl}/fail`, secret: SECRET } });
  await contact({ city: '沈阳', department: 'natural_resources', audience: 'department', userId: id('staff') });
  await contact({ city: '沈阳', department: 'natural_resources', audience: 'department_head', userId: id('head') });
  await contact({ city: '沈阳', department: 'natural_resources', audience: 'department_head', userId: id('badhead') });
  await contact({ city: '沈阳', audience: 'city_bureau', webhookId: ok.body.id });
  await contact({ city: '沈阳', audience: 'city_bureau', webhookId: failing.body.id });

  dispatcher = startDispatcher(
    {
      db: stack.db,
      log: createLogger('dispatcher', 'silent'),
      channels: { email: emailChannel(`smtp://127.0.0.1:${smtpPort}`, 'luodi <luodi@example.test>'), webhook: webhookChannel(stack.db, TEST_KEY_RING) },
      maxAttempts: 3,
      backoffMs: () => 100,
    },
    100,
  );
});
afterAll(async () => {
  await dispatcher?.stop();
  await stack?.close();
  await database?.drop();
  await new Promise((r) => smtp?.close(() => r(undefined)));
  await new Promise((r) => receiver?.close(() => r(undefined)));
});

describe('escalation delivery', () => {
  test('an overdue task at rung 2 reaches the right people by email, signed webhook and in-app; failures end dead, nothing lost', async () => {
    const code = newCode();
    const handle = await stack.client.workflow.start<ProjectLandingWorkflow>('projectLanding', {
      workflowId: code,
      taskQueue: stack.taskQueue,
      args: [{ code, name: '沈阳机器人产业园', codename: null, city: '沈阳', investor: '新松', capitalType: 'domestic', outOfProvince: false, stage: 'signed', projectType: `notify_${suffix}`, liaison: id('liaison'), actor: 'coordinator' }],
    });
    // Every row ends delivered or dead: 2 rungs; in-app and email for people, webhooks for the bureau.
    const rows = await eventually(async () => {
      const r = await stack.db.selectFrom('outbox').selectAll().where('project_code', '=', code).execute();
      return r.length === 10 && r.every((x) => x.status === 'delivered' || x.status === 'dead') ? r : undefined;
    }, 30_000);
    await handle.executeUpdate(withdraw, { args: [{ requestId: `w-${code}`, reason: 'test done', actor: { id: 'coordinator', department: null, city: null } }] });

    const mine = (to: string) => mails.filter((m) => m.to.includes(to) && m.text.includes(code));
    expect(mine('staff@example.test').map((m) => m.subject)).toEqual(['【到期提醒】沈阳机器人产业园：土地落实已到期']);
    expect(mine('liaison@example.test')).toHaveLength(1);
    const notice = mine('head@example.test');
    expect(notice.map((m) => m.subject)).toEqual(['【督办单】沈阳机器人产业园：土地落实已逾期（第2级督办）']);
    expect(notice[0]!.text).toContain('责任部门：自然资源');
    expect(notice[0]!.text).toContain(`/projects/${code}`);
    expect(notice[0]!.messageId).toBe(messageIdOf(`${code}/task/land/rung/2/department_head/user:${id('head')}/email`));

    const okHooks = hooks.filter((x) => x.path === '/ok' && x.body.projectCode === code);
    expect(okHooks).toHaveLength(1);
    expect(okHooks[0]).toMatchObject({ valid: true, body: { kind: 'escalation', audience: 'city_bureau', subject: expect.stringContaining('督办单') } });

    // The bad address and the failing receiver were tried three times each, then left dead for an admin.
    const dead = rows.filter((r) => r.status === 'dead');
    expect(dead.map((r) => r.channel).sort()).toEqual(['email', 'webhook']);
    for (const r of dead) {
      const attempts = await stack.db.selectFrom('outbox_attempts').select('ok').where('outbox_id', '=', r.id).execute();
      expect(attempts.map((a) => a.ok)).toEqual([false, false, false]);
    }
    expect(hooks.filter((x) => x.path === '/fail' && x.body.projectCode === code)).toHaveLength(3);
    const listed = await stack.api('/api/outbox?status=dead', { as: 'admin' });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining(dead.map((r) => r.id)));

    // The rung-2 message links to the printable supervision notice (督办单).
    expect(notice[0]!.text).toContain(`/notices/${code}/land/2`);
    await setPassword(stack.db, id('head'), 'a long enough password');
    const { cookie } = await signInPages(stack.baseUrl, id('head'), 'a long enough password');
    const page = await fetch(`${stack.baseUrl}/notices/${code}/land/2`, { headers: { cookie: cookie! } });
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const text of ['督 办 单', '沈阳机器人产业园', '土地落实', '自然资源', '第 2 级', '部门负责人', '天']) expect(html).toContain(text);
    expect((await fetch(`${stack.baseUrl}/notices/${code}/land/9`, { headers: { cookie: cookie! } })).status).toBe(404);

    // The pages show the same notices, with the unread count in the header.
    const staffPage = await signInPages(stack.baseUrl, id('staff'), 'a long enough password').catch(() => null);
    expect(staffPage?.status ?? 401).toBe(401); // no password yet
    await setPassword(stack.db, id('staff'), 'a long enough password');
    const { cookie: staffCookie } = await signInPages(stack.baseUrl, id('staff'), 'a long enough password');
    const listPage = await (await fetch(`${stack.baseUrl}/notifications`, { headers: { cookie: staffCookie! } })).text();
    expect(listPage).toContain('【到期提醒】沈阳机器人产业园：土地落实已到期');
    expect(listPage).toMatch(/id="unread">通知 <span class="badge red">\d+<\/span>/);
    const unreadBefore = Number(/id="unread">通知 <span class="badge red">(\d+)/.exec(listPage)![1]);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(listPage)![1]!;
    const firstId = /action="\/notifications\/(\d+)\/read"/.exec(listPage)![1]!;
    const marked = await fetch(`${stack.baseUrl}/notifications/${firstId}/read`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: staffCookie!, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${csrf}`,
    });
    expect(marked.status).toBe(303);
    const after = await (await fetch(`${stack.baseUrl}/notifications`, { headers: { cookie: staffCookie! } })).text();
    const unreadAfter = Number(/id="unread">通知 <span class="badge red">(\d+)/.exec(after)?.[1] ?? 0);
    expect(unreadAfter).toBe(unreadBefore - 1);

    // In-app, with an unread count.
    const staffToken = await createApiToken(stack.db, id('staff'), 'test');
    const inbox = await stack.api('/api/notifications', { as: null, headers: { authorization: `Bearer ${staffToken}` } });
    const ours = inbox.body.items.filter((n: { link: string }) => n.link.endsWith(code));
    expect(ours.map((n: { subject: string }) => n.subject)).toEqual(['【到期提醒】沈阳机器人产业园：土地落实已到期']);
    const unread = inbox.body.unread;
    await stack.api(`/api/notifications/${ours[0].id}/read`, { as: null, headers: { authorization: `Bearer ${staffToken}` }, body: {} });
    // Marking read is idempotent: a notice already read on the page stays read and counts once.
    expect((await stack.api('/api/notifications', { as: null, headers: { authorization: `Bearer ${staffToken}` } })).body.unread).toBe(unread - (ours[0].readAt ? 0 : 1));

    // An admin re-drives a dead one: it is tried again (and, still failing, ends dead again).
    const again = dead.find((r) => r.channel === 'webhook')!;
    expect((await stack.api(`/api/outbox/${again.id}/redrive`, { as: 'admin', body: {} })).status).toBe(200);
    await eventually(async () => {
      const r = await stack.db.selectFrom('outbox').select(['status', 'attempts']).where('id', '=', again.id).executeTakeFirstOrThrow();
      return r.status === 'dead' && r.attempts === 3 ? true : undefined;
    }, 15_000);
    expect(hooks.filter((x) => x.path === '/fail' && x.body.projectCode === code)).toHaveLength(6);
  });
});

describe('who receives what', () => {
  test('a user who turns email off gets in-app only; an unknown contact is refused', async () => {
    const user = id('quiet');
    await createUser(stack.db, { id: user, name: 'quiet', role: 'supervisor', city: null, department: null, email: 'quiet@example.test' });
    const token = await createApiToken(stack.db, user, 'test');
    const auth = { authorization: `Bearer ${token}` };
    expect((await stack.api('/api/me/channels', { as: null, headers: auth })).body).toEqual({ in_app: true, email: true, emailAddress: 'quiet@example.test' });
    await stack.api('/api/me/channels', { as: null, headers: auth, body: { email: false } });
    await stack.api('/api/contacts', { as: 'admin', body: { city: '全省', audience: 'supervisors', userId: user } });
    const key = `report/test-${suffix}`;
    await enqueueNotifications(stack.db, [{ dedupeKey: key, projectCode: '', kind: 'report', audience: 'supervisors', city: '全省', department: null, payload: { quarter: '2030Q1', version: 'frozen' }, requestedAt: new Date().toISOString() }], 'http://luodi.test');
    const rows = await stack.db.selectFrom('outbox').select(['channel', 'user_id', 'subject']).where('dedupe_key', 'like', `${key}/%`).execute();
    expect(rows).toEqual([{ channel: 'in_app', user_id: user, subject: '【调度报告】2030Q1 frozen' }]);

    // Removed, the contact receives nothing more.
    const contacts = await stack.api('/api/contacts', { as: 'admin' });
    const theirs = contacts.body.items.find((c: { user_id: string }) => c.user_id === user);
    expect((await stack.api(`/api/contacts/${theirs.id}`, { as: 'admin', method: 'DELETE' })).status).toBe(204);
    await enqueueNotifications(stack.db, [{ dedupeKey: `${key}-2`, projectCode: '', kind: 'report', audience: 'supervisors', city: '全省', department: null, payload: {}, requestedAt: new Date().toISOString() }], 'http://luodi.test');
    expect(await stack.db.selectFrom('outbox').select('id').where('dedupe_key', 'like', `${key}-2/user:${user}/%`).execute()).toEqual([]);

    const bad = await stack.api('/api/contacts', { as: 'admin', body: { city: '沈阳', audience: 'city_leader', userId: 'nobody.at.all' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'userId', reason: 'no such user' }]);
  });
});


import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { setPassword } from '../db/users.js';
import { webhookChannel, webhookSignature } from '../worker/channels.js';
import { startDispatcher } from '../worker/dispatcher.js';
import { launchBrowser, requireBrowser } from './browser.js';
import { TEST_KEY_RING } from './keys.js';
import { bundle, eventually, ownDatabase, signInPages, startStack, type Stack } from './stack.js';

// A missing browser fails the suite here, at once, in one line naming the install command.
requireBrowser();

/** Each admin page's screenshot goes to test-results/screenshots, as the other browser tests' do. */
const SCREENSHOTS = new URL('../test-results/screenshots/', import.meta.url).pathname;
const PASSWORD = 'correct horse battery';
const SECRET = 'a-webhook-secret-of-some-length';
/** A year the test removes from the calendar, so that loading it adds its days again. */
const YEAR = 2004;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let stack: Stack;
/** A database of this file's own: its dispatcher must not deliver, or fail, other files' notifications. */
let database: Awaited<ReturnType<typeof ownDatabase>>;
let browser: Browser;
let dispatcher: { stop(): Promise<void> };
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  database = await ownDatabase('admin');
  stack = await startStack(await bundle(), { databaseUrl: database.databaseUrl });
  await setPassword(stack.db, stack.userIds.admin, PASSWORD);
  await stack.db.deleteFrom('calendar_days').where('day', '>=', `${YEAR}-01-01`).where('day', '<=', `${YEAR}-12-31`).execute();
  // A webhook receiver on loopback only: what the dispatcher delivers arrives here.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // The real dispatcher, with the real webhook channel (signing and all), polling the outbox.
  const failEmail = async () => {
    throw new Error('no SMTP server in this test');
  };
  dispatcher = startDispatcher({ db: stack.db, log: createLogger('dispatcher', 'silent'), channels: { email: failEmail, webhook: webhookChannel(stack.db, TEST_KEY_RING) } }, 100);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await dispatcher?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.close();
  await database?.drop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}admin-${name}.png`, fullPage: true });

async function signIn(userId: string, password: string, width = 1024): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/signin`);
  await page.fill('#user', userId);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  return page;
}

/** Submits a form and waits for the page it leads to. */
async function submit(page: Page, formId: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(`#${formId} button[type=submit]`)]);
}

/** Webhook deliveries that arrived with this subject. */
const arrived = (subject: string) => received.filter((r) => (JSON.parse(r.body) as { subject: string }).subject === subject);

describe('an admin, in the browser, without curl or a shell', () => {
  let page: Page;
  const newUser = `li.si.${Date.now().toString(36)}`;

  beforeAll(async () => {
    page = await signIn(stack.userIds.admin, PASSWORD, 390);
    await page.waitForURL(/\/admin$/);
  });
  afterAll(async () => {
    await page?.context().close();
  });

  test('lands on the admin page, on a phone-sized screen, with a link to each area', async () => {
    expect(await page.locator('a.card.area').count()).toBe(6);
    await shot(page, '1-home-390px');
    await page.click('a[href="/admin/users"]');
    await page.waitForURL(/\/admin\/users$/);
    await shot(page, '2-users-390px');
    await page.setViewportSize({ width: 1024, height: 800 });
  });

  test('adds a user with a password, who can then sign in', async () => {
    await page.goto(`${stack.baseUrl}/admin/users/new`);
    await page.fill('#f-id', newUser);
    await page.fill('#f-name', '李四');
    await page.selectOption('#f-role', 'staff');
    await page.selectOption('#f-city', '沈阳');
    await page.fill('#f-password', PASSWORD);
    // Staff need a department: the API's schema says so, beside the field.
    await submit(page, 'user-form');
    await expect(page.locator('#err-department').textContent()).resolves.toBe('必填');
    await shot(page, '3-add-user-refused');
    await page.selectOption('#f-department', 'natural_resources');
    await page.fill('#f-password', PASSWORD);
    await submit(page, 'user-form');
    expect(page.url()).toContain(`/admin/users/${newUser}?done=userAdded`);
    await expect(page.locator('.flash').textContent()).resolves.toContain(newUser);

    const user = await signIn(newUser, PASSWORD);
    await user.waitForURL(/\/inbox$/);
    await user.context().close();
  });

  test('issues an API token, shown once, that works against the API; then revokes it', async () => {
    await page.goto(`${stack.baseUrl}/admin/users/${newUser}`);
    await page.click('#issue-token');
    await page.fill('#f-label', '对接系统');
    await submit(page, 'token-form');
    const token = (await page.locator('#new-token').textContent())!.trim();
    expect(token).toMatch(/^luodi_/);
    await shot(page, '4-token-shown-once');
    const me = await fetch(`${stack.baseUrl}/api/me/tokens`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    // Shown once: the same page again no longer shows it.
    await page.reload();
    expect(await page.locator('#new-token').count()).toBe(0);
    await expect(page.locator('.alert').textContent()).resolves.toContain('不再显示');

    await page.goto(`${stack.baseUrl}/admin/users/${newUser}`);
    await shot(page, '5-user');
    await Promise.all([page.waitForNavigation(), page.click('tr[data-token] button')]);
    await expect(page.locator('.flash').textContent()).resolves.toContain('已吊销');
    expect((await fetch(`${stack.baseUrl}/api/me/tokens`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  test('sets a password, then disables the user', async () => {
    await page.goto(`${stack.baseUrl}/admin/users/${newUser}/password`);
    await page.fill('#f-password', 'short');
    // form.submit() skips the browser's check: the server's (the API's schema) refuses it.
    await Promise.all([page.waitForNavigation(), page.locator('#password-form').evaluate((form) => (form as unknown as { submit(): void }).submit())]);
    await expect(page.locator('#err-password').textContent()).resolves.toContain('at least 10');
    await page.fill('#f-password', 'another long password');
    await submit(page, 'password-form');
    await expect(page.locator('.flash').textContent()).resolves.toContain(newUser);
    const user = await signIn(newUser, 'another long password');
    await user.waitForURL(/\/inbox$/);
    await user.context().close();

    await Promise.all([page.waitForNavigation(), page.click('#disable-user')]);
    await expect(page.locator('#user-details').textContent()).resolves.toContain('已停用');
    expect((await signInPages(stack.baseUrl, newUser, 'another long password')).status).toBe(401);
  });

  test("sets a city's annual target", async () => {
    await page.goto(`${stack.baseUrl}/admin/targets/new`);
    await page.fill('#f-year', '2031');
    await page.selectOption('#f-city', '大连');
    await page.selectOption('#f-category', 'foreign');
    await page.fill('#f-amountMinor', '1500000');
    // A foreign target is in dollars: the refusal stands beside the category.
    await submit(page, 'target-form');
    await expect(page.locator('#err-category').textContent()).resolves.toContain('must be USD');
    await page.selectOption('select[name=amountMinor__currency]', 'USD');
    await submit(page, 'target-form');
    expect(page.url()).toContain('/admin/targets?year=2031');
    await expect(page.locator('tr[data-target="大连/foreign"]').textContent()).resolves.toContain('1500000.00 USD');
    await shot(page, '6-targets');
  });

  test('loads a calendar year and changes a day', async () => {
    await page.goto(`${stack.baseUrl}/admin/calendar`);
    expect(await page.locator(`tr[data-year="${YEAR}"]`).count()).toBe(0);
    await page.click('#load-year');
    await page.selectOption('#f-year', String(YEAR));
    await submit(page, 'calendar-load-form');
    expect(page.url()).toContain(`/admin/calendar/${YEAR}?done=calendarLoaded`);
    // 2004's Spring Festival, as the State Council published it.
    await expect(page.locator(`tr[data-day="${YEAR}-01-22"]`).textContent()).resolves.toContain('节假日');

    await page.goto(`${stack.baseUrl}/admin/calendar/days/new`);
    await page.fill('#f-day', `${YEAR}-01-22`);
    await page.selectOption('#f-kind', 'workday');
    await page.fill('#f-name', '测试调整');
    await submit(page, 'calendar-day-form');
    const row = page.locator(`tr[data-day="${YEAR}-01-22"]`);
    await expect(row.textContent()).resolves.toContain('调休工作日');
    await expect(row.textContent()).resolves.toContain(`admin:${stack.userIds.admin}`);
    await shot(page, '7-calendar-year');
    await page.goto(`${stack.baseUrl}/admin/calendar`);
    await expect(page.locator(`tr[data-year="${YEAR}"]`).textContent()).resolves.toMatch(/\d+/);
    await shot(page, '8-calendar');
  });

  test('adds a webhook and a contact, and a test delivery arrives, signed, at the receiver', async () => {
    await page.goto(`${stack.baseUrl}/admin/notifications/webhooks/new`);
    await page.fill('#f-name', '测试接收端');
    await page.fill('#f-url', receiverUrl);
    await page.selectOption('#f-format', 'generic');
    await page.fill('#f-secret', SECRET);
    await submit(page, 'webhook-form');
    const row = page.locator('tr[data-webhook]', { hasText: '测试接收端' });
    const webhookId = await row.getAttribute('data-webhook');

    await page.click('#add-contact');
    await page.selectOption('#f-city', '沈阳');
    await page.selectOption('#f-audience', 'city_leader');
    await page.selectOption('#f-webhookId', webhookId!);
    await submit(page, 'contact-form');
    await expect(page.locator('.flash').textContent()).resolves.toContain('已添加联系人');
    expect(await page.locator('tr[data-contact]', { hasText: '测试接收端' }).count()).toBe(1);

    await Promise.all([page.waitForNavigation(), page.locator(`tr[data-webhook="${webhookId}"] button`).click()]);
    await expect(page.locator('.flash').textContent()).resolves.toContain('测试消息已进入发送队列');
    await shot(page, '9-contacts-and-webhooks');
    const delivery = await eventually(async () => arrived('luodi 测试消息')[0]);
    const timestamp = delivery.headers['x-luodi-timestamp'] as string;
    expect(delivery.headers['x-luodi-signature']).toBe(webhookSignature(SECRET, timestamp, delivery.body));
    expect(JSON.parse(delivery.body)).toMatchObject({ kind: 'webhook_test', subject: 'luodi 测试消息' });

    // Removing the contact.
    await Promise.all([page.waitForNavigation(), page.locator('tr[data-contact]', { hasText: '测试接收端' }).locator('button').click()]);
    expect(await page.locator('tr[data-contact]', { hasText: '测试接收端' }).count()).toBe(0);
  });

  test('uploads a template with an error, sees it beside the field, then a valid one', async () => {
    const projectType = `park_${Date.now().toString(36)}`;
    const template = (taskKey: string) => ({
      projectType,
      name: { zh: '园区项目', en: 'Park project' },
      tasks: [{ key: taskKey, department: 'commerce', title: { zh: '签约', en: 'Signing' }, dependsOn: [], dueWorkingDays: 5, fields: [] }],
    });
    await page.goto(`${stack.baseUrl}/admin/templates/new`);
    await page.fill('#f-definition', JSON.stringify(template('Bad Key'), null, 2));
    await submit(page, 'template-form');
    await expect(page.locator('#err-definition').textContent()).resolves.toContain('tasks.0.key: must be lower_snake_case');
    await shot(page, '10-template-refused');
    await page.fill('#f-definition', JSON.stringify(template('signing'), null, 2));
    await submit(page, 'template-form');
    await expect(page.locator('.flash').textContent()).resolves.toContain(`${projectType} v1`);
    await shot(page, '11-templates');
    await page.click(`tr[data-template="${projectType}/1"] a`);
    await expect(page.locator('#template-json').textContent()).resolves.toContain('"signing"');
    await shot(page, '12-template-version');
  });

  test('re-drives a dead notification, which the dispatcher then delivers', async () => {
    const webhook = await stack.db.selectFrom('webhook_endpoints').select('id').where('url', '=', receiverUrl).executeTakeFirstOrThrow();
    const { id } = await stack.db
      .insertInto('outbox')
      .values({
        dedupe_key: `dead/${Date.now()}`,
        project_code: '',
        kind: 'escalation',
        audience: 'city_leader',
        channel: 'webhook',
        webhook_id: webhook.id,
        subject: '死信重投',
        body: '测试',
        link: '/',
        payload: '{}',
        status: 'dead',
        attempts: 6,
        last_error: 'the receiver answered 500 Internal Server Error',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await page.goto(`${stack.baseUrl}/admin/outbox`);
    const card = page.locator(`[data-outbox="${id}"]`);
    await expect(card.textContent()).resolves.toContain('500 Internal Server Error');
    await shot(page, '13-dead-notifications');
    await Promise.all([page.waitForNavigation(), card.locator('button').click()]);
    await expect(page.locator('.flash').textContent()).resolves.toContain(id);
    expect(await page.locator(`[data-outbox="${id}"]`).count()).toBe(0);
    await eventually(async () => (arrived('死信重投').length ? true : undefined));
  });

  test('the admin pages speak English too', async () => {
    await page.goto(`${stack.baseUrl}/admin?lang=en`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Administration');
    await shot(page, '14-home-english');
  });
});

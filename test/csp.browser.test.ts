import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setPassword } from '../db/users.js';
import { launchBrowser, requireBrowser } from './browser.js';
import { bundle, eventually, newCode, startStack, type Stack, type TestUser } from './stack.js';

/** Every page, and the Swagger UI, works in Chromium under the Content-Security-Policy, which the browser enforces. */
requireBrowser();
const PASSWORD = 'correct horse battery';
let stack: Stack;
let browser: Browser;
let code: string;

beforeAll(async () => {
  stack = await startStack(await bundle());
  for (const user of ['staffLand', 'supervisor'] as const) await setPassword(stack.db, stack.userIds[user], PASSWORD);
  code = newCode();
  expect((await stack.api('/api/projects', { body: { code, name: 'CSP 测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed' } })).status).toBe(201);
  await eventually(async () => ((await stack.db.selectFrom('tasks').select('status').where('project_code', '=', code).where('task_key', '=', 'land').executeTakeFirst())?.status === 'open' ? true : undefined));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A page whose every CSP violation (as Chromium reports it on the console) is kept. */
async function openPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' })).newPage();
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(`${page.url()}: ${msg.text()}`);
  });
  return { page, violations };
}

async function signIn(user: TestUser) {
  const opened = await openPage();
  await opened.page.goto(`${stack.baseUrl}/signin`);
  await opened.page.fill('#user', stack.userIds[user]);
  await opened.page.fill('#password', PASSWORD);
  await opened.page.click('button[type=submit]');
  await opened.page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  return opened;
}

describe('under the Content-Security-Policy', () => {
  test("staff pages work: the task form's browser check runs, from a served script", async () => {
    const { page, violations } = await signIn('staffLand');
    for (const path of ['/inbox', `/projects/${code}`, '/notifications', '/account/password']) {
      expect((await page.goto(`${stack.baseUrl}${path}`))!.status(), path).toBe(200);
    }
    await page.goto(`${stack.baseUrl}/projects/${code}/tasks/land`);
    await page.fill('#f-land_payment', '12.345');
    await page.click('#task-form button[type=submit]');
    await expect(page.locator('#err-land_payment').textContent()).resolves.toBe('请输入金额，最多两位小数');
    expect(page.url()).toMatch(/\/tasks\/land$/);
    expect(violations).toEqual([]);
  });

  test('the dashboard draws its charts; the stuck list and project pages render', async () => {
    const { page, violations } = await signIn('supervisor');
    await page.goto(`${stack.baseUrl}/dashboard?period=2017Q1`);
    await page.waitForSelector('body[data-charts=ready]');
    // The stages chart always has this file's project to draw (the others may have nothing in the
    // run's database at that moment, and then say so instead of drawing).
    expect(await page.locator('#chart-stages canvas').count()).toBeGreaterThan(0);
    for (const path of ['/stuck', `/projects/${code}`]) expect((await page.goto(`${stack.baseUrl}${path}`))!.status()).toBe(200);
    expect(violations).toEqual([]);
  });

  test('the Swagger UI at /api/docs renders the API', async () => {
    const { page, violations } = await openPage();
    await page.goto(`${stack.baseUrl}/api/docs`);
    await expect(page.locator('.swagger-ui .info .title').textContent({ timeout: 15_000 })).resolves.toContain('luodi');
    await page.locator('.opblock-summary-path', { hasText: '/api/projects' }).first().waitFor();
    expect(violations).toEqual([]);
  });

  test('an inline script without the nonce does not run, and the browser says why', async () => {
    const { page, violations } = await openPage();
    await page.goto(`${stack.baseUrl}/signin`);
    // Run in the page (a string: this file has no DOM types).
    const ran = await page.evaluate(`(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.appendChild(script);
      await new Promise((r) => setTimeout(r, 100));
      return window.injected === true;
    })()`);
    expect(ran).toBe(false);
    await eventually(async () => (violations.length ? true : undefined), 5000);
    expect(violations[0]).toMatch(/script-src/);
  });
});

import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setPassword } from '../db/users.js';
import { launchBrowser, requireBrowser } from './browser.js';
import { bundle, eventually, newCode, startStack, type Stack, type TestUser } from './stack.js';

// A missing browser fails the suite here, at once, in one line naming the install command.
requireBrowser();

/** Debian's chromium, driven by playwright-core; each page's screenshot goes to test-results/screenshots. */
const SCREENSHOTS = new URL('../test-results/screenshots/', import.meta.url).pathname;
const PASSWORD = 'correct horse battery';
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startStack(await bundle());
  for (const user of ['staffLand', 'supervisor', 'coordinatorShenyang', 'verifier'] as const) await setPassword(stack.db, stack.userIds[user], PASSWORD);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function signedProject(name: string): Promise<string> {
  const code = newCode();
  const res = await stack.api('/api/projects', { body: { code, name, city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', liaison: 'liaison.wang' } });
  expect(res.status).toBe(201);
  await eventually(async () => ((await stack.db.selectFrom('tasks').select('status').where('project_code', '=', code).where('task_key', '=', 'land').executeTakeFirst())?.status === 'open' ? true : undefined));
  return code;
}

async function signIn(user: TestUser, next = '/'): Promise<Page> {
  // A phone-sized window: the pages are used on phones.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/signin?next=${encodeURIComponent(next)}`);
  await page.fill('#user', stack.userIds[user]);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

describe('department staff', () => {
  test('sign in, open the inbox, submit the form with an invalid then a valid value, and see the task done', async () => {
    const code = await signedProject('沈阳机器人产业园');
    const page = await signIn('staffLand', '/inbox');
    await page.waitForURL(/\/inbox$/);
    await shot(page, '1-inbox');
    const card = page.locator(`[data-task="${code}/land"]`);
    await expect(card.textContent()).resolves.toContain('土地落实并缴纳土地款');

    await card.locator('a').click();
    await page.waitForURL(new RegExp(`/projects/${code}/tasks/land$`));
    await page.fill('#f-parcel', 'SY-2018-017');
    await page.fill('#f-land_payment', '12.345');
    await page.fill('#f-payment_voucher', 'JS-2018-0601');
    await page.click('#task-form button[type=submit]');
    // Checked in the browser: the message stands beside the field, and nothing was sent.
    await expect(page.locator('#err-land_payment').textContent()).resolves.toBe('请输入金额，最多两位小数');
    expect(page.url()).toMatch(/\/tasks\/land$/);
    await shot(page, '2-task-form-invalid-in-browser');

    // Checked again on the server: a value the browser lets through is refused there, beside its field.
    await page.fill('#f-land_payment', '1200000.50');
    await page.fill('#f-payment_voucher', 'JS 2018');
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/tasks/land'));
    // form.submit() sends without the browser's check, as a client without scripts would.
    await page.locator('#task-form').evaluate((form) => (form as unknown as { submit(): void }).submit());
    expect((await posted).status()).toBe(400);
    await page.waitForLoadState();
    await expect(page.locator('#err-payment_voucher').textContent()).resolves.toBe('请输入凭证或文件编号（不含空格）');
    await expect(page.locator('#f-parcel').inputValue()).resolves.toBe('SY-2018-017');
    await shot(page, '3-task-form-invalid-on-server');

    await page.fill('#f-payment_voucher', 'JS-2018-0601');
    await page.click('#task-form button[type=submit]');
    await page.waitForURL(new RegExp(`/projects/${code}\\?done=land$`));
    await expect(page.locator('.flash').textContent()).resolves.toContain('任务已办结');
    await expect(page.locator('tr[data-task="land"]').textContent()).resolves.toContain('已办结');
    await expect(page.locator('tr[data-task="land"]').textContent()).resolves.toContain('1200000.50 CNY');
    await shot(page, '4-project-task-done');

    const task = (await stack.api(`/api/projects/${code}`)).body.tasks.find((t: { key: string }) => t.key === 'land');
    expect(task).toMatchObject({ status: 'done', completedBy: stack.userIds.staffLand, data: { land_payment: { amountMinor: '120000050', currency: 'CNY' } } });
    await page.context().close();
  });

  test('the pages switch to English', async () => {
    const page = await signIn('staffLand', '/inbox');
    await page.waitForURL(/\/inbox$/);
    await page.click('a[lang=en]');
    await expect(page.locator('h1').textContent()).resolves.toContain('Inbox');
    await shot(page, '5-inbox-english');
    await page.context().close();
  });
});

describe('supervisors', () => {
  test('find the stuck project and open it', async () => {
    const code = await signedProject('丹东港物流园');
    await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'land', description: '土地指标不足' } });
    await eventually(async () => ((await stack.db.selectFrom('projects').select('stuck').where('code', '=', code).executeTakeFirst())?.stuck ? true : undefined));
    const page = await signIn('supervisor', '/stuck');
    await page.waitForURL(/\/stuck$/);
    const row = page.locator(`tr[data-project="${code}"]`);
    await expect(row.textContent()).resolves.toContain('瓶颈未解决');
    await shot(page, '6-stuck-list');
    await row.locator(`a[href="/projects/${code}"]`).click();
    await page.waitForURL(new RegExp(`/projects/${code}$`));
    await expect(page.locator('main').textContent()).resolves.toContain('土地指标不足');
    await shot(page, '7-project-page');
    await page.context().close();
  });
});

describe('the supervisors dashboard', () => {
  test('a chart with nothing to draw says what is missing instead', async () => {
    const page = await signIn('supervisor', '/dashboard?period=2001Q1&city=沈抚新区');
    await page.waitForURL(/\/dashboard\?/);
    await page.waitForSelector('body[data-charts=ready]');
    await expect(page.locator('[data-empty="chart-stages"]').textContent()).resolves.toContain('没有项目');
    expect(await page.locator('#chart-stages').count()).toBe(0);
    await shot(page, '8-dashboard-empty');
    await page.context().close();
  });

  test('draws the charts with ECharts and exports every table to Excel with Chinese headers', async () => {
    const page = await signIn('supervisor', '/dashboard?period=2017Q1');
    await page.waitForURL(/\/dashboard\?period=2017Q1$/);
    await page.waitForSelector('body[data-charts=ready]');
    // Projects by stage as bars (a funnel would claim one cohort's passage from step to step).
    expect(await page.locator('#chart-stages canvas, #chart-stages svg').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-funnel').count()).toBe(0);
    // Read on a phone: every chart fits the 390 px window, none wider than the page.
    for (const id of ['chart-stages', 'chart-funds', 'chart-schedule', 'chart-stuck']) {
      // (A chart with nothing to draw is a sentence instead: see the test above.)
      const chart = page.locator(`#${id}`);
      if (!(await chart.count())) continue;
      const box = (await chart.boundingBox())!;
      expect(box.x + box.width, id).toBeLessThanOrEqual(390);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.locator('#city-table tbody tr').count()).toBe(15);
    await shot(page, '8-dashboard');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile((await download.path())!)) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['阶段分布', '到位资金与目标', '卡住项目']);
    const funds = workbook.getWorksheet('到位资金与目标')!;
    expect(funds.getRow(2).values).toEqual([undefined, '城市', '年初至今实际到位资金（亿元）', '年度目标（亿元）', '完成率（%）', '超欠进度（百分点）']);
    expect(funds.getRow(3).getCell(1).value).toBe('沈阳');
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    await page.context().close();
  });

  test('a bad period is explained on the page', async () => {
    const page = await signIn('supervisor', '/dashboard?period=2017Q9');
    await page.waitForURL(/\/dashboard/);
    await expect(page.locator('form .error').textContent()).resolves.toContain('2017Q1');
    await page.context().close();
  });
});

describe('the funds ledger', () => {
  test('a coordinator records funds, refused then accepted; a verifier verifies them from the queue; a reversal waits for verification too; a capital increase records its increment', async () => {
    const code = newCode();
    const created = await stack.api('/api/projects', {
      body: { code, name: '沈阳新能源电池项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', contracted: { amountMinor: '1000000000', currency: 'CNY' } },
    });
    expect(created.status).toBe(201);
    const coordinator = await signIn('coordinatorShenyang', `/projects/${code}`);
    await coordinator.waitForURL(new RegExp(`/projects/${code}$`));
    await coordinator.click('#record-funds');
    await coordinator.waitForURL(new RegExp(`/projects/${code}/funds/new$`));
    await coordinator.fill('#f-amountMinor', '250万');
    await coordinator.fill('#f-receivedOn', '2017-03-15');
    await coordinator.click('#funds-form button[type=submit]');
    await expect(coordinator.locator('#err-amountMinor').textContent()).resolves.toBe('请输入金额，最多两位小数');
    await expect(coordinator.locator('#err-evidence').textContent()).resolves.toBe('必填');
    await shot(coordinator, '9-funds-form-invalid');

    // The server checks again: sent without the browser's check, every bad field is named at once.
    const posted = coordinator.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/projects/${code}/funds`));
    await coordinator.locator('#funds-form').evaluate((form) => (form as unknown as { submit(): void }).submit());
    expect((await posted).status()).toBe(400);
    await coordinator.waitForLoadState();
    await expect(coordinator.locator('#err-amountMinor').textContent()).resolves.toBe('请输入金额，最多两位小数');
    await expect(coordinator.locator('#err-evidence').textContent()).resolves.toBe('必填');
    await expect(coordinator.locator('#f-receivedOn').inputValue()).resolves.toBe('2017-03-15');
    expect((await stack.api(`/api/projects/${code}/funds`)).body.items).toEqual([]);

    await coordinator.fill('#f-amountMinor', '2,500,000.00');
    await coordinator.fill('#f-evidence', '工行回单 0315-001');
    await coordinator.click('#funds-form button[type=submit]');
    await coordinator.waitForURL(new RegExp(`/projects/${code}\\?funds=recorded:F1`));
    await expect(coordinator.locator('.flash').textContent()).resolves.toContain('到位资金已录入');
    await expect(coordinator.locator('tr[data-entry=F1]').textContent()).resolves.toMatch(/2500000\.00 CNY[\s\S]*待核实/);
    // Whoever recorded the funds is offered no way to verify them.
    expect(await coordinator.locator('form.verify').count()).toBe(0);
    await expect(coordinator.locator('[data-total=CNY]').textContent()).resolves.toContain('已核实到位: 0.00 CNY / 合同投资额 10000000.00 CNY (0.0%)');
    await shot(coordinator, '10-funds-recorded');

    const verifier = await signIn('verifier', '/funds');
    await verifier.waitForURL(/\/funds$/);
    const card = verifier.locator(`[data-entry="${code}/F1"]`);
    await expect(card.textContent()).resolves.toContain('2500000.00 CNY');
    await shot(verifier, '11-funds-queue');
    await card.locator('button').click();
    await verifier.waitForURL(/\/funds\?funds=verified:F1$/);
    expect(await verifier.locator(`[data-entry="${code}/F1"]`).count()).toBe(0);
    const [entry] = (await stack.api(`/api/projects/${code}/funds`)).body.items;
    expect(entry).toMatchObject({ id: 'F1', amountMinor: '250000000', currency: 'CNY', receivedOn: '2017-03-15', evidence: '工行回单 0315-001', enteredBy: stack.userIds.coordinatorShenyang, verifiedBy: stack.userIds.verifier });

    await coordinator.reload();
    await expect(coordinator.locator('[data-total=CNY]').textContent()).resolves.toContain('已核实到位: 2500000.00 CNY / 合同投资额 10000000.00 CNY (25.0%)');
    await shot(coordinator, '12-funds-verified');

    // A mistake is corrected by a reversal, which counts only once verified in turn.
    await coordinator.locator('tr[data-entry=F1] a').click();
    await coordinator.waitForURL(new RegExp(`/projects/${code}/funds/F1/reverse$`));
    await coordinator.click('#reverse-form button[type=submit]');
    await expect(coordinator.locator('#err-reason').textContent()).resolves.toBe('必填');
    await coordinator.fill('#f-reason', '回单重复录入');
    await coordinator.click('#reverse-form button[type=submit]');
    await coordinator.waitForURL(new RegExp(`/projects/${code}\\?funds=reversed:F2`));
    await expect(coordinator.locator('tr[data-entry=F1]').textContent()).resolves.toContain('已被冲正 F2');
    await expect(coordinator.locator('tr[data-entry=F2]').textContent()).resolves.toMatch(/-2500000\.00 CNY[\s\S]*待核实/);
    await expect(coordinator.locator('[data-total=CNY]').textContent()).resolves.toContain('已核实到位: 2500000.00 CNY /');
    expect(await coordinator.locator('tr[data-entry=F1] a').count()).toBe(0);

    await verifier.goto(`${stack.baseUrl}/projects/${code}`);
    await verifier.locator('tr[data-entry=F2] form.verify button').click();
    await verifier.waitForURL(new RegExp(`/projects/${code}\\?funds=verified:F2`));
    await expect(verifier.locator('[data-total=CNY]').textContent()).resolves.toContain('已核实到位: 0.00 CNY / 合同投资额 10000000.00 CNY (0.0%)');
    await shot(verifier, '13-funds-reversed');

    // 增资: only the increment is recorded, for the statistics to count.
    await coordinator.click('#increase-capital');
    await coordinator.waitForURL(new RegExp(`/projects/${code}/capital-increases/new$`));
    await coordinator.fill('#f-amountMinor', '500000');
    await coordinator.fill('#f-agreedOn', '2017-05-20');
    await coordinator.click('#capital-form button[type=submit]');
    await coordinator.waitForURL(new RegExp(`/projects/${code}\\?funds=increased:C1`));
    await expect(coordinator.locator('[data-increase=C1]').textContent()).resolves.toContain('500000.00 CNY · 2017-05-20');
    expect((await stack.api(`/api/projects/${code}`)).body.capitalIncreases).toMatchObject([{ id: 'C1', amountMinor: '50000000', currency: 'CNY', agreedOn: '2017-05-20' }]);
    await coordinator.context().close();
    await verifier.context().close();
  });
});

describe('sign-in and forms are safe', () => {
  test('a wrong password is refused; a form without its CSRF token is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/signin`);
    await page.fill('#user', stack.userIds.staffLand);
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    await expect(page.locator('.alert').textContent()).resolves.toBe('用户名或密码不正确');
    await context.close();

    const signedIn = await signIn('staffLand', '/inbox');
    await signedIn.waitForURL(/\/inbox$/);
    const cookies = await signedIn.context().cookies();
    const session = cookies.find((c) => c.name === 'luodi_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const code = await signedProject('CSRF 测试');
    const forged = await fetch(`${stack.baseUrl}/projects/${code}/tasks/land`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `luodi_session=${session!.value}` },
      body: 'parcel=X&land_payment=1&payment_voucher=V',
    });
    expect(forged.status).toBe(403);
    expect((await stack.api(`/api/projects/${code}`)).body.tasks.find((t: { key: string }) => t.key === 'land').status).toBe('open');
    await signedIn.context().close();
  });
});

import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUser, setPassword } from '../db/users.js';
import { getState } from '../workflows/messages.js';
import { launchBrowser, requireBrowser } from './browser.js';
import { bundle, eventually, startStack, type Stack } from './stack.js';

// A missing browser fails the suite here, at once, in one line naming the install command.
requireBrowser();

/**
 * Each role's day in the browser (Chromium, 390 px wide), with nothing done through the API: a
 * coordinator imports a summit batch, fixes it, marks a duplicate and sees it leave the figures,
 * registers and moves a project; staff report a blocker from a task's form; a supervisor finds the
 * stuck project; the coordinator resolves the blocker, reassigns the liaison and withdraws a project.
 * The projects are in 盘锦, which no other test file uses, so that the figures move only by this file.
 */
const SCREENSHOTS = new URL('../test-results/screenshots/', import.meta.url).pathname;
const PASSWORD = 'correct horse battery';
const CITY = '盘锦';
const RUN = Date.now().toString(36).toUpperCase();
const code = (n: number) => `LN-2026-PJ-${RUN}-${String(n).padStart(2, '0')}`;
const USERS = { coordinator: `coord.pj.${RUN}`, staff: `staff.pj.${RUN}`, liaison: `liaison.pj.${RUN}` };

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startStack(await bundle());
  await createUser(stack.db, { id: USERS.coordinator, name: '盘锦协调员', role: 'coordinator', city: CITY, department: null }, PASSWORD);
  await createUser(stack.db, { id: USERS.staff, name: '盘锦自然资源', role: 'staff', city: CITY, department: 'natural_resources' }, PASSWORD);
  await createUser(stack.db, { id: USERS.liaison, name: '李对接', role: 'coordinator', city: CITY, department: null }, PASSWORD);
  await setPassword(stack.db, stack.userIds.supervisor, PASSWORD);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function signIn(userId: string, next = '/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/signin?next=${encodeURIComponent(next)}`);
  await page.fill('#user', userId);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}coordinator-${name}.png`, fullPage: true });

/** A summit batch of 20 rows; `bad` rows get an unknown city and a capital type that is neither 内资 nor 外资. */
function batch(bad: readonly number[] = []): Buffer {
  const lines = ['项目编号,项目名称,投资方,城市,资本类型,签约活动,签约日期,签约额（万元）'];
  for (let n = 1; n <= 20; n++) {
    const city = bad.includes(n) ? '火星' : CITY;
    const capital = bad.includes(n) ? '混合' : n % 4 === 0 ? '外资' : '内资';
    lines.push(`${code(n)},盘锦项目${n},投资方${n},${city},${capital},盘锦峰会,2026-06-18,${1000 + n}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function upload(page: Page, content: Buffer, outcome: 'done' | 'rejected'): Promise<void> {
  await page.setInputFiles('#import-file', { name: 'batch.csv', mimeType: 'text/csv', buffer: content });
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector(`body[data-import="${outcome}"]`, { timeout: 60_000 });
}

/** The dashboard's count of 盘锦 projects (every stage; merged duplicates are never counted). */
async function dashboardProjects(page: Page): Promise<number> {
  await page.goto(`${stack.baseUrl}/dashboard?city=${encodeURIComponent(CITY)}&period=2026Q2`);
  await page.waitForSelector('body[data-charts="ready"]');
  return page.evaluate(() => {
    const data = JSON.parse(document.getElementById('dashboard-data')!.textContent!) as { d: { stages: { counts: number[] } } };
    return data.d.stages.counts.reduce((sum, n) => sum + n, 0);
  });
}

describe("each role's day in the browser", () => {
  test('a coordinator imports a batch with two bad rows, fixes them, imports again, marks a duplicate and sees it leave the figures', async () => {
    const page = await signIn(USERS.coordinator);
    expect(new URL(page.url()).pathname).toBe('/projects');
    await shot(page, '1-projects-empty');

    await page.click('a[href="/imports"]');
    await shot(page, '2-import');
    await upload(page, batch([7, 13]), 'rejected');
    const problems = page.locator('#import-problems');
    await expect(problems.locator('tr[data-row]').count()).resolves.toBe(2);
    // Row 8 of the sheet is the 7th project (the header is row 1); each problem names its column.
    await expect(problems.locator('tr[data-row="8"]').textContent()).resolves.toMatch(/城市[\s\S]*资本类型|资本类型[\s\S]*城市/);
    await expect(problems.locator('tr[data-row="14"]').textContent()).resolves.toContain(code(13));
    await shot(page, '3-import-rejected');
    expect(await stack.db.selectFrom('projects').select('code').where('city', '=', CITY).execute()).toEqual([]);

    await upload(page, batch(), 'done');
    await expect(page.locator('#import-summary').textContent()).resolves.toContain('新启动 20 个');
    await shot(page, '4-import-done');
    // Importing the same file again starts nothing twice.
    await upload(page, batch(), 'done');
    await expect(page.locator('#import-summary').textContent()).resolves.toContain('新启动 0 个，此前已启动 20 个');

    await eventually(async () => ((await stack.db.selectFrom('projects').select('code').where('city', '=', CITY).execute()).length === 20 ? true : undefined), 60_000);
    const before = await dashboardProjects(page);
    expect(before).toBe(20);
    await shot(page, '5-dashboard-before');

    // The list, filtered by text: one project, linked.
    await page.goto(`${stack.baseUrl}/projects`);
    await page.fill('#f-q', '盘锦项目20');
    await page.click('#project-filters button[type=submit]');
    await expect(page.locator('#project-list tr[data-project]').count()).resolves.toBe(1);
    await page.click(`#project-list a[href="/projects/${code(20)}"]`);
    await page.waitForURL(new RegExp(`/projects/${code(20)}$`));
    await shot(page, '6-project');

    // Project 20 duplicates project 19: found by name, chosen, given a reason.
    await page.click('#project-actions a[href$="/merge"]');
    await page.fill('#merge-q', '盘锦项目19');
    await page.click('form.search button[type=submit]');
    await page.click(`#merge-candidates [data-candidate="${code(19)}"] a`);
    await expect(page.inputValue('#f-into')).resolves.toBe(code(19));
    await page.fill('#f-reason', '与盘锦项目19为同一项目，在峰会上重复签约');
    await shot(page, '7-merge');
    await page.click('#merge-form button[type=submit]');
    await page.waitForURL(/did=merged/);
    await expect(page.locator('.flash').textContent()).resolves.toContain('已标记为重复项目');
    await expect(page.locator('#history [data-kind="stage.advanced"]').first().textContent()).resolves.toContain(`duplicate of ${code(19)}`);
    await shot(page, '8-merged');

    const after = await eventually(async () => {
      const n = await dashboardProjects(page);
      return n === before - 1 ? n : undefined;
    });
    expect(after).toBe(19);
    await shot(page, '9-dashboard-after');
  });

  test('a coordinator registers a project (a bad code is refused beside its field), moves its stage and reassigns its liaison', async () => {
    const page = await signIn(USERS.coordinator, '/projects/new');
    await page.fill('#f-code', 'not a code');
    await page.fill('#f-name', '盘锦新材料项目');
    await page.fill('#f-investor', '某新材料公司');
    await page.selectOption('#f-city', CITY);
    await page.click('#project-form button[type=submit]');
    await expect(page.locator('[data-field="code"] .error').textContent()).resolves.toContain('upper-case');
    await shot(page, '10-new-project-refused');
    await page.fill('#f-code', code(30));
    await page.click('#project-form button[type=submit]');
    await page.waitForURL(new RegExp(`/projects/${code(30)}\\?did=created`));
    await shot(page, '11-new-project');

    await page.click('#project-actions a[href$="/stage"]');
    // Only the moves allowed now are offered: from 意向, to 洽谈.
    await expect(page.locator('#f-to option[value]:not([value=""])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).resolves.toEqual(['negotiating']);
    await page.selectOption('#f-to', 'negotiating');
    await page.fill('#f-reason', '项目锁定');
    await page.click('#stage-form button[type=submit]');
    await page.waitForURL(/did=stage/);

    await page.click('#project-actions a[href$="/liaison"]');
    await page.selectOption('#f-liaison', USERS.liaison);
    await page.click('#liaison-form button[type=submit]');
    await page.waitForURL(/did=liaison/);
    const state = await stack.client.workflow.getHandle(code(30)).query(getState);
    expect([state.stage, state.liaison]).toEqual(['negotiating', USERS.liaison]);
    await expect(page.locator('#history').textContent()).resolves.toContain('更换对接人');
    await shot(page, '12-moved-and-reassigned');
    // The same pages in English.
    await page.goto(`${stack.baseUrl}/projects/${code(30)}?lang=en`);
    await expect(page.locator('#project-actions').textContent()).resolves.toContain('Mark as a duplicate');
    await expect(page.locator('#history').textContent()).resolves.toContain('Liaison reassigned');
    await page.goto(`${stack.baseUrl}/projects`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Projects');
    await shot(page, '12-projects-en');
  });

  test('staff report a blocker from a task form, a supervisor finds the stuck project, the coordinator resolves it, then withdraws a project', async () => {
    const project = code(1);
    const staff = await signIn(USERS.staff, `/projects/${project}/tasks/land`);
    await staff.click('#report-blocker');
    await staff.selectOption('#f-category', 'land');
    await staff.fill('#f-description', '用地指标尚未下达');
    await shot(staff, '13-report-blocker');
    await staff.click('#blocker-form button[type=submit]');
    await staff.waitForURL(new RegExp(`/projects/${project}/tasks/land\\?blocker=reported`));
    await expect(staff.locator('.flash').textContent()).resolves.toContain('瓶颈已上报');
    await shot(staff, '14-blocker-reported');
    // The coordination department is told, as for a blocker reported over the API.
    await eventually(async () => stack.db.selectFrom('notification_requests').select('id').where('project_code', '=', project).where('kind', '=', 'blocker').executeTakeFirst());

    const supervisor = await signIn(stack.userIds.supervisor, '/stuck');
    await eventually(async () => {
      await supervisor.goto(`${stack.baseUrl}/stuck`);
      return (await supervisor.locator(`tr[data-project="${project}"]`).count()) === 1 ? true : undefined;
    });
    await shot(supervisor, '15-stuck');

    const page = await signIn(USERS.coordinator, `/projects/${project}`);
    await page.click('[data-blocker="B1"] a[href$="/resolve"]');
    await page.fill('#f-resolution', '已协调下达用地指标');
    await page.click('#resolve-form button[type=submit]');
    await page.waitForURL(/did=resolved/);
    await expect(page.locator('[data-blocker="B1"]').textContent()).resolves.toContain('已协调下达用地指标');
    await shot(page, '16-resolved');

    await page.goto(`${stack.baseUrl}/projects/${code(2)}/withdraw`);
    await page.click('#withdraw-form button[type=submit]');
    // Checked in the browser first: the reason is required.
    await expect(page.locator('[data-field="reason"] .error').textContent()).resolves.not.toBe('');
    await page.fill('#f-reason', '企业战略调整');
    await page.click('#withdraw-form button[type=submit]');
    await page.waitForURL(/did=withdrawn/);
    await expect(page.locator('#project-actions').count()).resolves.toBe(0);
    await shot(page, '17-withdrawn');
  });
});

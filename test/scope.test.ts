import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { publishReport } from '../db/reports.js';
import { createApiToken, createUser, setPassword } from '../db/users.js';
import { bundle, eventually, newCode, signInPages, startStack, type Stack, type TestUser } from './stack.js';

/**
 * A user limited to one city sees that city only, in every list: projects, stuck projects, the
 * inbox, reports (JSON and Excel), targets, the dashboard, and an admin's users, contacts and
 * outbox. Province-wide users still see every city.
 */
let stack: Stack;
const quarter = `${2200 + Math.floor(Math.random() * 700)}Q1`;
const year = 2050 + Math.floor(Math.random() * 40);
const figures = (signed: number) => ({ period: { from: '2017-01-01', to: '2017-03-31' }, signed: { domestic: signed, outOfProvince: 0, foreign: 0 }, fundsInPlace: { CNY: { yi: '1.0', growthPercent: null }, USD: { yi: '0.0', growthPercent: null } }, targets: {} });
let cityAdminToken: string;

beforeAll(async () => {
  stack = await startStack(await bundle());
  await publishReport(stack.db, quarter, { quarter, province: figures(3), cities: { 沈阳: figures(1), 大连: figures(2) } });
  for (const city of ['全省', '沈阳', '大连']) {
    const res = await stack.api('/api/targets', { as: 'admin', body: { year, city, category: 'domestic', amountMinor: '100000', currency: 'CNY' } });
    expect(res.status).toBe(201);
  }
  for (const [code, city] of [[newCode('SY'), '沈阳'], [newCode('DL'), '大连']] as const) {
    expect((await stack.api('/api/projects', { body: { code, name: `${city}范围测试`, city, investor: '某公司', capitalType: 'domestic', stage: 'signed' } })).status).toBe(201);
    await eventually(async () => ((await stack.db.selectFrom('tasks').select('status').where('project_code', '=', code).where('task_key', '=', 'land').executeTakeFirst())?.status === 'open' ? true : undefined));
  }
  const cityAdmin = `admin.dalian.${Math.random().toString(36).slice(2, 8)}`;
  await createUser(stack.db, { id: cityAdmin, name: '大连管理员', role: 'admin', city: '大连', department: null });
  cityAdminToken = await createApiToken(stack.db, cityAdmin, 'test');
  await stack.db.insertInto('contacts').values([{ city: '沈阳', department: null, audience: 'city_leader', user_id: stack.userIds.supervisor, webhook_id: null }, { city: '大连', department: null, audience: 'city_leader', user_id: stack.userIds.supervisorDalian, webhook_id: null }]).execute();
});
afterAll(async () => {
  await stack?.close();
});

const citiesOf = (items: { city: string }[]) => [...new Set(items.map((x) => x.city))].sort();

describe("a quarter's report", () => {
  test.each([
    ['coordinatorShenyang', ['沈阳'], false],
    ['supervisorDalian', ['大连'], false],
    ['supervisor', ['大连', '沈阳'], true],
  ] as const)('%s reads %j (province figures: %s)', async (user, cities, province) => {
    const res = await stack.api(`/api/reports/${quarter}`, { as: user });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.frozen.content.cities).sort()).toEqual(cities);
    expect('province' in res.body.frozen.content).toBe(province);
  });

  test("as Excel, a city's user gets their city's row only", async () => {
    const res = await fetch(`${stack.baseUrl}/api/reports/${quarter}.xlsx`, { headers: { authorization: `Bearer ${stack.tokens.supervisorDalian}` } });
    expect(res.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const areas = workbook.worksheets[0]!.getColumn(1).values.slice(4);
    expect(areas).toEqual(['大连']);
    const all = await fetch(`${stack.baseUrl}/api/reports/${quarter}.xlsx`, { headers: { authorization: `Bearer ${stack.tokens.supervisor}` } });
    const full = new ExcelJS.Workbook();
    await full.xlsx.load(Buffer.from(await all.arrayBuffer()) as unknown as ArrayBuffer);
    expect((full.worksheets[0]!.getColumn(1).values.slice(4) as string[]).sort()).toEqual(['全省', '大连', '沈阳'].sort());
  });
});

test.each([
  ['coordinatorShenyang', ['沈阳']],
  ['supervisorDalian', ['大连']],
  ['verifier', ['沈阳']],
  ['supervisor', ['全省', '大连', '沈阳']],
] as const)("targets: %s sees %j", async (user, cities) => {
  const res = await stack.api(`/api/targets?year=${year}`, { as: user });
  expect(res.status).toBe(200);
  expect(citiesOf(res.body.items)).toEqual([...cities].sort());
});

test.each([
  ['supervisorDalian', '/api/projects', ['大连']],
  ['coordinatorShenyang', '/api/projects', ['沈阳']],
  ['staffLandDalian', '/api/inbox', ['大连']],
  ['staffLand', '/api/inbox', ['沈阳']],
  ['supervisor', '/api/projects', ['大连', '沈阳']],
] as const)('%s lists %s: only %j', async (user: TestUser, path, cities) => {
  // Only this file's projects: other files, running alongside, create projects in other cities.
  const res = await stack.api(`${path}?limit=200${path === '/api/projects' ? `&q=${encodeURIComponent('范围测试')}` : ''}`, { as: user });
  expect(res.status).toBe(200);
  const seen = citiesOf(res.body.items);
  expect(seen.filter((c) => !cities.includes(c as never))).toEqual([]);
  if (user !== 'supervisor') expect(seen).toEqual(cities);
});

test("the stuck list of a city's user holds that city only", async () => {
  const res = await stack.api('/api/stuck?limit=200', { as: 'supervisorDalian' });
  expect(res.status).toBe(200);
  expect(res.body.items.every((p: { city: string }) => p.city === '大连')).toBe(true);
});

test("the dashboard of a city's user shows that city, whatever city is asked for", async () => {
  await setPassword(stack.db, stack.userIds.supervisorDalian, 'correct horse battery');
  const { cookie } = await signInPages(stack.baseUrl, stack.userIds.supervisorDalian, 'correct horse battery');
  const html = await (await fetch(`${stack.baseUrl}/dashboard?period=2017Q1&city=${encodeURIComponent('沈阳')}`, { headers: { cookie: cookie! } })).text();
  expect([...html.matchAll(/data-city="([^"]+)"/g)].map((m) => m[1])).toEqual(['大连']);
});

describe('an admin for one city', () => {
  const asCityAdmin = (path: string) => fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${cityAdminToken}` } }).then((r) => r.json() as Promise<{ items: { city: string | null }[] }>);

  test('lists the users and contacts of that city only', async () => {
    const users = await asCityAdmin('/api/users');
    expect(users.items.length).toBeGreaterThan(0);
    expect(citiesOf(users.items as { city: string }[])).toEqual(['大连']);
    expect(citiesOf((await asCityAdmin('/api/contacts')).items as { city: string }[])).toEqual(['大连']);
    const everyone = await stack.api('/api/users', { as: 'admin' });
    expect(citiesOf(everyone.body.items)).toEqual(expect.arrayContaining(['大连', '沈阳']));
  });
});

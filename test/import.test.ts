import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { codeTakenReason, differingFields } from '../api/summit-import/existing.js';
import type { ProjectInput } from '../workflows/state.js';
import { bundle, eventually, newCode, startStack, type Stack, workflowExists } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function csv(rows: string[][]): string {
  return `\uFEFF${rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n')}\n`;
}

const HEADER = ['项目编号', '项目名称', '投资方', '城市', '资本类型', '省外项目', '签约额（万元）', '币种', '签约活动', '签约日期', '对接人'];

describe('summit batch import', () => {
  test('a CSV with Chinese headers starts every project once; importing it again starts nothing', async () => {
    const codes = [newCode(), newCode(), newCode()];
    const file = csv([
      HEADER,
      [codes[0]!, '沈阳新松机器人产业园', '新松机器人', '沈阳', '内资', '否', '125000.5', '', '2018民营企业家座谈会', '2018-06-01', 'liaison.wang'],
      [codes[1]!, '华晨宝马新工厂', '宝马（中国）', '沈阳', '外资', '是', '30000', '美元', '2018民营企业家座谈会', '2018-06-01', ''],
      [codes[2]!, '大连英特尔二期', '英特尔', '大连', '外资', '是', '1,000', '', '', '', ''],
    ]);
    const first = await stack.api('/api/imports', { rawBody: file, headers: { 'content-type': CSV } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ total: 3, started: [...codes].sort(), alreadyStarted: [], conflicts: [] });

    const row = await eventually(async () => stack.db.selectFrom('projects').selectAll().where('code', '=', codes[0]!).executeTakeFirst());
    // 125000.5 万元 = 1,250,005,000.00 元 = 125,000,500,000 fen, exactly.
    expect(row).toMatchObject({ contracted_minor: '125000500000', contracted_currency: 'CNY', signing_event: '2018民营企业家座谈会', signed_on: '2018-06-01', liaison: 'liaison.wang', stage: 'landing', out_of_province: false });
    const foreign = await eventually(async () => stack.db.selectFrom('projects').selectAll().where('code', '=', codes[2]!).executeTakeFirst());
    // Foreign capital is counted in USD unless the file says otherwise.
    expect(foreign).toMatchObject({ capital_type: 'foreign', contracted_minor: '1000000000', contracted_currency: 'USD', out_of_province: true, city: '大连' });

    const again = await stack.api('/api/imports', { rawBody: file, headers: { 'content-type': CSV } });
    expect(again.body).toEqual({ total: 3, started: [], alreadyStarted: [...codes].sort(), conflicts: [] });
  });

  test('an XLSX workbook with date and number cells', async () => {
    const code = newCode();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('签约项目');
    sheet.addRow(['项目编号', '项目名称', '投资方', '城市', '资本类型', '签约额（元）', '签约日期']);
    sheet.addRow([code, '锦州光伏产业园', '某新能源公司', '沈阳', '内资', 98765.43, new Date(Date.UTC(2018, 5, 2))]);
    const content = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await stack.api('/api/imports', { rawBody: content as unknown as string, headers: { 'content-type': XLSX } });
    expect(res.status).toBe(200);
    expect(res.body.started).toEqual([code]);
    const row = await eventually(async () => stack.db.selectFrom('projects').selectAll().where('code', '=', code).executeTakeFirst());
    expect(row).toMatchObject({ contracted_minor: '9876543', contracted_currency: 'CNY', signed_on: '2018-06-02' });
  });

  test('every bad row is reported with its row and column, and nothing starts', async () => {
    const good = newCode();
    const dup = newCode();
    const file = csv([
      HEADER,
      [good, '好项目', '某公司', '沈阳', '内资', '否', '100', '', '', '', ''],
      [dup, '项目甲', '某公司', '北京', '内资', '否', '100', '', '', '', ''],
      [dup, '项目乙', '某公司', '沈阳', '合资', '也许', '12.3456789', '', '', '2018-02-30', ''],
      ['', '', '', '', '', '', '', '', '', '', ''],
    ]);
    const res = await stack.api('/api/imports', { rawBody: file, headers: { 'content-type': CSV } });
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'row 3: 城市', reason: expect.stringContaining('沈阳') },
        { field: 'row 4: 资本类型', reason: 'must be domestic or foreign' },
        { field: 'row 4: 省外项目', reason: 'must be 是 or 否' },
        { field: 'row 4: 签约额（万元）', reason: 'at most 6 decimals in this unit' },
        { field: 'row 4: 签约日期', reason: 'must be a date as YYYY-MM-DD' },
      ]),
    );
    expect(await workflowExists(stack.client, good)).toBe(false);
    expect(await workflowExists(stack.client, dup)).toBe(false);
  });

  test("a code another project holds is a row error naming that project's city, and its name only for those who may see it; nothing starts", async () => {
    const taken = newCode('DL');
    const fresh = newCode();
    const started = await stack.api('/api/projects', {
      body: { code: taken, name: '大连港物流园', city: '大连', investor: '某港口集团', capitalType: 'domestic', stage: 'signed' },
    });
    expect(started.status).toBe(201);

    // A Shenyang coordinator may not see Dalian's projects: the city is named, the name is not.
    const fromShenyang = csv([HEADER, [fresh, '新项目', '某公司', '沈阳', '内资', '否', '', '', '', '', ''], [taken, '沈阳物流园', '某公司', '沈阳', '内资', '否', '', '', '', '', '']]);
    const refused = await stack.api('/api/imports', { rawBody: fromShenyang, headers: { 'content-type': CSV }, as: 'coordinatorShenyang' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'row 3: 项目编号', reason: expect.stringContaining('大连') }]);
    expect(refused.body.errors[0].reason).not.toContain('大连港物流园');
    expect(await workflowExists(stack.client, fresh)).toBe(false);

    // A province-wide coordinator sees the project's name and what differs.
    const fromProvince = csv([HEADER, [taken, '大连港物流园二期', '某港口集团', '大连', '内资', '否', '', '', '', '', '']]);
    const named = await stack.api('/api/imports', { rawBody: fromProvince, headers: { 'content-type': CSV } });
    expect(named.status).toBe(400);
    expect(named.body.errors).toEqual([{ field: 'row 2: 项目编号', reason: expect.stringMatching(/「大连港物流园」 in 大连.*项目名称/) }]);
  });

  test('only the identical project counts as already started: the same fields as a project started through the API', async () => {
    const code = newCode();
    const body = { code, name: '沈阳智能装备园', city: '沈阳', investor: '某装备公司', capitalType: 'domestic', stage: 'signed', contracted: { amountMinor: '100000000', currency: 'CNY' } };
    expect((await stack.api('/api/projects', { body })).status).toBe(201);
    // 100 万元 = 100,000,000 fen: the same amount, in the import's unit.
    const same = csv([HEADER, [code, '沈阳智能装备园', '某装备公司', '沈阳', '内资', '否', '100', '', '', '', '']]);
    const again = await stack.api('/api/imports', { rawBody: same, headers: { 'content-type': CSV } });
    expect(again.body).toEqual({ total: 1, started: [], alreadyStarted: [code], conflicts: [] });

    const otherAmount = csv([HEADER, [code, '沈阳智能装备园', '某装备公司', '沈阳', '内资', '否', '101', '', '', '', '']]);
    const refused = await stack.api('/api/imports', { rawBody: otherAmount, headers: { 'content-type': CSV } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'row 2: 项目编号', reason: expect.stringMatching(/「沈阳智能装备园」 in 沈阳 \(it differs in 签约额\)/) }]);
  });

  test('an Idempotency-Key stands for one file: the same key with another file is refused', async () => {
    const key = { 'Idempotency-Key': `import-${newCode()}` };
    const one = csv([HEADER, [newCode(), '项目一', '某公司', '沈阳', '内资', '否', '', '', '', '', '']]);
    const other = csv([HEADER, [newCode(), '项目二', '某公司', '沈阳', '内资', '否', '', '', '', '', '']]);
    expect((await stack.api('/api/imports', { rawBody: one, headers: { 'content-type': CSV, ...key } })).status).toBe(200);
    const again = await stack.api('/api/imports', { rawBody: one, headers: { 'content-type': CSV, ...key } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await stack.api('/api/imports', { rawBody: other, headers: { 'content-type': CSV, ...key } })).status).toBe(422);
  });

  test("a city's coordinator imports projects of that city only; staff may not import", async () => {
    const code = newCode();
    const file = csv([HEADER, [code, '大连项目', '某公司', '大连', '内资', '否', '', '', '', '', '']]);
    const res = await stack.api('/api/imports', { rawBody: file, headers: { 'content-type': CSV }, as: 'coordinatorShenyang' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'row 2: 城市', reason: expect.stringContaining('沈阳') }]);
    expect((await stack.api('/api/imports', { rawBody: file, headers: { 'content-type': CSV }, as: 'staffLand' })).status).toBe(403);
    expect((await stack.api('/api/imports', { rawBody: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(415);
  });

  test('npm run import shows progress, then a summary; a second run starts nothing', async () => {
    const codes = Array.from({ length: 12 }, () => newCode());
    const dir = mkdtempSync(join(tmpdir(), 'luodi-import-'));
    const file = join(dir, '签约项目.csv');
    writeFileSync(file, csv([HEADER, ...codes.map((c, i) => [c, `项目${i}`, '某公司', '沈阳', '内资', '否', '10', '', '', '', ''])]));
    const env = { ...process.env, DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: stack.taskQueue };
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/import.ts', file, '--as', stack.userIds.coordinator], { env });
    const first = await run();
    expect(first.stdout).toContain('12 projects: 12 started, 0 already started before');
    expect(first.stderr).toMatch(/\[#{30}\] 12\/12/);
    expect((await run()).stdout).toContain('12 projects: 0 started, 12 already started before');
    await expect(promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/import.ts', file, '--as', stack.userIds.staffLand], { env })).rejects.toMatchObject({ code: 2 });
  });
});

describe('which project holds a code', () => {
  const existing: ProjectInput = {
    code: 'LN-2018-DL-0001', name: '大连港物流园', codename: null, city: '大连', investor: '某港口集团', capitalType: 'domestic',
    outOfProvince: false, stage: 'signed', projectType: 'industrial', liaison: null, contracted: { amountMinor: '100', currency: 'CNY' },
    signingEvent: null, signedOn: null, actor: 'coordinator.a',
  };
  const user = (city: '沈阳' | '大连' | null) => ({ id: 'c', name: 'c', role: 'coordinator' as const, city, department: null });

  test('the same fields, whoever registered it and whatever older versions left out, are the same project', () => {
    expect(differingFields({ ...existing, actor: 'coordinator.b' }, existing)).toEqual([]);
    expect(differingFields({ ...existing, liaison: null, signedOn: null }, { ...existing, liaison: undefined, signedOn: undefined })).toEqual([]);
    expect(differingFields({ ...existing, city: '沈阳', contracted: { amountMinor: '101', currency: 'CNY' } }, existing)).toEqual(['城市', '签约额']);
  });

  test("the reason names the city always, the project only for a user who may see that city's projects", () => {
    expect(codeTakenReason(user('沈阳'), existing, ['城市'])).toBe('this code is already used by another project, in 大连');
    expect(codeTakenReason(user('大连'), existing, ['城市'])).toContain('「大连港物流园」 in 大连');
    // A confidential project is named by its codename, as everywhere the real name must not be.
    expect(codeTakenReason(user(null), { ...existing, codename: '港口一号' }, ['城市'])).toContain('「港口一号」');
  });
});

import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalJson, publishReport } from '../db/reports.js';
import { quarterBefore } from '../workflows/quarterlyReport.js';
import { ensureReportSchedule, reportRunTime, backfillReports } from '../worker/report-schedule.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

const runReport = (quarter: string) =>
  stack.client.workflow.execute<(q?: string) => Promise<{ status: string; hash: string; seq?: number; quarter: string }>>('quarterlyReport', {
    workflowId: `report-${quarter}-${newCode()}`,
    taskQueue: stack.taskQueue,
    args: [quarter],
  });

/** A verified tranche received on that day, in 本溪 (a city no other test writes to in those years). */
async function fundsReceived(on: string, amountMinor: string) {
  const code = newCode('BX');
  const now = new Date().toISOString();
  await stack.db
    .insertInto('projects')
    .values({ code, name: '报表测试', codename: null, city: '本溪', investor: '某公司', capital_type: 'domestic', out_of_province: false, stage: 'landing', version: 1, started_at: now, updated_at: now, signed_on: on, stuck: false, stuck_reasons: [], overdue_tasks: 0, escalation_rung: 0 })
    .execute();
  await stack.db.insertInto('funds_entries').values({ entry_id: `${code}:F1`, project_code: code, kind: 'tranche', amount_minor: amountMinor, currency: 'CNY', received_on: on, evidence: 'R-1', entered_by: 'a', entered_at: now, reverses: null, reason: null }).execute();
  await stack.db.insertInto('funds_verifications').values({ entry_id: `${code}:F1`, verified_by: 'b', verified_at: now }).execute();
}

describe('the quarterly dispatch report', () => {
  test('a retry of the run that published a version gets the same outcome, so that it still notifies; another run gets unchanged', async () => {
    const quarter = '2009Q2';
    const content = { quarter, figures: 1 };
    const first = await publishReport(stack.db, quarter, content, 'run-a');
    expect(first.status).toBe('frozen');
    expect(await publishReport(stack.db, quarter, content, 'run-a')).toEqual(first);
    expect((await publishReport(stack.db, quarter, content, 'run-b')).status).toBe('unchanged');
    const restated = await publishReport(stack.db, quarter, { ...content, figures: 2 }, 'run-c');
    expect(restated).toMatchObject({ status: 'restated', seq: 1 });
    expect(await publishReport(stack.db, quarter, { ...content, figures: 2 }, 'run-c')).toEqual(restated);
    expect((await publishReport(stack.db, quarter, { ...content, figures: 2 }, 'run-a')).status).toBe('unchanged');
  });

  test('the run after a quarter reports that quarter, in Beijing time', () => {
    expect(quarterBefore(reportRunTime('2017Q1'))).toBe('2017Q1');
    expect(reportRunTime('2017Q1').toISOString()).toBe('2017-03-31T16:30:00.000Z');
    expect(quarterBefore(reportRunTime('2016Q4'))).toBe('2016Q4');
  });

  test('is frozen with a content hash; a correction is a restatement, never a silent change', async () => {
    await fundsReceived('2013-02-01', '100000000000');
    const first = await runReport('2013Q1');
    expect(first).toMatchObject({ status: 'frozen', quarter: '2013Q1' });
    expect((await runReport('2013Q1')).status).toBe('unchanged');

    const frozen = await stack.api('/api/reports/2013Q1', { as: 'supervisor' });
    expect(frozen.status).toBe(200);
    expect(frozen.body.frozen.contentHash).toBe(first.hash);
    expect(createHash('sha256').update(canonicalJson(frozen.body.frozen.content)).digest('hex')).toBe(first.hash);
    expect(frozen.body.frozen.content.cities['本溪'].fundsInPlace.CNY.yi).toBe('10.0');
    expect(frozen.body.restatements).toEqual([]);

    // A tranche verified later for that quarter: the next run restates, and the frozen report stays as it was.
    await fundsReceived('2013-03-15', '50000000000');
    const restated = await runReport('2013Q1');
    expect(restated).toMatchObject({ status: 'restated', seq: 1 });
    const after = await stack.api('/api/reports/2013Q1', { as: 'supervisor' });
    expect(after.body.frozen.contentHash).toBe(first.hash);
    expect(after.body.frozen.content.cities['本溪'].fundsInPlace.CNY.yi).toBe('10.0');
    expect(after.body.restatements).toEqual([expect.objectContaining({ seq: 1, previousHash: first.hash, contentHash: restated.hash })]);
    expect(after.body.restatements[0].content.cities['本溪'].fundsInPlace.CNY.yi).toBe('15.0');

    const notices = await stack.db.selectFrom('notification_requests').select(['kind', 'audience', 'payload']).where('kind', '=', 'report').where('dedupe_key', 'like', 'report/2013Q1/%').execute();
    expect(notices.map((n) => (n.payload as { version: string }).version).sort()).toEqual(['frozen', 'restatement 1']);
    expect(notices.every((n) => n.audience === 'supervisors')).toBe(true);

    // Exported to Excel with Chinese headers: the frozen version, and the restatement.
    for (const [query, funds, title] of [['', 10, '发布版'], ['?restatement=1', 15, '更正第1版']] as const) {
      const xlsx = await fetch(`${stack.baseUrl}/api/reports/2013Q1.xlsx${query}`, { headers: { authorization: `Bearer ${stack.tokens.supervisor}` } });
      expect(xlsx.status).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      expect(String(sheet.getCell('A1').value)).toContain(title);
      expect(sheet.getRow(3).getCell(5).value).toBe('实际到位内资（亿元）');
      const benxi = sheet.getRows(4, 16)!.find((r) => r.getCell(1).value === '本溪')!;
      expect(benxi.getCell(5).value).toBe(funds);
    }

    await expect(stack.db.updateTable('reports').set({ content_hash: 'x' }).where('quarter', '=', '2013Q1').execute()).rejects.toThrow(/frozen/);
    await expect(sql`delete from report_restatements where quarter = '2013Q1'`.execute(stack.db)).rejects.toThrow(/frozen/);
  });

  test('the Schedule is created once, and backfilling a past quarter freezes its report', async () => {
    const scheduleId = `report-test-${newCode()}`;
    expect(await ensureReportSchedule(stack.client, stack.taskQueue, scheduleId)).toBe(true);
    expect(await ensureReportSchedule(stack.client, stack.taskQueue, scheduleId)).toBe(false);
    const description = await stack.client.schedule.getHandle(scheduleId).describe();
    expect(description.spec.timezone).toBe('Asia/Shanghai');
    try {
      await fundsReceived('2012-11-20', '30000000000');
      await backfillReports(stack.client, '2012Q4', '2012Q4', scheduleId);
      const report = await eventually(async () => (await stack.api('/api/reports/2012Q4', { as: 'supervisor' })).body.frozen, 30_000);
      expect(report.content.quarter).toBe('2012Q4');
      expect(report.content.cities['本溪'].fundsInPlace.CNY.yi).toBe('3.0');
      const list = await stack.api('/api/reports', { as: 'supervisor' });
      expect(list.body.items.map((r: { quarter: string }) => r.quarter)).toContain('2012Q4');
    } finally {
      await stack.client.schedule.getHandle(scheduleId).delete();
    }
  });
});

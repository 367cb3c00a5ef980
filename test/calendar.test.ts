import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { officialCalendar } from '../activities/calendar.js';
import { addWorkingDays, isWorkingDay } from '../workflows/working-days.js';
import { beijingDate, endOfBeijingDay } from '../workflows/beijing-time.js';
import { createLogger } from '../config/logger.js';
import { setCalendarDays } from '../db/calendar.js';
import { createDb } from '../db/connection.js';
import { getState } from '../workflows/messages.js';
import { bundle, newCode, startStack } from './stack.js';

const db = createDb(inject('databaseUrl'));
afterAll(() => db.destroy());

describe('working days on the official calendar (imported into PostgreSQL)', () => {
  const calendar = officialCalendar(db, createLogger('calendar', 'silent'));
  const fromBeijing = (date: string) => new Date(`${date}T10:00:00+08:00`);
  const dueDates = async (from: string, days: number[]) => (await calendar.deadlines(fromBeijing(from), days)).map((d) => beijingDate(new Date(d.getTime() - 1)));

  test('a deadline across the 2025 Spring Festival counts the swapped working Sunday and Saturday', async () => {
    // Friday 24 January 2025. Off: Sat 25; 调休 working Sunday 26; Mon 27 works; 28 Jan – 4 Feb holiday;
    // 5–7 Feb work; 调休 working Saturday 8 Feb; Sun 9 off; Mon 10 works.
    expect(await dueDates('2025-01-24', [1, 2, 3, 5, 6, 7])).toEqual(['2025-01-26', '2025-01-27', '2025-02-05', '2025-02-07', '2025-02-08', '2025-02-10']);
  });

  test('a deadline is the end of its Beijing working day', async () => {
    const [due] = await calendar.deadlines(fromBeijing('2025-01-24'), [6]);
    expect(due?.toISOString()).toBe('2025-02-08T16:00:00.000Z');
  });

  test('National Day 2024 and its swapped Saturday', async () => {
    // Mon 30 Sept 2024 works; 1–7 Oct off; Tue 8 works; 调休 working Saturday 12 Oct.
    expect(await dueDates('2024-09-27', [1, 2, 5])).toEqual(['2024-09-29', '2024-09-30', '2024-10-10']);
  });

  test("an admin's entry for a new year changes later deadlines", async () => {
    // 2030 is not in the imported data: Monday to Friday until an admin adds its holidays.
    expect(await dueDates('2030-01-31', [1])).toEqual(['2030-02-01']);
    await setCalendarDays(db, [{ day: '2030-02-01', kind: 'holiday', name: '测试假日' }], 'admin.test');
    expect(await dueDates('2030-01-31', [1])).toEqual(['2030-02-04']);
  });

  test('npm run calendar -- set makes a weekend day a working day; a bad date is refused', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/calendar.ts', ...args], { env: { ...process.env, DATABASE_URL: inject('databaseUrl') } });
    expect(await dueDates('2031-01-03', [1])).toEqual(['2031-01-06']);
    expect((await run('set', '2031-01-04', 'workday', '调休', '--by', 'admin.li')).stdout).toContain('2031-01-04 is now a workday');
    expect(await dueDates('2031-01-03', [1])).toEqual(['2031-01-04']);
    await expect(run('set', '2031-02-30', 'holiday', 'x', '--by', 'admin.li')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('YYYY-MM-DD') });
  });
});

describe('the workflow counts deadlines itself, on the official calendar a local activity loaded into it', () => {
  test("a signed project's first tasks are due when the official calendar says, as the calendar activity counts them", async () => {
    const stack = await startStack(await bundle(), { calendar: (stackDb) => officialCalendar(stackDb, createLogger('calendar', 'silent')) });
    try {
      const code = newCode('HLD');
      const created = await stack.api('/api/projects', { body: { code, name: '葫芦岛日历项目', city: '葫芦岛', investor: '某公司', capitalType: 'domestic', stage: 'signed' } });
      expect(created.status).toBe(201);
      const state = await stack.client.workflow.getHandle(code).query(getState);
      const official = officialCalendar(db, createLogger('calendar', 'silent'));
      const escalation = state.template!.escalationWorkingDays;
      for (const task of state.tasks.filter((t) => t.status === 'open')) {
        const expected = await official.deadlines(new Date(task.openedAt!), escalation.map((d) => task.dueWorkingDays + d));
        expect(task.rungAt).toEqual(expected.map((d) => d.toISOString()));
        expect(task.dueAt).toBe(expected[0]!.toISOString());
      }
      const { events } = await stack.client.workflow.getHandle(code).fetchHistory();
      const markers = (events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
      // The template, the calendar and the start's records: three local activities, no deadline activity on the server.
      expect(markers).toHaveLength(3);
      expect((events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'computeDeadlines')).toHaveLength(0);
    } finally {
      await stack.close();
    }
  });
});

describe('working-day arithmetic', () => {
  const none = new Map();
  test('weekends are off, n = 0 is the day itself', () => {
    expect(isWorkingDay('2026-11-21', none)).toBe(false);
    expect(addWorkingDays('2026-11-20', 0, none)).toBe('2026-11-20');
    expect(addWorkingDays('2026-11-20', 1, none)).toBe('2026-11-23');
    expect(addWorkingDays('2026-11-20', 10, none)).toBe('2026-12-04');
  });
  test('Beijing dates and the end of a Beijing day', () => {
    expect(beijingDate(new Date('2026-11-20T17:00:00Z'))).toBe('2026-11-21');
    expect(endOfBeijingDay('2026-11-21').toISOString()).toBe('2026-11-21T16:00:00.000Z');
  });
});

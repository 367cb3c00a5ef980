import { describe, expect, test } from 'vitest';
import { beijingDate } from '../../workflows/beijing-time.js';
import { covers, deadlines, spanDays, type CalendarData } from '../../workflows/working-days.js';

/** The 2025 Spring Festival as the calendar table holds it: 28 Jan – 4 Feb off, Sunday 26 Jan and Saturday 8 Feb worked. */
const springFestival2025: CalendarData = {
  kind: 'official',
  from: '2025-01-20',
  to: '2025-04-30',
  exceptions: [
    ['2025-01-26', 'workday'],
    ...['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04'].map((d) => [d, 'holiday'] as [string, 'holiday']),
    ['2025-02-08', 'workday'],
  ],
  years: [2025],
  loadedAt: '2025-01-20T00:00:00.000Z',
};

describe('deadlines from the calendar a workflow holds', () => {
  const from = '2025-01-24T02:00:00.000Z'; // Friday 24 January 2025, 10:00 in Beijing
  test('count the swapped working Sunday and Saturday, as the calendar table does', () => {
    const due = deadlines(springFestival2025, from, [1, 2, 3, 5, 6, 7]).map((d) => beijingDate(Date.parse(d) - 1));
    expect(due).toEqual(['2025-01-26', '2025-01-27', '2025-02-05', '2025-02-07', '2025-02-08', '2025-02-10']);
  });

  test('a deadline is the end (Beijing midnight) of its working day', () => {
    expect(deadlines(springFestival2025, from, [6])).toEqual(['2025-02-08T16:00:00.000Z']);
  });

  test('a calendar covers a deadline only while the span it may need is loaded; then the workflow loads it again', () => {
    expect(covers(springFestival2025, from, 10)).toBe(true);
    expect(spanDays(30)).toBe(130);
    expect(covers(springFestival2025, from, 30)).toBe(false);
    expect(covers(springFestival2025, '2025-03-30T02:00:00.000Z', 0)).toBe(false);
  });

  test('a scaled calendar (tests) makes every working day the same length and covers everything', () => {
    const scaled: CalendarData = { kind: 'scaled', workingDayMs: 500, loadedAt: from };
    expect(deadlines(scaled, from, [0, 2])).toEqual([from, '2025-01-24T02:00:01.000Z']);
    expect(covers(scaled, from, 10_000)).toBe(true);
  });
});

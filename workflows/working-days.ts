/**
 * Working-day arithmetic on the Chinese official calendar: Monday to Friday, except listed public
 * holidays, plus listed 调休 working weekend days. Dates are Beijing dates (YYYY-MM-DD). Pure, so
 * that the workflow computes deadlines itself from a calendar an activity loaded into it.
 */
import { addDays, beijingDate, endOfBeijingDay } from './beijing-time.js';

export type DayKind = 'holiday' | 'workday';

export function isWorkingDay(date: string, exceptions: ReadonlyMap<string, DayKind>): boolean {
  const kind = exceptions.get(date);
  if (kind) return kind === 'workday';
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The n-th working day after `date` (the day itself not counted); n = 0 is the day itself. */
export function addWorkingDays(date: string, n: number, exceptions: ReadonlyMap<string, DayKind>): string {
  let day = date;
  for (let left = n; left > 0; ) {
    day = addDays(day, 1);
    if (isWorkingDay(day, exceptions)) left -= 1;
  }
  return day;
}

/** The calendar as a workflow holds it: loaded by an activity (so recorded in history), then used in workflow code. */
export type CalendarData =
  | {
      kind: 'official';
      /** The Beijing dates it covers; a deadline past `to` needs a fresh load. */
      from: string;
      to: string;
      /** Holidays and 调休 working days within [from, to]. */
      exceptions: [string, DayKind][];
      /** Years with an official calendar; other years count Monday to Friday. */
      years: number[];
      loadedAt: string;
    }
  /** For tests: every working day lasts `workingDayMs`, so ladders climb in seconds on real timers. */
  | { kind: 'scaled'; workingDayMs: number; loadedAt: string };

/** How many calendar days n working days may span at most, even across 春节: generous. */
export function spanDays(workingDays: number): number {
  return workingDays * 3 + 40;
}

/** Whether the calendar answers deadlines up to `workingDays` working days after `from`. */
export function covers(calendar: CalendarData, from: string, workingDays: number): boolean {
  return calendar.kind === 'scaled' || addDays(beijingDate(from), spanDays(workingDays)) <= calendar.to;
}

/**
 * The deadlines n working days after an instant: the end (Beijing midnight) of the n-th working
 * day after the day it starts from. The caller has checked that the calendar `covers` them.
 */
export function deadlines(calendar: CalendarData, from: string, workingDays: readonly number[]): string[] {
  if (calendar.kind === 'scaled') return workingDays.map((n) => new Date(Date.parse(from) + n * calendar.workingDayMs).toISOString());
  const exceptions = new Map(calendar.exceptions);
  const start = beijingDate(from);
  return workingDays.map((n) => endOfBeijingDay(addWorkingDays(start, n, exceptions)).toISOString());
}

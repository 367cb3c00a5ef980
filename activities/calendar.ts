import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { calendarExceptions, calendarYears } from '../db/calendar.js';
import { addDays, beijingDate } from '../workflows/beijing-time.js';
import { deadlines, spanDays, type CalendarData } from '../workflows/working-days.js';

/** The working calendar, injected into the activities: the official one, or a scaled one in tests. */
export interface WorkingCalendar {
  /** The calendar from `from` for at least `days` calendar days, to load into a workflow. */
  load(from: Date, days: number): Promise<CalendarData>;
  /** Deadlines by activity: only histories from before workflows held their calendar ask this. */
  deadlines(from: Date, workingDays: readonly number[]): Promise<Date[]>;
}

/** The official calendar kept in PostgreSQL (holidays and 调休 days by year). */
export function officialCalendar(db: Db, log: Logger): WorkingCalendar {
  async function load(from: Date, days: number): Promise<CalendarData> {
    const start = beijingDate(from);
    const end = addDays(start, days);
    const [exceptions, years] = await Promise.all([calendarExceptions(db, start, end), calendarYears(db)]);
    const missing = yearsBetween(start, end).filter((y) => !years.has(y));
    if (missing.length) {
      log.warn({ missing, from: start }, 'the calendar has no holidays for these years; counting Monday to Friday there. An admin should add them (npm run calendar).');
    }
    return { kind: 'official', from: start, to: end, exceptions: [...exceptions], years: [...years].filter((y) => y >= Number(start.slice(0, 4))).sort(), loadedAt: new Date().toISOString() };
  }
  return {
    load,
    async deadlines(from, workingDays) {
      const calendar = await load(from, spanDays(Math.max(0, ...workingDays)));
      return deadlines(calendar, from.toISOString(), workingDays).map((d) => new Date(d));
    },
  };
}

/** For tests: every working day lasts `workingDayMs`, so ladders climb in seconds on real timers. */
export function scaledCalendar(workingDayMs: number): WorkingCalendar {
  return {
    async load() {
      return { kind: 'scaled', workingDayMs, loadedAt: new Date().toISOString() };
    },
    async deadlines(from, workingDays) {
      return workingDays.map((n) => new Date(from.getTime() + n * workingDayMs));
    },
  };
}

function yearsBetween(start: string, end: string): number[] {
  const years: number[] = [];
  for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) years.push(y);
  return years;
}

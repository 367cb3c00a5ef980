import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { calendarExceptions, calendarYears } from '../db/calendar.js';
import { addDays, addWorkingDays, beijingDate, endOfBeijingDay } from './working-days.js';

/** Turns "n working days after an instant" into instants; injected into the activities. */
export interface WorkingCalendar {
  deadlines(from: Date, workingDays: readonly number[]): Promise<Date[]>;
}

/**
 * The official calendar kept in PostgreSQL: a deadline is the end (Beijing midnight) of the n-th
 * working day after the day it starts from.
 */
export function officialCalendar(db: Db, log: Logger): WorkingCalendar {
  return {
    async deadlines(from, workingDays) {
      const start = beijingDate(from);
      // Generous: 15 working days never span more than 35 calendar days, even across 春节.
      const end = addDays(start, Math.max(0, ...workingDays) * 3 + 40);
      const [exceptions, years] = await Promise.all([calendarExceptions(db, start, end), calendarYears(db)]);
      const missing = yearsBetween(start, end).filter((y) => !years.has(y));
      if (missing.length) {
        log.warn({ missing, from: start }, 'the calendar has no holidays for these years; counting Monday to Friday there. An admin should add them (npm run calendar).');
      }
      return workingDays.map((n) => endOfBeijingDay(addWorkingDays(start, n, exceptions)));
    },
  };
}

/** For tests: every working day lasts `workingDayMs`, so ladders climb in seconds on real timers. */
export function scaledCalendar(workingDayMs: number): WorkingCalendar {
  return {
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

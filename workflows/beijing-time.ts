/**
 * Beijing time, in one place: luodi's dates (signing, receipts, deadlines, quarters) are Beijing
 * calendar dates (UTC+8, no daylight saving). Pure and deterministic: safe in workflow code.
 */
export const BEIJING_OFFSET_MS = 8 * 3600_000;
export const BEIJING_TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

/** The Beijing calendar date (YYYY-MM-DD) of an instant. */
export function beijingDate(instant: Date | string | number): string {
  return new Date(new Date(instant).getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Beijing wall-clock time happens: (2026, 4, 1, 0, 30) → 2026-03-31T16:30:00Z. */
export function beijingInstant(year: number, monthIndex: number, day: number, hours = 0, minutes = 0): Date {
  return new Date(Date.UTC(year, monthIndex, day, hours, minutes) - BEIJING_OFFSET_MS);
}

/** The end of a Beijing day: midnight that starts the next day. */
export function endOfBeijingDay(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS - BEIJING_OFFSET_MS);
}

/** A calendar date `days` later (or earlier). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

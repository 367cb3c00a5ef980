/**
 * Working-day arithmetic on the Chinese official calendar: Monday to Friday, except listed public
 * holidays, plus listed 调休 working weekend days. Dates are Beijing dates (YYYY-MM-DD).
 */
export type DayKind = 'holiday' | 'workday';

const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The Beijing calendar date of an instant. */
export function beijingDate(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The end of a Beijing day: midnight that starts the next day. */
export function endOfBeijingDay(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS - BEIJING_OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

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

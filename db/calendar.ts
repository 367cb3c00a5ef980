import { createRequire } from 'node:module';
import { sql } from 'kysely';
import type { DayKind } from '../workflows/working-days.js';
import type { Db } from './connection.js';

/** Holidays and 调休 working days between two dates (inclusive), by date. */
export async function calendarExceptions(db: Db, from: string, to: string): Promise<Map<string, DayKind>> {
  const rows = await db
    .selectFrom('calendar_days')
    .select(['day', 'kind'])
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  return new Map(rows.map((r) => [r.day, r.kind]));
}

/** Years for which the calendar holds any day, i.e. whose holidays are known. */
export async function calendarYears(db: Db): Promise<Set<number>> {
  const rows = await db
    .selectFrom('calendar_days')
    .select((eb) => eb.fn<number>('date_part', [eb.val('year'), eb.ref('day')]).as('year'))
    .distinct()
    .execute();
  return new Set(rows.map((r) => Number(r.year)));
}

export interface CalendarDay {
  day: string;
  kind: DayKind;
  name: string;
}

/** Adds or replaces days (an admin's correction wins over imported data). */
export async function setCalendarDays(db: Db, days: CalendarDay[], source: string): Promise<void> {
  if (!days.length) return;
  await db
    .insertInto('calendar_days')
    .values(days.map((d) => ({ ...d, source })))
    .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind'), name: eb.ref('excluded.name'), source: eb.ref('excluded.source') })))
    .execute();
}

/** A year's holidays and 调休 days, with their names and where each came from, by date. */
export async function calendarDaysOf(db: Db, year: number) {
  return db.selectFrom('calendar_days').selectAll().where('day', '>=', `${year}-01-01`).where('day', '<=', `${year}-12-31`).orderBy('day').execute();
}

/** How many holidays and 调休 days the calendar holds for each year, by year. */
export async function calendarYearCounts(db: Db): Promise<{ year: number; days: number }[]> {
  const year = sql<number>`date_part('year', day)::int`;
  const rows = await db.selectFrom('calendar_days').select([year.as('year'), (eb) => eb.fn.countAll<string>().as('days')]).groupBy(year).orderBy(year).execute();
  return rows.map((r) => ({ year: Number(r.year), days: Number(r.days) }));
}

interface OfficialDay extends CalendarDay {
  source: string;
}

let official: OfficialDay[] | undefined;

/** The State Council's holidays and 调休 days as published in the `chinese-days` package (read once). */
function officialDays(): OfficialDay[] {
  return (official ??= readOfficialDays());
}

function readOfficialDays(): OfficialDay[] {
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
  const source = `chinese-days@${(require('chinese-days/package.json') as { version: string }).version}`;
  const name = (label: string) => label.split(',')[1] ?? label;
  return [
    ...Object.entries(data.holidays).map(([day, label]) => ({ day, kind: 'holiday' as const, name: name(label), source })),
    ...Object.entries(data.workdays).map(([day, label]) => ({ day, kind: 'workday' as const, name: `${name(label)}调休`, source })),
  ];
}

/** The years the `chinese-days` package publishes, oldest first. */
export function officialCalendarYears(): number[] {
  return [...new Set(officialDays().map((d) => Number(d.day.slice(0, 4))))].sort((a, b) => a - b);
}

/**
 * Imports the official days (of one year, or all): days already present are kept, so admins' own
 * entries are never overwritten. Returns how many were added.
 */
export async function importOfficialCalendar(db: Db, year?: number): Promise<number> {
  const rows = officialDays().filter((d) => year === undefined || d.day.startsWith(`${year}-`));
  if (!rows.length) return 0;
  const result = await db
    .insertInto('calendar_days')
    .values(rows)
    .onConflict((oc) => oc.column('day').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

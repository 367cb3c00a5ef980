import { createRequire } from 'node:module';
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

/**
 * Imports the State Council's holidays and 调休 days as published in the `chinese-days` package.
 * Days already present are kept, so admins' own entries are never overwritten. Returns how many were added.
 */
export async function importOfficialCalendar(db: Db): Promise<number> {
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
  const version = (require('chinese-days/package.json') as { version: string }).version;
  const name = (label: string) => label.split(',')[1] ?? label;
  const rows = [
    ...Object.entries(data.holidays).map(([day, label]) => ({ day, kind: 'holiday' as const, name: name(label) })),
    ...Object.entries(data.workdays).map(([day, label]) => ({ day, kind: 'workday' as const, name: `${name(label)}调休` })),
  ];
  const result = await db
    .insertInto('calendar_days')
    .values(rows.map((r) => ({ ...r, source: `chinese-days@${version}` })))
    .onConflict((oc) => oc.column('day').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

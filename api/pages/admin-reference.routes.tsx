import type { Router } from 'express';
import { z } from 'zod';
import { calendarDaysOf, calendarYearCounts, importOfficialCalendar, officialCalendarYears, setCalendarDays } from '../../db/calendar.js';
import type { TargetCategory } from '../../db/schema.js';
import { listTargets } from '../../db/targets.js';
import { beijingDate } from '../../workflows/beijing-time.js';
import { CITIES, PROVINCE_WIDE, type Label } from '../../workflows/reference.js';
import { calendarDayBody, calendarImportBody } from '../admin.routes.js';
import { parse, type RouteDeps } from '../http.js';
import { saveTarget, targetBody } from '../statistics.routes.js';
import { ADMIN, labelledChoices, labelOf, noParams, plainChoices, refusedBesideFields, withNews } from './admin-shared.js';
import { CATALOG } from './catalog.js';
import { NO_CONTEXT, registerAdminForm, registerAdminList } from './admin-form.js';
import { toMinorUnits, type FormValues, type PageField } from './forms.js';
import { CalendarYearDays, CalendarYears, TargetList } from './views/admin-reference.js';

const CATEGORIES = ['domestic', 'foreign', 'out_of_province'] as const satisfies readonly TargetCategory[];
const CATEGORY_LABELS: Record<TargetCategory, Label> = { domestic: CATALOG['targetCategory.domestic'], foreign: CATALOG['targetCategory.foreign'], out_of_province: CATALOG['targetCategory.out_of_province'] };
const DAY_KINDS = ['holiday', 'workday'] as const;

const TARGET_FIELDS: PageField[] = [
  { key: 'year', type: 'number', required: true, label: CATALOG.year },
  { key: 'city', type: 'choice', required: true, label: CATALOG.city, choices: plainChoices([PROVINCE_WIDE, ...CITIES]) },
  { key: 'category', type: 'choice', required: true, label: CATALOG.targetCategory, choices: labelledChoices(CATEGORIES, CATEGORY_LABELS) },
  { key: 'amountMinor', type: 'money', required: true, label: CATALOG.targetAmountField },
];
const DAY_FIELDS: PageField[] = [
  { key: 'day', type: 'date', required: true, label: CATALOG.calendarDay },
  { key: 'kind', type: 'choice', required: true, label: CATALOG.dayKind, choices: labelledChoices(DAY_KINDS, { holiday: CATALOG['dayKind.holiday'], workday: CATALOG['dayKind.workday'] }) },
  { key: 'name', type: 'line', required: true, label: CATALOG.dayName },
];

const yearParams = z.object({ year: z.coerce.number('must be a year').int('must be a year').min(2000, 'must be 2000 or later').max(2100, 'must be 2100 or earlier') });
const targetsQuery = z.object({ year: yearParams.shape.year.optional() });

/** A whole number as typed, or the text itself, so that the schema names the field. */
const wholeNumber = (value: string | undefined) => (/^\d{1,9}$/.test(value?.trim() ?? '') ? Number(value) : (value ?? ''));

/** Annual targets and the working-day calendar. */
export function registerAdminReferencePages(router: Router, deps: Pick<RouteDeps, 'db'>): void {
  const { db } = deps;

  registerAdminList(router, {
    path: ADMIN.targets,
    allows: 'targets.manage',
    title: 'adminTargets',
    view: async ({ req, user, t, news }) => {
      const { year = Number(beijingDate(Date.now()).slice(0, 4)) } = parse(targetsQuery, req.query, 'query');
      return <TargetList t={t} year={year} targets={await listTargets(db, year, user.city)} news={news} />;
    },
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.targets}/new`,
    postPath: ADMIN.targets,
    formId: 'target-form',
    ...NO_CONTEXT,
    allows: 'targets.manage',
    title: 'setTarget',
    about: 'setTargetAbout',
    fields: () => TARGET_FIELDS,
    schema: targetBody,
    toInput: (form: FormValues) => ({
      year: wholeNumber(form.year),
      city: form.city ?? '',
      category: form.category ?? '',
      amountMinor: toMinorUnits(form.amountMinor ?? '') ?? form.amountMinor ?? '',
      currency: form.amountMinor__currency,
    }),
    apply: async (_ctx, target, { user }) => {
      // A currency that is not the category's: said beside the category (the amount's own reason is about the amount).
      await refusedBesideFields(() => saveTarget(db, user, target), { currency: 'category' });
      return withNews(`${ADMIN.targets}?year=${target.year}`, 'targetSet', `${target.year} ${target.city} ${target.category}`);
    },
  });

  registerAdminList(router, {
    path: ADMIN.calendar,
    allows: 'calendar.manage',
    title: 'adminCalendar',
    view: async ({ t, news }) => <CalendarYears t={t} years={await calendarYearCounts(db)} news={news} />,
  });

  /** Loads a year as `npm run calendar -- import` loads them all: the official days, keeping any already there. */
  registerAdminForm(router, db, {
    getPath: `${ADMIN.calendar}/load`,
    postPath: `${ADMIN.calendar}/load`,
    formId: 'calendar-load-form',
    params: noParams,
    load: async () => ({ loaded: new Map((await calendarYearCounts(db)).map((y) => [y.year, y.days])) }),
    allows: 'calendar.manage',
    title: 'loadYear',
    about: 'loadYearAbout',
    fields: ({ loaded }) => [
      {
        key: 'year',
        type: 'choice',
        required: true,
        label: CATALOG.year,
        choices: officialCalendarYears().map((y) => ({
          value: String(y),
          label: loaded.has(y) ? labelOf('yearWithDays', { year: y, days: loaded.get(y)! }) : plainChoices([y])[0]!.label,
        })),
      },
    ],
    schema: calendarImportBody,
    toInput: (form) => ({ year: wholeNumber(form.year) }),
    apply: async (_ctx, { year }) => withNews(`${ADMIN.calendar}/${year}`, 'calendarLoaded', `${year} +${await importOfficialCalendar(db, year)}`),
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.calendar}/days/new`,
    postPath: `${ADMIN.calendar}/days`,
    formId: 'calendar-day-form',
    ...NO_CONTEXT,
    allows: 'calendar.manage',
    title: 'setDay',
    about: 'setDayAbout',
    fields: () => DAY_FIELDS,
    schema: calendarDayBody,
    toInput: (form) => ({ day: form.day ?? '', kind: form.kind ?? '', name: form.name ?? '' }),
    apply: async (_ctx, day, { user }) => {
      await setCalendarDays(db, [day], `admin:${user.id}`);
      return withNews(`${ADMIN.calendar}/${day.day.slice(0, 4)}`, 'daySet', `${day.day} ${day.kind}`);
    },
  });

  registerAdminList(router, {
    path: `${ADMIN.calendar}/:year`,
    allows: 'calendar.manage',
    title: 'adminCalendar',
    view: async ({ req, t, news }) => {
      const { year } = parse(yearParams, req.params, 'path');
      return <CalendarYearDays t={t} year={year} days={await calendarDaysOf(db, year)} news={news} />;
    },
  });
}

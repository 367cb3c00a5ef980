import type { calendarDaysOf, calendarYearCounts } from '../../../db/calendar.js';
import type { Target } from '../../../db/targets.js';
import { formatMinor } from '../../../workflows/money.js';
import { ADMIN, type AdminNewsQuery } from '../admin-shared.js';
import type { Translate } from '../catalog.js';
import { AdminPage, FormLink } from './admin.js';
import { TableHead } from './table-head.js';

export type CalendarYear = Awaited<ReturnType<typeof calendarYearCounts>>[number];
export type CalendarDayRow = Awaited<ReturnType<typeof calendarDaysOf>>[number];

/** A year's annual targets, with the years before and after, and the form that sets one. */
export function TargetList({ t, year, targets, news }: { t: Translate; year: number; targets: readonly Target[]; news: AdminNewsQuery }) {
  return (
    <AdminPage t={t} title={`${t('adminTargets')} · ${year}`} news={news}>
      <p>
        <a href={`${ADMIN.targets}?year=${year - 1}`}>← {year - 1}</a> · <a href={`${ADMIN.targets}?year=${year + 1}`}>{year + 1} →</a>
      </p>
      <FormLink href={`${ADMIN.targets}/new`} label={t('setTarget')} id="set-target" />
      {targets.length === 0 ? (
        <p class="card">{t('noTargets', { year })}</p>
      ) : (
        <table>
          <TableHead headings={[t('city'), t('targetCategory'), t('targetAmount'), t('setBy')]} />
          <tbody>
            {targets.map((x) => (
              <tr data-target={`${x.city}/${x.category}`}>
                <td>{x.city}</td>
                <td data-label={t('targetCategory')}>{t(`targetCategory.${x.category}`)}</td>
                <td data-label={t('targetAmount')}>
                  {formatMinor(BigInt(x.amount_minor))} {x.currency}
                </td>
                <td data-label={t('setBy')}>
                  {x.set_by} · {t.time(x.set_at)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminPage>
  );
}

/** The years the calendar holds (each with how many days), and the forms that load a year and change a day. */
export function CalendarYears({ t, years, news }: { t: Translate; years: readonly CalendarYear[]; news: AdminNewsQuery }) {
  return (
    <AdminPage t={t} title={t('adminCalendar')} news={news}>
      <p class="muted">{t('calendarAbout')}</p>
      <p>
        <a href={`${ADMIN.calendar}/load`} class="button" id="load-year">
          {t('loadYear')}
        </a>{' '}
        <a href={`${ADMIN.calendar}/days/new`} class="button" id="set-day">
          {t('setDay')}
        </a>
      </p>
      {years.length === 0 ? (
        <p class="card">{t('noCalendarYears')}</p>
      ) : (
        <table>
          <TableHead headings={[t('year'), t('calendarDays')]} />
          <tbody>
            {years.map((y) => (
              <tr data-year={y.year}>
                <td>
                  <a href={`${ADMIN.calendar}/${y.year}`}>{y.year}</a>
                </td>
                <td data-label={t('calendarDays')}>{y.days}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminPage>
  );
}

/** One year's holidays and 调休 working days. */
export function CalendarYearDays({ t, year, days, news }: { t: Translate; year: number; days: readonly CalendarDayRow[]; news: AdminNewsQuery }) {
  return (
    <AdminPage t={t} title={`${t('adminCalendar')} · ${year}`} news={news}>
      <p>
        <a href={ADMIN.calendar}>← {t('adminCalendar')}</a>
      </p>
      <FormLink href={`${ADMIN.calendar}/days/new`} label={t('setDay')} />
      {days.length === 0 ? (
        <p class="card">{t('noCalendarDays', { year })}</p>
      ) : (
        <table>
          <TableHead headings={[t('calendarDay'), t('dayKind'), t('dayName'), t('daySource')]} />
          <tbody>
            {days.map((d) => (
              <tr data-day={d.day}>
                <td>{d.day}</td>
                <td data-label={t('dayKind')}>{t(`dayKind.${d.kind}`)}</td>
                <td data-label={t('dayName')}>{d.name}</td>
                <td data-label={t('daySource')}>{d.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminPage>
  );
}

import type { User } from '../../../db/users.js';
import { CITIES, STAGE_LABELS } from '../../../workflows/reference.js';
import { translator, type Translate } from '../catalog.js';
import { COLUMNS, type DashboardData, type DashboardQuery } from '../dashboard-data.js';
import { DASHBOARD_SCRIPT_PATH, ECHARTS_PATH } from '../scripts.js';
import { JsonData, Script } from './layout.js';

export interface DashboardProps {
  t: Translate;
  user: User;
  query: DashboardQuery;
  /** Null when the period could not be read; `error` says why. */
  data: DashboardData | null;
  error: string | null;
}

/** The charts' data, for the served script: JSON in a data block, which the CSP does not run; `<` is escaped so that it cannot close the block. */
function chartData(t: Translate, data: DashboardData): string {
  const charts = {
    // Projects by stage: a bar per stage, in the stages' order. Not a funnel: these are where
    // today's projects stand, not one cohort's passage from step to step.
    stages: { names: data.stages.map((s) => t(STAGE_LABELS[s.stage])), counts: data.stages.map((s) => s.count) },
    cities: data.cities.map((c) => c.city),
    funds: data.cities.map((c) => Number(c.fundsYtdYi)),
    targets: data.cities.map((c) => (c.targetYi === null ? null : Number(c.targetYi))),
    schedule: data.cities.map((c) => (c.schedulePoints === null ? null : Number(c.schedulePoints))),
    stuck: data.cities.map((c) => c.stuck),
  };
  const labels = { projects: t('column.projects'), funds: t('series.funds'), target: t('series.target'), schedule: t('series.schedule'), stuck: t('series.stuck') };
  return JSON.stringify({ d: charts, L: labels }).replace(/</g, '\\u003c');
}

/** A chart, or, when it would have nothing to draw, a sentence saying what is missing. */
function Chart({ title, id, height, empty }: { title: string; id: string; height: number; empty: string | null }) {
  return (
    <>
      <h2>{title}</h2>
      {empty ? (
        <p class="card muted" data-empty={id}>
          {empty}
        </p>
      ) : (
        <div class="card">
          <div id={id} class="chart" style={`height:${height}px`}></div>
        </div>
      )}
    </>
  );
}

/** Which charts would draw nothing, and the sentence each shows instead. */
function emptyCharts(t: Translate, data: DashboardData) {
  const none = (values: readonly (number | null)[]) => values.every((v) => v === null || v === 0);
  return {
    stages: data.stages.every((s) => s.count === 0) ? t('chartEmpty.stages') : null,
    funds: none(data.cities.map((c) => Number(c.fundsYtdYi))) && data.cities.every((c) => c.targetYi === null) ? t('chartEmpty.funds') : null,
    schedule: data.cities.every((c) => c.schedulePoints === null) ? t('chartEmpty.schedule') : null,
    stuck: data.cities.every((c) => c.stuck === 0) ? t('chartEmpty.stuck') : null,
  };
}

/** The city table keeps the dispatch meeting's Chinese column names in both languages, as the export does. */
function CityTable({ data }: { data: DashboardData }) {
  const zh = translator('zh');
  const [, funds, target, completion, schedule] = COLUMNS.funds.map((k) => zh(k));
  const stuck = zh(COLUMNS.stuck[1]);
  return (
    <table id="city-table">
      <thead>
        <tr>
          {COLUMNS.funds.map((k) => (
            <th>{zh(k)}</th>
          ))}
          <th>{stuck}</th>
        </tr>
      </thead>
      <tbody>
        {data.cities.map((c) => (
          <tr data-city={c.city}>
            <td>{c.city}</td>
            <td data-label={funds}>{c.fundsYtdYi}</td>
            <td data-label={target}>{c.targetYi ?? '—'}</td>
            <td data-label={completion}>{c.completionPercent ?? '—'}</td>
            <td data-label={schedule}>{c.schedulePoints ?? '—'}</td>
            <td data-label={stuck}>{c.stuck}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The supervisors' dashboard: the period form, then the charts and the city table. */
export function Dashboard({ t, user, query, data, error }: DashboardProps) {
  const exportQuery = new URLSearchParams({ period: query.period, ...(query.city ? { city: query.city } : {}) });
  const empty = data ? emptyCharts(t, data) : null;
  return (
    <>
      <h1>{t('dashboard')}</h1>
      <form method="get" action="/dashboard" class="card">
        <label for="period">{t('periodField')}</label>
        <input id="period" name="period" value={query.period} />
        {!user.city && (
          <>
            <label for="city">{t('city')}</label>
            <select id="city" name="city">
              <option value="">{t('province')}</option>
              {CITIES.map((c) => (
                <option selected={c === query.city}>{c}</option>
              ))}
            </select>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          {t('show')}
        </button>
      </form>
      {data && empty && (
        <>
          <p class="muted">
            {data.period.from} – {data.period.to} ·{' '}
            <a id="export" href={`/dashboard.xlsx?${exportQuery.toString()}`}>
              {t('exportExcel')}
            </a>
          </p>
          <Chart title={t('stagesChart')} id="chart-stages" height={320} empty={empty.stages} />
          <Chart title={t('fundsChart')} id="chart-funds" height={360} empty={empty.funds} />
          <Chart title={t('scheduleChart')} id="chart-schedule" height={320} empty={empty.schedule} />
          <Chart title={t('stuck')} id="chart-stuck" height={320} empty={empty.stuck} />
          <CityTable data={data} />
          <JsonData id="dashboard-data" json={chartData(t, data)} />
          <Script src={ECHARTS_PATH} />
          <Script src={DASHBOARD_SCRIPT_PATH} />
        </>
      )}
    </>
  );
}

import ExcelJS from 'exceljs';
import type { Db } from '../../db/connection.js';
import { projectsByStage, stuckProjectsByCity } from '../../db/projects.js';
import { quarterPeriod, statistics } from '../../db/report-content.js';
import type { Period } from '../../db/statistics.js';
import type { User } from '../../db/users.js';
import { CITIES, STAGES, type City, type Stage } from '../../workflows/reference.js';
import { h, raw, type Html } from './html.js';
import { stageName, t, type Lang } from './i18n.js';

export interface DashboardQuery {
  /** 'YYYYQn' (a quarter) or 'YYYY-MM-DD' (the year to that date). */
  period: string;
  city: City | null;
}

export function periodOf(period: string): Period | null {
  if (/^\d{4}Q[1-4]$/.test(period)) return quarterPeriod(period);
  if (/^\d{4}-\d{2}-\d{2}$/.test(period) && !Number.isNaN(Date.parse(period))) return { from: `${period.slice(0, 4)}-01-01`, to: period };
  return null;
}

export interface CityRow {
  city: City;
  fundsYtdYi: string;
  targetYi: string | null;
  completionPercent: string | null;
  schedulePoints: string | null;
  stuck: number;
}

export interface DashboardData {
  period: Period;
  stages: { stage: Stage; count: number }[];
  cities: CityRow[];
}

/** The figures behind the dashboard, within what the user may see. */
export async function dashboardData(db: Db, user: User, q: DashboardQuery, period: Period): Promise<DashboardData> {
  const area = user.city ?? q.city;
  const counts = new Map((await projectsByStage(db, area)).map((r) => [r.stage, r.count]));
  const stuck = new Map((await stuckProjectsByCity(db, area)).map((r) => [r.city, r.count]));
  const cities: CityRow[] = [];
  for (const city of area ? [area] : CITIES) {
    const s = await statistics(db, city, period);
    const d = s.targets.domestic!;
    cities.push({ city, fundsYtdYi: d.yearToDate.yi, targetYi: d.target?.yi ?? null, completionPercent: d.completionPercent, schedulePoints: d.schedulePoints, stuck: stuck.get(city) ?? 0 });
  }
  return { period, stages: STAGES.filter((s) => s !== 'merged').map((stage) => ({ stage, count: counts.get(stage) ?? 0 })), cities };
}

const HEADERS = {
  stages: ['阶段', '项目数'],
  funds: ['城市', '年初至今实际到位资金（亿元）', '年度目标（亿元）', '完成率（%）', '超欠进度（百分点）'],
  stuck: ['城市', '卡住项目数'],
};

/** Every dashboard table as a sheet, with Chinese headers, as the dispatch meeting uses them. */
export async function dashboardWorkbook(data: DashboardData, lang: Lang): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'luodi';
  const sheet = (name: string, headers: string[], rows: (string | number | null)[][]) => {
    const ws = workbook.addWorksheet(name);
    ws.addRow([`统计期间 ${data.period.from} 至 ${data.period.to}`]);
    ws.addRow(headers).font = { bold: true };
    for (const r of rows) ws.addRow(r.map((v) => (v === null ? '' : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)));
    ws.columns.forEach((c) => (c.width = 18));
  };
  sheet('阶段漏斗', HEADERS.stages, data.stages.map((s) => [stageName(lang === 'en' ? 'zh' : lang, s.stage), s.count]));
  sheet('到位资金与目标', HEADERS.funds, data.cities.map((c) => [c.city, c.fundsYtdYi, c.targetYi, c.completionPercent, c.schedulePoints]));
  sheet('卡住项目', HEADERS.stuck, data.cities.map((c) => [c.city, c.stuck]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function renderDashboard(lang: Lang, user: User, q: DashboardQuery, data: DashboardData | null, error: string | null): Html {
  const params = new URLSearchParams({ period: q.period, ...(q.city ? { city: q.city } : {}) });
  const charts = data
    ? {
        funnel: data.stages.map((s) => ({ name: stageName(lang, s.stage), value: s.count })),
        cities: data.cities.map((c) => c.city),
        funds: data.cities.map((c) => Number(c.fundsYtdYi)),
        targets: data.cities.map((c) => (c.targetYi === null ? null : Number(c.targetYi))),
        schedule: data.cities.map((c) => (c.schedulePoints === null ? null : Number(c.schedulePoints))),
        stuck: data.cities.map((c) => c.stuck),
      }
    : null;
  return h`<h1>${lang === 'zh' ? '调度看板' : 'Dashboard'}</h1>
  <form method="get" action="/dashboard" class="card">
    <label for="period">${lang === 'zh' ? '统计期间（季度如 2017Q1，或截至日期如 2017-04-30）' : 'Period (a quarter such as 2017Q1, or a date for the year to date)'}</label>
    <input id="period" name="period" value="${q.period}">
    ${user.city ? '' : h`<label for="city">${t(lang, 'city')}</label><select id="city" name="city"><option value="">${lang === 'zh' ? '全省' : 'Province'}</option>${CITIES.map((c) => h`<option ${c === q.city ? raw('selected') : ''}>${c}</option>`)}</select>`}
    ${error ? h`<p class="error" role="alert">${error}</p>` : ''}
    <button type="submit" class="primary">${lang === 'zh' ? '查询' : 'Show'}</button>
  </form>
  ${data
    ? h`<p class="muted">${data.period.from} – ${data.period.to} · <a id="export" href="/dashboard.xlsx?${params.toString()}">${lang === 'zh' ? '导出 Excel' : 'Export to Excel'}</a></p>
  <h2>${lang === 'zh' ? '项目阶段漏斗' : 'Projects by stage'}</h2><div class="card"><div id="chart-funnel" style="height:320px"></div></div>
  <h2>${lang === 'zh' ? '实际到位资金与年度目标（亿元）' : 'Funds in place against the annual target (亿元)'}</h2><div class="card"><div id="chart-funds" style="height:360px"></div></div>
  <h2>${lang === 'zh' ? '超欠进度（百分点）' : 'Ahead or behind schedule (points)'}</h2><div class="card"><div id="chart-schedule" style="height:320px"></div></div>
  <h2>${t(lang, 'stuck')}</h2><div class="card"><div id="chart-stuck" style="height:320px"></div></div>
  <table id="city-table"><thead><tr>${HEADERS.funds.map((x) => h`<th>${x}</th>`)}<th>${HEADERS.stuck[1]}</th></tr></thead><tbody>
  ${data.cities.map((c) => {
    const [, funds, target, completion, schedule] = HEADERS.funds;
    return h`<tr data-city="${c.city}"><td>${c.city}</td><td data-label="${funds}">${c.fundsYtdYi}</td><td data-label="${target}">${c.targetYi ?? '—'}</td><td data-label="${completion}">${c.completionPercent ?? '—'}</td><td data-label="${schedule}">${c.schedulePoints ?? '—'}</td><td data-label="${HEADERS.stuck[1]}">${c.stuck}</td></tr>`;
  })}
  </tbody></table>
  <script type="application/json" id="dashboard-data">${raw(chartData(charts!, lang))}</script>
  <script src="/assets/echarts.min.js"></script>
  <script src="${DASHBOARD_SCRIPT_PATH}"></script>`
    : ''}`;
}

/** The charts' data, for the served script: JSON in a data block, which the CSP does not run. */
function chartData(data: object, lang: Lang): string {
  const labels = lang === 'zh' ? { funds: '实际到位资金', target: '年度目标', schedule: '超欠进度', stuck: '卡住项目' } : { funds: 'Funds in place', target: 'Annual target', schedule: 'Ahead/behind', stuck: 'Stuck' };
  return JSON.stringify({ d: data, L: labels }).replace(/</g, '\\u003c');
}

/** Served as a file, not inline, so that the Content-Security-Policy needs no exception for it. */
export const DASHBOARD_SCRIPT_PATH = '/assets/luodi/dashboard.js';

export const DASHBOARD_SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('dashboard-data').textContent),d=data.d,L=data.L;
function chart(id,option){var c=echarts.init(document.getElementById(id));c.setOption(option);window.addEventListener('resize',function(){c.resize();});}
var axis={type:'category',data:d.cities,axisLabel:{interval:0,rotate:45}};
chart('chart-funnel',{tooltip:{},series:[{type:'funnel',sort:'none',data:d.funnel,label:{formatter:'{b}: {c}'}}]});
chart('chart-funds',{tooltip:{trigger:'axis'},legend:{},grid:{bottom:80},xAxis:axis,yAxis:{type:'value'},series:[{name:L.funds,type:'bar',data:d.funds},{name:L.target,type:'bar',data:d.targets}]});
chart('chart-schedule',{tooltip:{trigger:'axis'},grid:{bottom:80},xAxis:axis,yAxis:{type:'value'},series:[{name:L.schedule,type:'bar',data:d.schedule.map(function(v){return v===null?null:{value:v,itemStyle:{color:v<0?'#b3261e':'#2f9e44'}};})}]});
chart('chart-stuck',{tooltip:{trigger:'axis'},grid:{bottom:80},xAxis:axis,yAxis:{type:'value',minInterval:1},series:[{name:L.stuck,type:'bar',data:d.stuck}]});
document.body.setAttribute('data-charts','ready');
})();`;

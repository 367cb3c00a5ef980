import ExcelJS from 'exceljs';
import type { Db } from '../../db/connection.js';
import { projectsByStage, stuckProjectsByCity } from '../../db/projects.js';
import { quarterPeriod, statistics } from '../../db/report-content.js';
import type { Period } from '../../db/statistics.js';
import type { User } from '../../db/users.js';
import { CITIES, PROVINCE_WIDE, STAGE_LABELS, STAGES, type City, type Stage } from '../../workflows/reference.js';
import { translator, type TextKey } from './catalog.js';

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

/** The dispatch meeting's columns, on the page and in the export: Chinese, as the meeting uses them. */
export const COLUMNS = {
  stages: ['column.stage', 'column.projects'],
  funds: ['column.city', 'column.fundsYtd', 'column.target', 'column.completion', 'column.schedule'],
  stuck: ['column.city', 'column.stuck'],
} as const satisfies Record<string, readonly TextKey[]>;

const zh = translator('zh');

/** The export's file name: the area (a city, or the province) and the period. */
export function workbookName(q: DashboardQuery, user: User): string {
  return zh('sheet.fileName', { area: q.city ?? user.city ?? PROVINCE_WIDE, period: q.period });
}

/** Every dashboard table as a sheet, with Chinese headers, as the dispatch meeting uses them. */
export async function dashboardWorkbook(data: DashboardData): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'luodi';
  const sheet = (name: TextKey, headers: readonly TextKey[], rows: (string | number | null)[][]) => {
    const ws = workbook.addWorksheet(zh(name));
    ws.addRow([zh('sheet.period', { from: data.period.from, to: data.period.to })]);
    ws.addRow(headers.map((h) => zh(h))).font = { bold: true };
    for (const r of rows) ws.addRow(r.map((v) => (v === null ? '' : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)));
    ws.columns.forEach((c) => (c.width = 18));
  };
  sheet('sheet.stages', COLUMNS.stages, data.stages.map((s) => [zh(STAGE_LABELS[s.stage]), s.count]));
  sheet('sheet.funds', COLUMNS.funds, data.cities.map((c) => [c.city, c.fundsYtdYi, c.targetYi, c.completionPercent, c.schedulePoints]));
  sheet('sheet.stuck', COLUMNS.stuck, data.cities.map((c) => [c.city, c.stuck]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

import ExcelJS from 'exceljs';
import type { AreaFigures as Figures } from '../../db/report-content.js';
import { PROVINCE_WIDE } from '../../workflows/reference.js';

export interface ReportContent {
  quarter: string;
  /** Absent in what a city's user reads: their city's figures only. */
  province?: Figures;
  cities: Record<string, Figures>;
}

const HEADERS = [
  '地区',
  '签约内资项目（个）',
  '其中省外项目（个）',
  '签约外资项目（个）',
  '实际到位内资（亿元）',
  '同比增长（%）',
  '实际利用外资（亿美元）',
  '同比增长（%）',
  '内资年度目标（亿元）',
  '目标完成率（%）',
  '超欠进度（百分点）',
];

const row = (area: string, f: Figures) => [
  area,
  f.signed.domestic,
  f.signed.outOfProvince,
  f.signed.foreign,
  f.fundsInPlace.CNY.yi,
  f.fundsInPlace.CNY.growthPercent,
  f.fundsInPlace.USD.yi,
  f.fundsInPlace.USD.growthPercent,
  f.targets.domestic?.target?.yi ?? null,
  f.targets.domestic?.completionPercent ?? null,
  f.targets.domestic?.schedulePoints ?? null,
];

/** A published dispatch report as one sheet: the province, then each city, with Chinese headers. */
export async function reportWorkbook(content: ReportContent, version: string, hash: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'luodi';
  const ws = workbook.addWorksheet(`${content.quarter} 调度`);
  ws.addRow([`${content.quarter} 招商引资调度报告（${version}）`]).font = { bold: true, size: 14 };
  const areas = [...(content.province ? [[PROVINCE_WIDE, content.province] as const] : []), ...Object.entries(content.cities)];
  const period = areas[0]?.[1].period;
  ws.addRow([`统计期间 ${period?.from ?? ''} 至 ${period?.to ?? ''} · SHA-256 ${hash}`]);
  ws.addRow(HEADERS).font = { bold: true };
  for (const [area, figures] of areas) {
    ws.addRow(row(area, figures).map((v) => (v === null ? '' : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)));
  }
  ws.columns.forEach((c, i) => (c.width = i === 0 ? 12 : 16));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

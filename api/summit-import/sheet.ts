import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

export type SheetFormat = 'csv' | 'xlsx';

export const SHEET_TYPES: Readonly<Record<SheetFormat, string>> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** One row: its number in the spreadsheet (the header is row 1) and its cells by header. */
export interface SheetRow {
  row: number;
  cells: Record<string, string>;
}

export class SheetError extends Error {}

/** Reads the first sheet of an XLSX workbook, or a CSV file (UTF-8, with or without BOM). */
export async function readSheet(content: Buffer, format: SheetFormat): Promise<SheetRow[]> {
  const table = format === 'csv' ? readCsv(content) : await readXlsx(content);
  const [header, ...rows] = table;
  if (!header?.some((h) => h.trim())) throw new SheetError('The file has no header row.');
  const names = header.map((h) => h.trim());
  return rows
    .map((cells, i) => ({ row: i + 2, cells: Object.fromEntries(names.map((n, j) => [n, (cells[j] ?? '').trim()])) }))
    .filter((r) => Object.values(r.cells).some((v) => v !== ''));
}

function readCsv(content: Buffer): string[][] {
  try {
    return parse(content, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new SheetError(`The CSV file cannot be read: ${(err as Error).message}`);
  }
}

async function readXlsx(content: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (err) {
    throw new SheetError(`The XLSX file cannot be read: ${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new SheetError('The workbook has no sheet.');
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    table[n - 1] = cells;
  });
  return Array.from(table, (r) => r ?? []);
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
  }
  return String(value);
}

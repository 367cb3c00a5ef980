import type { User } from '../../db/users.js';
import type { FieldReason } from '../../workflows/errors.js';
import type { ProjectInput } from '../../workflows/state.js';
import { inScope } from '../policy.js';
import { createProjectBody } from '../schemas.js';
import type { SheetRow } from './sheet.js';
import { parseAmount } from '../../workflows/money.js';
import type { Currency } from '../../workflows/money.js';

/** Each field's Chinese header; the field's own name is accepted too. The amount's header says its unit (AMOUNTS). */
const CHINESE_HEADERS: Readonly<Record<string, string>> = {
  code: '项目编号', name: '项目名称', codename: '项目代号', investor: '投资方', city: '城市', capitalType: '资本类型', outOfProvince: '省外项目',
  projectType: '项目类型', currency: '币种', signingEvent: '签约活动', signedOn: '签约日期', liaison: '对接人', stage: '阶段',
};
/** Accepted headers for each field, Chinese first. */
const COLUMNS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(Object.entries(CHINESE_HEADERS).map(([field, zh]) => [field, [zh, field]]));
/** Amount columns and how many minor units one of their unit holds (元 → 100 fen; 万元 → 1,000,000 fen). */
const AMOUNTS: Readonly<Record<string, bigint>> = {
  '签约额（元）': 100n,
  '签约额（万元）': 1_000_000n,
  amount: 100n,
};

const CAPITAL: Readonly<Record<string, string>> = { 内资: 'domestic', 外资: 'foreign' };
const CURRENCY: Readonly<Record<string, string>> = { 人民币: 'CNY', 美元: 'USD' };
const YES = new Set(['是', 'yes', 'true', '1', 'y']);
const NO = new Set(['否', 'no', 'false', '0', 'n', '']);

export interface RowProblem {
  row: number;
  column: string;
  reason: string;
}

export interface CheckedRows {
  /** `codeColumn`: the header the code was read from, to name it in a later problem. */
  projects: { row: number; codeColumn: string; input: ProjectInput }[];
  problems: RowProblem[];
}

/**
 * Checks every row before anything starts: the same rules as POST /api/projects, plus codes
 * unique within the file, a known project type, and the importing user's city.
 */
export function checkRows(rows: SheetRow[], user: User, knownProjectTypes: ReadonlySet<string>): CheckedRows {
  const projects: CheckedRows['projects'] = [];
  const problems: RowProblem[] = [];
  const firstRowOf = new Map<string, number>();
  if (!rows.length) problems.push({ row: 1, column: '(file)', reason: 'the file has no projects' });
  const headers = Object.keys(rows[0]?.cells ?? {});
  const unknown = headers.filter((h) => h && !Object.values(COLUMNS).some((names) => names.includes(h)) && !(h in AMOUNTS));
  for (const h of unknown) problems.push({ row: 1, column: h, reason: 'unknown column' });

  for (const { row, cells } of rows) {
    const columnOf = (field: string) => COLUMNS[field]?.find((n) => n in cells) ?? COLUMNS[field]?.[0] ?? field;
    const value = (field: string) => cells[columnOf(field)] ?? '';
    const rowProblems: RowProblem[] = [];
    const amount = amountOf(cells, value('capitalType'), value('currency'));
    if ('problem' in amount) rowProblems.push({ row, ...amount.problem });
    const outOfProvince = value('outOfProvince').toLowerCase();
    if (!YES.has(outOfProvince) && !NO.has(outOfProvince)) rowProblems.push({ row, column: columnOf('outOfProvince'), reason: 'must be 是 or 否' });
    const candidate = {
      code: value('code'),
      name: value('name'),
      codename: value('codename') || null,
      investor: value('investor'),
      city: value('city'),
      capitalType: CAPITAL[value('capitalType')] ?? value('capitalType'),
      outOfProvince: YES.has(outOfProvince),
      stage: value('stage') || 'signed',
      projectType: value('projectType') || 'industrial',
      liaison: value('liaison') || null,
      contracted: 'money' in amount ? amount.money : null,
      signingEvent: value('signingEvent') || null,
      signedOn: value('signedOn') || null,
    };
    const parsed = createProjectBody.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        if (field === 'contracted') continue; // reported from the amount's own columns above
        rowProblems.push({ row, column: columnOf(field), reason: issue.message });
      }
    } else {
      const input = parsed.data;
      if (!knownProjectTypes.has(input.projectType)) rowProblems.push({ row, column: columnOf('projectType'), reason: 'no task template for this project type' });
      if (!inScope(user, input.city)) rowProblems.push({ row, column: columnOf('city'), reason: `${user.id} registers projects in ${user.city} only` });
      const first = firstRowOf.get(input.code);
      if (first !== undefined) rowProblems.push({ row, column: columnOf('code'), reason: `the same code as row ${first}` });
      else firstRowOf.set(input.code, row);
      if (!rowProblems.length) projects.push({ row, codeColumn: columnOf('code'), input: { ...input, actor: user.id } });
    }
    problems.push(...rowProblems);
  }
  return { projects: problems.length ? [] : projects, problems };
}

type Amount = { money: { amountMinor: string; currency: Currency } } | { problem: Omit<RowProblem, 'row'> } | { none: true };

/** The contracted amount in minor units, by exact decimal arithmetic; the currency follows the capital type unless given. */
function amountOf(cells: Record<string, string>, capitalType: string, currencyCell: string): Amount {
  const column = Object.keys(AMOUNTS).find((c) => cells[c]);
  if (!column) return { none: true };
  const parsed = parseAmount(cells[column]!, AMOUNTS[column]!);
  if ('problem' in parsed) return { problem: { column, reason: parsed.problem } };
  const currency = CURRENCY[currencyCell] ?? (currencyCell || ((CAPITAL[capitalType] ?? capitalType) === 'foreign' ? 'USD' : 'CNY'));
  if (currency !== 'CNY' && currency !== 'USD') return { problem: { column: '币种', reason: 'must be CNY (人民币) or USD (美元)' } };
  return { money: { amountMinor: parsed.amountMinor, currency } };
}

export function toFieldReasons(problems: RowProblem[]): FieldReason[] {
  return problems.map((p) => ({ field: `row ${p.row}: ${p.column}`, reason: p.reason }));
}

/**
 * Money, in one place: amounts are integer minor units (fen, cents) with a currency, carried as
 * strings of digits and computed as bigint; never a float, never converted between currencies.
 * Pure: the workflow, the API, the pages, the import and the reports all use it.
 */
import { roundDiv, tenths } from './figures.js';
import { CURRENCIES, type Currency } from './reference.js';

export { CURRENCIES, type Currency };

/** Money in a form or a contract: integer minor units as a string, with its currency. */
export interface MoneyValue {
  amountMinor: string;
  currency: Currency;
}

/**
 * The largest amount luodi accepts anywhere (an entry, a contract, a province's annual target), in
 * minor units: 10^15 fen is 10 万亿元, beyond any project or target. PostgreSQL sums bigint
 * columns as numeric, so totals of many such amounts do not overflow.
 */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000n;

/** Whole minor units: digits without a leading zero, at most 18 (the ceiling is checked apart). */
const MINOR_UNITS = /^(0|[1-9]\d{0,17})$/;

/** Why a value is not an acceptable amount (whole minor units as a string of digits, ≤ the ceiling), or null. */
export function amountProblem(value: unknown, { positive }: { positive: boolean }): string | null {
  if (typeof value !== 'string' || !MINOR_UNITS.test(value)) return 'must be whole minor units (fen or cents) as a string of digits';
  if (positive && value === '0') return 'must be more than zero';
  if (BigInt(value) > MAX_AMOUNT_MINOR) return `must be at most ${MAX_AMOUNT_MINOR} minor units (10 万亿)`;
  return null;
}

export function isCurrency(value: unknown): value is Currency {
  return (CURRENCIES as readonly unknown[]).includes(value);
}

/** An amount as people type it in yuan or dollars (commas removed first): digits, at most two decimals. */
export const AMOUNT_TEXT = /^\d{1,15}(\.\d{1,2})?$/;

/**
 * Decimal text in a unit of `scale` minor units (100 for 元 or dollars, 1,000,000 for 万元) to
 * minor units, exactly, never through a float: "1,200.5" → "120050". Commas are ignored.
 */
export function parseAmount(text: string, scale: bigint = 100n): { amountMinor: string } | { problem: string } {
  const decimals = scale.toString().length - 1;
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim().replace(/[,，]/g, ''));
  if (!m) return { problem: 'must be an amount such as 12500.50' };
  const fraction = m[2] ?? '';
  if (fraction.length > decimals) return { problem: `at most ${decimals} decimals in this unit` };
  return { amountMinor: (BigInt(m[1]!) * scale + BigInt(fraction.padEnd(decimals, '0') || '0')).toString() };
}

/** Minor units (fen, cents) as the currency with two decimals: -250 → "-2.50". */
export function formatMinor(minor: bigint): string {
  const v = minor < 0n ? -minor : minor;
  return `${minor < 0n ? '-' : ''}${v / 100n}.${(v % 100n).toString().padStart(2, '0')}`;
}

/** Minor units (fen, cents) as 亿 (10^8 of the currency) with one decimal, as the reports print them. */
export function toYi(minor: bigint): string {
  return tenths(roundDiv(minor, 1_000_000_000n));
}

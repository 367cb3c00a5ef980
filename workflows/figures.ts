/**
 * Exact arithmetic on shares: percentages of bigint amounts, rounded half-up to one decimal, and
 * nothing passes through a floating-point number (amounts themselves: money.ts). Pure, so that
 * workflows, pages and reports all use it.
 */

/** a / b rounded half-up to an integer (b > 0). */
export function roundDiv(a: bigint, b: bigint): bigint {
  const negative = a < 0n;
  const q = ((negative ? -a : a) * 2n + b) / (2n * b);
  return negative ? -q : q;
}

export function tenths(value: bigint): string {
  const negative = value < 0n;
  const v = negative ? -value : value;
  return `${negative ? '-' : ''}${v / 10n}.${v % 10n}`;
}

/** part / whole as a percentage with one decimal; null when there is no whole. */
export function percent(part: bigint, whole: bigint): string | null {
  return whole > 0n ? tenths(roundDiv(part * 1000n, whole)) : null;
}

/** Growth on the same period of the previous year, as a percentage with one decimal. */
export function growth(current: bigint, previous: bigint): string | null {
  return previous > 0n ? tenths(roundDiv((current - previous) * 1000n, previous)) : null;
}

/** Percentage points, one decimal: a - b, where both are percentages as produced above. */
export function points(a: string, b: string): string {
  return tenths(BigInt(a.replace('.', '')) - BigInt(b.replace('.', '')));
}

/** The share of the year elapsed at the end of `to` (a date), as a percentage with one decimal. */
export function yearElapsed(to: string): string {
  const year = Number(to.slice(0, 4));
  const start = Date.UTC(year, 0, 1);
  const days = BigInt(Math.round((Date.parse(`${to}T00:00:00Z`) - start) / 86_400_000) + 1);
  const inYear = BigInt(Math.round((Date.UTC(year + 1, 0, 1) - start) / 86_400_000));
  return tenths(roundDiv(days * 1000n, inYear));
}

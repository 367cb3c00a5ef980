import { CITIES, PROVINCE_WIDE } from '../workflows/reference.js';
import { growth, percent, points, yearElapsed } from '../workflows/figures.js';
import { toYi } from '../workflows/money.js';
import type { Db } from './connection.js';
import type { TargetCategory } from './schema.js';
import { annualTargets, cohortFigures, fundsFigures, signedFigures, type Area, type Period } from './statistics.js';
import type { Currency } from '../workflows/money.js';

/*
 * The dispatch figures (调度) from the projection tables: what the statistics API and the dashboard
 * show, and what the quarterly report activity freezes. Here, not in api/, so that activities
 * never import HTTP code.
 */

export function quarterPeriod(quarter: string): Period {
  const year = Number(quarter.slice(0, 4));
  const n = Number(quarter[5]);
  const end = new Date(Date.UTC(year, n * 3, 0)).toISOString().slice(0, 10);
  return { from: `${year}-${String(n * 3 - 2).padStart(2, '0')}-01`, to: end };
}

/** The same dates one year earlier (29 February becomes 28 February). */
function previousYear(p: Period): Period {
  const shift = (d: string) => {
    const [y, m, day] = d.split('-').map(Number) as [number, number, number];
    const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
    return `${y - 1}-${String(m).padStart(2, '0')}-${String(Math.min(day, last)).padStart(2, '0')}`;
  };
  return { from: shift(p.from), to: shift(p.to) };
}

const money = (minor: bigint, currency: Currency) => ({ amountMinor: minor.toString(), currency, yi: toYi(minor) });
export const CATEGORY_CURRENCY: Record<TargetCategory, Currency> = { domestic: 'CNY', foreign: 'USD', out_of_province: 'CNY' };

/** Truthful figures for the dispatch meeting (调度会), per city or province-wide. */
export async function statistics(db: Db, area: Area, period: Period, signingEvent?: string) {
  const previous = previousYear(period);
  const year = Number(period.to.slice(0, 4));
  const ytd: Period = { from: `${year}-01-01`, to: period.to };
  const [signed, [funds, fundsBefore, fundsYtd], targets, cohort] = await Promise.all([
    signedFigures(db, area, period),
    fundsFigures(db, area, [period, previous, ytd] as const),
    annualTargets(db, area, year),
    cohortFigures(db, area, signingEvent ? { signingEvent } : period),
  ]);
  const elapsed = yearElapsed(period.to);
  return {
    area: area ?? PROVINCE_WIDE,
    period,
    previousPeriod: previous,
    signed: {
      domestic: signed.domestic,
      foreign: signed.foreign,
      outOfProvince: signed.outOfProvince,
      contracted: { CNY: money(signed.contracted.CNY, 'CNY'), USD: money(signed.contracted.USD, 'USD') },
    },
    fundsInPlace: {
      CNY: { ...money(funds.CNY, 'CNY'), previous: money(fundsBefore.CNY, 'CNY'), growthPercent: growth(funds.CNY, fundsBefore.CNY) },
      USD: { ...money(funds.USD, 'USD'), previous: money(fundsBefore.USD, 'USD'), growthPercent: growth(funds.USD, fundsBefore.USD) },
    },
    targets: Object.fromEntries(
      (['domestic', 'foreign', 'out_of_province'] as const).map((category) => {
        const target = targets[category];
        const done = fundsYtd.byCategory[category];
        const completion = target ? percent(done, target.amountMinor) : null;
        return [
          category,
          {
            yearToDate: money(done, CATEGORY_CURRENCY[category]),
            target: target ? money(target.amountMinor, target.currency) : null,
            completionPercent: completion,
            yearElapsedPercent: elapsed,
            // 超进度 / 欠进度: completion minus the share of the year elapsed.
            schedulePoints: completion ? points(completion, elapsed) : null,
            schedule: completion ? (points(completion, elapsed).startsWith('-') ? 'behind' : 'ahead') : null,
          },
        ];
      }),
    ),
    cohort: {
      signingEvent: signingEvent ?? null,
      signed: cohort.signed,
      landed: cohort.landed,
      landingRatePercent: percent(BigInt(cohort.landed), BigInt(cohort.signed)),
      constructionStarted: cohort.constructionStarted,
      constructionStartRatePercent: percent(BigInt(cohort.constructionStarted), BigInt(cohort.signed)),
      fundsInPlaceRatePercent: { CNY: percent(cohort.fundsInPlace.CNY, cohort.contracted.CNY), USD: percent(cohort.fundsInPlace.USD, cohort.contracted.USD) },
    },
  };
}

export type AreaFigures = Awaited<ReturnType<typeof statistics>>;

/** A quarter's dispatch report: the province and every city. Its JSON is what gets frozen and hashed. */
export async function quarterlyReportContent(db: Db, quarter: string) {
  const period = quarterPeriod(quarter);
  const cities: Record<string, AreaFigures> = {};
  for (const city of CITIES) cities[city] = await statistics(db, city, period);
  return { quarter, province: await statistics(db, null, period), cities };
}

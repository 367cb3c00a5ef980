/**
 * `statistics`: the dispatch meeting's figures (`statistics()`: signings, verified funds for the
 * period, the year before and the year to date, targets and the signing cohort) for the province
 * and for one city, against one hand-written SQL aggregate of the same verified funds, on a
 * deterministic province (bench/seed-statistics.ts). The two are interleaved, round by round;
 * each figure is the median over the rounds of each round's median.
 */
import { sql } from 'kysely';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { prepareDatabase } from '../db/migrator.js';
import { quarterPeriod, statistics } from '../db/report-content.js';
import { median, progress, report, timed, type Figure } from './harness.js';
import { seedProvince, type SeedSize } from './seed-statistics.js';

const FULL: SeedSize = { projects: 100_000, ledgerRows: 1_000_000, tasks: 200_000 };
const QUICK: SeedSize = { projects: 10_000, ledgerRows: 100_000, tasks: 20_000 };
const QUARTER = '2018Q1';

/** The baseline: verified funds in place for the period, by currency, in the area, merged duplicates left out. */
async function handWritten(db: Db, area: string | null, from: string, to: string) {
  const { rows } = await sql<{ cny: string; usd: string }>`
    select coalesce(sum(e.amount_minor) filter (where e.currency = 'CNY'), 0) as cny,
           coalesce(sum(e.amount_minor) filter (where e.currency = 'USD'), 0) as usd
    from funds_entries e
    join funds_verifications v on v.entry_id = e.entry_id
    join projects p on p.code = e.project_code
    where e.received_on between ${from} and ${to} and p.stage <> 'merged' ${area ? sql`and p.city = ${area}` : sql``}`.execute(db);
  return rows[0]!;
}

export async function statisticsBench({ quick }: { quick: boolean }): Promise<Figure[]> {
  const size = quick ? QUICK : FULL;
  const rounds = quick ? 5 : 7;
  const perRound = quick ? 5 : 9;
  const config = loadConfigOrExit();
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/luodi_bench_statistics_${size.projects}`;
  await prepareDatabase(url.toString(), createLogger('bench', 'warn'));
  const db = createDb(url.toString());
  const figures: Figure[] = [];
  try {
    await seedProvince(db, size);
    const period = quarterPeriod(QUARTER);
    for (const area of [null, '大连'] as const) {
      // Same answer first: the figures and the baseline count the same verified funds.
      const [ours, theirs] = await Promise.all([statistics(db, area, period), handWritten(db, area, period.from, period.to)]);
      if (ours.fundsInPlace.CNY.amountMinor !== theirs.cny || ours.fundsInPlace.USD.amountMinor !== theirs.usd) {
        throw new Error(`statistics and the hand-written aggregate disagree for ${area ?? 'the province'}: ${JSON.stringify([ours.fundsInPlace, theirs])}`);
      }
      const luodi: number[] = [];
      const baseline: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const a: number[] = [];
        const b: number[] = [];
        for (let i = 0; i < perRound; i++) {
          a.push(await timed(() => statistics(db, area, period)));
          b.push(await timed(() => handWritten(db, area, period.from, period.to)));
        }
        luodi.push(median(a));
        baseline.push(median(b));
        progress(`statistics ${area ?? 'province'}: round ${round + 1}/${rounds}: ${median(a).toFixed(1)} ms against ${median(b).toFixed(1)} ms`);
      }
      figures.push(
        report('statistics', {
          name: `statistics.${area ? 'city' : 'province'}.p50`,
          value: median(luodi),
          unit: 'ms',
          baseline: median(baseline),
          params: { area: area ?? '全省', quarter: QUARTER, ...size, rounds, perRound },
        }),
      );
    }
  } finally {
    await db.destroy();
  }
  return figures;
}

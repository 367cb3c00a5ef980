/**
 * `npm run bench -- [name] [--quick]`: runs one benchmark, or all, printing one JSON line per
 * figure (and appending it to bench/results/). Not part of `npm test`.
 */
import { completion } from './completion.js';
import { statisticsBench } from './statistics.js';
import type { Figure } from './harness.js';

const BENCHMARKS: Record<string, (o: { quick: boolean }) => Promise<Figure[]>> = { completion, statistics: statisticsBench };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(BENCHMARKS)) await BENCHMARKS[name]!({ quick });
process.exit(0);

/**
 * `npm run bench -- [name] [--quick]`: runs one benchmark, or all, printing one JSON line per
 * figure (and appending it to bench/results/). Not part of `npm test`. Each benchmark's module is
 * loaded only when it runs.
 */
import type { Figure } from './harness.js';

type Bench = (o: { quick: boolean }) => Promise<Figure[]>;

const BENCHMARKS: Record<string, () => Promise<Bench>> = {
  completion: async () => (await import('./completion.js')).completion,
  import: async () => (await import('./import.js')).importBench,
  memory: async () => (await import('./memory.js')).memoryBench,
  statistics: async () => (await import('./statistics.js')).statisticsBench,
  history: async () => (await import('./history.js')).historyBench,
  api: async () => (await import('./api.js')).apiBench,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(BENCHMARKS)) await (await BENCHMARKS[name]!())({ quick });
process.exit(0);

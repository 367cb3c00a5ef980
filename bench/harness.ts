/**
 * What every benchmark shares: a figure is a ratio against a baseline measured in the same run,
 * interleaved round by round; the median of the rounds is reported as one JSON line and appended
 * to bench/results/<benchmark>.jsonl with the machine it ran on.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  params: Record<string, unknown>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds a call takes, by the monotonic clock. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export const machine = () => ({ cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version });

/** Prints the figure as one JSON line and appends it to the benchmark's results. */
export function report(benchmark: string, figure: Omit<Figure, 'ratio'>): Figure {
  const full: Figure = { ...figure, value: round(figure.value), baseline: round(figure.baseline), ratio: round(figure.value / figure.baseline) };
  process.stdout.write(JSON.stringify(full) + '\n');
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  appendFileSync(new URL(`${benchmark}.jsonl`, dir), JSON.stringify({ ...full, at: new Date().toISOString(), machine: machine() }) + '\n');
  return full;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Progress for long runs, on stderr so that stdout stays JSON lines. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

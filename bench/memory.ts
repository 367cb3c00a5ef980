/**
 * `memory`: the worker's RSS per cached workflow. A worker runs alone in a child process
 * (bench/memory-worker.ts) with a sticky cache larger than the count; after one warm-up workflow
 * its RSS is read (idle), then `count` projects are started ready (startProject, as POST
 * /api/projects does), the SDK's sticky cache gauge is read until it holds them all, and the RSS is
 * read again: (RSS at count − RSS idle) / count. The baseline is the same measurement of a child
 * running as many floor workflows (bench/floor-workflow.ts, each started by one update).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { startProject } from '../api/start-project.js';
import { freePort } from '../scripts/dev-server.js';
import { workflowsPath } from '../worker/createWorker.js';
import { startBenchStack } from './bench-stack.js';
import { touch } from './floor-workflow.js';
import { median, progress, report, type Figure } from './harness.js';
import type { FromParent, MemoryWorkerOptions, ToParent } from './memory-worker.js';
import { projectInput } from './project-life.js';
import { BENCH_DATA_CONVERTER } from './keys.js';

const MiB = 2 ** 20;
const START_CONCURRENCY = 32;
const WORKER_ENTRY = fileURLToPath(new URL('./memory-worker.ts', import.meta.url));
const GC_PRELOAD = new URL('./memory-gc.mjs', import.meta.url).href;

type Kind = MemoryWorkerOptions['kind'];
/** Bytes: the child's RSS, and its workflow thread's V8 heap, after collection. */
interface Reading {
  rss: number;
  workflowHeap: number;
}
interface Measurement {
  idle: Reading;
  atCount: Reading;
  cached: number;
  /** Seconds to start the `count` workflows. */
  startSeconds: number;
}

export async function memoryBench({ quick }: { quick: boolean }): Promise<Figure[]> {
  // luodi projects start at 7 to 15 a second on two shared cores, so --quick caches 100 and each
  // worker is measured once; the full size is the 2,000.
  const count = quick ? 100 : 2000;
  // Bundled once here, so that the children's RSS holds no bundler.
  const stack = await startBenchStack('memory', { luodi: workflowsPath, floor: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)) });
  const dir = mkdtempSync(join(tmpdir(), 'luodi-bench-memory-'));
  let connection: Connection | undefined;
  try {
    const bundles: Record<Kind, string> = { luodi: join(dir, 'luodi.js'), floor: join(dir, 'floor.js') };
    for (const kind of Object.keys(bundles) as Kind[]) writeFileSync(bundles[kind], stack.bundles[kind].code);
    progress(`memory: ${count} workflows cached in a worker of their own, luodi's and the floor's side by side`);
    connection = await Connection.connect({ address: stack.server.address });
    const client = new Client({ connection, namespace: 'default', dataConverter: BENCH_DATA_CONVERTER });
    // Side by side, since each child's RSS is its own; both settle, so that neither child outlives
    // a failure of the other.
    const kinds: Kind[] = ['luodi', 'floor'];
    const settled = await Promise.allSettled(
      kinds.map(async (kind) => {
        const m = await measure(client, { kind, address: stack.server.address, taskQueue: `bench-memory-${kind}-${randomUUID()}`, maxCachedWorkflows: count + 10, metricsPort: await freePort(), bundlePath: bundles[kind], databaseUrl: stack.databaseUrl }, count);
        progress(
          `memory: ${kind}: ${count} started in ${m.startSeconds.toFixed(1)} s, sticky cache ${m.cached}; ` +
            `RSS idle ${mib(m.idle.rss)} MiB, at ${count} ${mib(m.atCount.rss)} MiB: ${mib((m.atCount.rss - m.idle.rss) / count, 3)} MiB each ` +
            `(workflow thread heap ${mib((m.atCount.workflowHeap - m.idle.workflowHeap) / count, 3)} MiB each)`,
        );
        return m;
      }),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [luodi, floor] = settled.map((r) => (r as PromiseFulfilledResult<Measurement>).value) as [Measurement, Measurement];
    const per = (m: Measurement, of: keyof Reading) => (m.atCount[of] - m.idle[of]) / count / MiB;
    const params = {
      count,
      statistic: 'one measurement of each, the two workers side by side',
      rss: 'VmRSS of the worker child once its main and workflow threads ran gc() twice, median of 5 reads 200 ms apart',
      idle: 'after the worker started and ran one warm-up workflow (still cached)',
      maxCachedWorkflows: count + 10,
      luodiProject: 'signed, default industrial template, two tasks open',
    };
    return [
      report('memory', { name: 'memory.rss_per_cached_workflow', value: per(luodi, 'rss'), unit: 'MiB', baseline: per(floor, 'rss'), params: { ...params, target: '≤ 0.5 MiB' } }),
      report('memory', { name: 'memory.workflow_heap_per_cached_workflow', value: per(luodi, 'workflowHeap'), unit: 'MiB', baseline: per(floor, 'workflowHeap'), params: { ...params, heap: 'V8 used heap of the workflow thread after gc()' } }),
      report('memory', { name: 'memory.rss_at_count', value: luodi.atCount.rss / MiB, unit: 'MiB', baseline: floor.atCount.rss / MiB, params }),
    ];
  } finally {
    await connection?.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One child worker: its RSS idle after one warm-up workflow, then with `count` more cached. */
async function measure(client: Client, options: MemoryWorkerOptions, count: number): Promise<Measurement> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', GC_PRELOAD, '--import', 'tsx', WORKER_ENTRY, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the ${options.kind} worker exited (${code ?? signal})`))));
  exited.catch(() => undefined);
  const start = starter(client, options);
  try {
    await Promise.race([nextMessage(child, 'ready'), exited]);
    await start(0);
    await Promise.race([cacheHolds(options.metricsPort, 1), exited]);
    const idle = await Promise.race([settledRss(child), exited]);
    let next = 1;
    const started = performance.now();
    await Promise.race([
      Promise.all(
        Array.from({ length: START_CONCURRENCY }, async () => {
          while (next <= count) await start(next++);
        }),
      ),
      exited,
    ]);
    const startSeconds = (performance.now() - started) / 1000;
    const cached = await Promise.race([cacheHolds(options.metricsPort, count + 1), exited]);
    return { idle, atCount: await Promise.race([settledRss(child), exited]), cached, startSeconds };
  } finally {
    await stopChild(child);
  }
}

/** Starts the n-th workflow of its kind: a project started ready, or a floor started by one update. */
function starter(client: Client, { kind, taskQueue }: MemoryWorkerOptions): (n: number) => Promise<unknown> {
  const batch = randomUUID().slice(0, 6).toUpperCase();
  if (kind === 'luodi') {
    return (n) => startProject(client, taskQueue, projectInput(`LN-MEM${batch}-SY-${String(n).padStart(5, '0')}`, 'signed'));
  }
  return (n) =>
    client.workflow.executeUpdateWithStart(touch, {
      args: [n],
      startWorkflowOperation: new WithStartWorkflowOperation('benchFloor', { workflowId: `bench-memory-floor-${batch}-${n}`, taskQueue, args: [], workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
}

/** The SDK's sticky cache gauge, summed over its label sets, once it holds `n` workflows. */
async function cacheHolds(port: number, n: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let size = 0;
  while (Date.now() < deadline) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
    size = [...text.matchAll(/^temporal_sticky_cache_size(?:\{[^}]*\})? (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    if (size >= n) return size;
    await sleep(200);
  }
  throw new Error(`the sticky cache held ${size} workflows, not ${n}, after ${timeoutMs / 1000} s`);
}

/** The child's RSS once every thread of it collected its heap: the median of five reads. */
async function settledRss(child: ChildProcess): Promise<Reading> {
  child.send({ type: 'gc' } satisfies FromParent);
  const collected = await nextMessage(child, 'gc-done');
  await sleep(500);
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    if (i) await sleep(200);
    reads.push(rssOf(child.pid!));
  }
  return { rss: median(reads), workflowHeap: collected.workflowHeap };
}

/** VmRSS of a process, in bytes. */
function rssOf(pid: number): number {
  const kB = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kB) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kB) * 1024;
}

/** The child's next message of this type; a child that says nothing for two minutes has hung. */
function nextMessage<T extends ToParent['type']>(child: ChildProcess, type: T, timeoutMs = 120_000): Promise<Extract<ToParent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the worker child sent no ${type} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (message: ToParent) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as Extract<ToParent, { type: T }>);
    };
    child.on('message', onMessage);
  });
}

/** Asks the child to shut its worker down; kills it if it has not exited after 15 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'stop' } satisfies FromParent);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number, digits = 1) => (bytes / MiB).toFixed(digits);

/**
 * The worker of the `memory` benchmark, alone in a child process so that its RSS is its own:
 * `node --expose-gc --import bench/memory-gc.mjs --import tsx bench/memory-worker.ts '<options>'`.
 * It runs luodi's worker (createWorker) or the floor's on a prebuilt bundle, with a sticky cache of
 * the size asked and the SDK's Prometheus metrics on the port asked. Over IPC: it says `ready` once
 * running, answers `gc` after collecting its own heap and its workflow thread's (bench/memory-gc.mjs,
 * preloaded into every thread), and stops on `stop` or when the parent goes away.
 */
import { readFileSync } from 'node:fs';
import { BroadcastChannel } from 'node:worker_threads';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { scaledCalendar } from '../activities/calendar.js';
import { createDb, type Db } from '../db/connection.js';
import { createWorker } from '../worker/createWorker.js';
import { floorActivities } from './floor-workflow.js';
import { BENCH_DATA_CONVERTER } from './keys.js';

export interface MemoryWorkerOptions {
  kind: 'luodi' | 'floor';
  address: string;
  taskQueue: string;
  maxCachedWorkflows: number;
  metricsPort: number;
  /** The workflow bundle, built once by the parent. */
  bundlePath: string;
  /** luodi's activities write here. */
  databaseUrl: string;
}

export type FromParent = { type: 'gc' } | { type: 'stop' };
/** After `gc`: the V8 heap left in the SDK's workflow thread, in bytes. */
export type ToParent = { type: 'ready' } | { type: 'gc-done'; workflowHeap: number };

/** The channel on which bench/memory-gc.mjs, in the workflow thread, is asked to collect its heap. */
const GC_CHANNEL = 'luodi-bench-memory-gc';
type GcMessage = { type: 'gc' } | { type: 'collected'; threadId: number; heapUsed: number };

/** Deadlines a whole day of real time apart: nothing falls due while the benchmark runs. */
const DAY_MS = 86_400_000;

const options = JSON.parse(process.argv[2] ?? '') as MemoryWorkerOptions;
const tell = (message: ToParent) => process.send!(message);

Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' } }, metrics: { prometheus: { bindAddress: `127.0.0.1:${options.metricsPort}` } } },
});

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: options.address });
  let db: Db | undefined;
  try {
    const workflowBundle = { code: readFileSync(options.bundlePath, 'utf8') };
    const common = { connection, namespace: 'default', taskQueue: options.taskQueue, maxCachedWorkflows: options.maxCachedWorkflows, workflowBundle, dataConverter: BENCH_DATA_CONVERTER };
    let worker: Worker;
    if (options.kind === 'luodi') {
      db = createDb(options.databaseUrl);
      worker = await createWorker({ ...common, db, calendar: scaledCalendar(DAY_MS) });
    } else {
      worker = await Worker.create({ ...common, activities: floorActivities });
    }
    const stop = () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    };
    process.on('disconnect', stop);
    process.on('message', (message: FromParent) => {
      if (message.type === 'stop') stop();
      else if (message.type === 'gc') collectEverywhere().then(tell, fail);
    });
    const running = worker.run();
    tell({ type: 'ready' });
    await running;
  } finally {
    await connection.close();
    await db?.destroy();
  }
}

/** The main thread and the workflow thread collect their heaps (a large heap can take seconds). */
async function collectEverywhere(): Promise<ToParent> {
  const channel = new BroadcastChannel(GC_CHANNEL);
  try {
    const collected = new Promise<Extract<GcMessage, { type: 'collected' }>>((resolve) => {
      channel.onmessage = (event) => {
        const data = event.data as GcMessage;
        if (data.type === 'collected') resolve(data);
      };
    });
    channel.postMessage({ type: 'gc' } satisfies GcMessage);
    globalThis.gc?.();
    globalThis.gc?.();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the workflow thread did not collect its heap within 60 s')), 60_000).unref());
    const { heapUsed } = await Promise.race([collected, timeout]);
    return { type: 'gc-done', workflowHeap: heapUsed };
  } finally {
    channel.close();
  }
}

function fail(err: Error): never {
  process.stderr.write(`memory worker: ${err.stack ?? err.message}\n`);
  process.exit(1);
}

main().then(() => process.exit(0), fail);

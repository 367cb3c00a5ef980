// Preloaded (`--import`) into every thread of the memory benchmark's worker child (worker threads
// inherit the preload; plain JavaScript, as no TypeScript loader runs there yet). In the SDK's
// workflow thread, on `gc` over the channel, it collects that thread's heap and answers with the
// size of what is left, so that the RSS read afterwards holds no garbage there.
// The channel and its messages are described in bench/memory-worker.ts (GC_CHANNEL, GcMessage).
import { createRequire } from 'node:module';
import { getHeapStatistics } from 'node:v8';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';

/** The thread's CommonJS module cache, where the SDK's workflow thread has loaded its entry. */
const loaded = createRequire(import.meta.url).cache;

if (!isMainThread) {
  const channel = new BroadcastChannel('luodi-bench-memory-gc');
  // Never what keeps a thread alive.
  channel.unref();
  channel.onmessage = (event) => {
    // Other threads (the TypeScript loader's) load the preload too; only the workflow thread answers.
    if (event.data.type !== 'gc' || !Object.keys(loaded).some((path) => path.endsWith('workflow-worker-thread.js'))) return;
    globalThis.gc?.();
    globalThis.gc?.();
    channel.postMessage({ type: 'collected', threadId, heapUsed: getHeapStatistics().used_heap_size });
  };
}

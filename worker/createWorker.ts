import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Workflow modules the worker evaluates once for all its workflows rather than once per workflow
 * (the SDK's preloadModules; wherever the workflows are bundled: bundleOptions): message parsing,
 * and through it zod and every update's input schema, most of a cached workflow's heap otherwise.
 * The SDK deep-freezes what preloaded modules export; their state is shared by every workflow, so
 * they must hold none: message-parsing.ts keeps the schemas it parses with out of every export.
 */
export const PRELOADED_WORKFLOW_MODULES = [fileURLToPath(new URL('../workflows/message-parsing.ts', import.meta.url))];

/** How luodi's workflows are bundled: here, and wherever a bundle is built (tests, benchmarks). */
export const bundleOptions = { workflowsPath, preloadModules: PRELOADED_WORKFLOW_MODULES };

export interface WorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests build one per file); otherwise the workflows are bundled here. */
  workflowBundle?: WorkflowBundle;
  /** The sticky cache's size (WORKER_MAX_CACHED_WORKFLOWS); by default the SDK's, derived from the heap. */
  maxCachedWorkflows?: number;
}

export function createWorker({ connection, namespace, taskQueue, workflowBundle, maxCachedWorkflows, ...deps }: WorkerOptions): Promise<Worker> {
  return Worker.create({
    ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath, bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES } }),
  });
}

import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
    ...(workflowBundle ? { workflowBundle } : { workflowsPath }),
  });
}

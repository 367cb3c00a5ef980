import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

/**
 * Compiled by `npm run build` (node dist/worker/main.js) this module is .js and so are the
 * workflows beside it; under tsx (npm start, tests, benchmarks) they are the .ts sources.
 */
const compiled = import.meta.url.endsWith('.js');
const moduleFile = (path: string) => fileURLToPath(new URL(`${path}.${compiled ? 'js' : 'ts'}`, import.meta.url));

export const workflowsPath = moduleFile('../workflows/index');

/**
 * Workflow modules the worker evaluates once for all its workflows rather than once per workflow
 * (the SDK's preloadModules; wherever the workflows are bundled: bundleOptions): message parsing,
 * and through it zod and every update's input schema, most of a cached workflow's heap otherwise.
 * The SDK deep-freezes what preloaded modules export; their state is shared by every workflow, so
 * they must hold none: message-parsing.ts keeps the schemas it parses with out of every export.
 */
export const PRELOADED_WORKFLOW_MODULES = [moduleFile('../workflows/message-parsing')];

/** How luodi's workflows are bundled: here, and wherever a bundle is built (build, tests, benchmarks). */
export const bundleOptions = { workflowsPath, preloadModules: PRELOADED_WORKFLOW_MODULES };

/**
 * The workflow bundle `npm run build` writes (scripts/bundle-workflows.ts), as Temporal advises
 * for production: a compiled worker starts without webpack, and every worker of one build runs
 * the very same workflow code. It is dist/workflow-bundle.js.
 */
export const PREBUILT_WORKFLOW_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

/** The compiled worker's prebuilt bundle; under tsx, none (the worker bundles the sources at start). */
function prebuiltBundle(): WorkflowBundleOption | undefined {
  if (!compiled) return undefined;
  if (!existsSync(PREBUILT_WORKFLOW_BUNDLE)) throw new Error(`${PREBUILT_WORKFLOW_BUNDLE} is missing: build with npm run build, which writes it after compiling`);
  return { codePath: PREBUILT_WORKFLOW_BUNDLE };
}

export interface WorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests build one per file); otherwise the build's when compiled, or the workflows are bundled here. */
  workflowBundle?: WorkflowBundleOption;
  /** The sticky cache's size (WORKER_MAX_CACHED_WORKFLOWS); by default the SDK's, derived from the heap. */
  maxCachedWorkflows?: number;
  /**
   * The payload codec every payload passes through (config/payload-codec.ts: AES-256-GCM with the
   * key ring), the same as every client's. Required, so that no worker writes plaintext by omission.
   */
  dataConverter: DataConverter;
}

export async function createWorker({ connection, namespace, taskQueue, workflowBundle = prebuiltBundle(), maxCachedWorkflows, dataConverter, ...deps }: WorkerOptions): Promise<Worker> {
  return await Worker.create({
    ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
    connection,
    dataConverter,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath, bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES } }),
  });
}

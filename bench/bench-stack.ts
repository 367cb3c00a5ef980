/**
 * What the history and memory benchmarks run on, started side by side to save the minute they
 * would take one after the other on two cores: a Temporal dev server, a PostgreSQL database of
 * the benchmark's own (migrated, with the calendar and the default templates) and the workflow
 * bundles its workers use. `close()` stops and drops whatever was started, even after a failure.
 */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { bundleOptions } from '../worker/createWorker.js';

export interface BenchStack<K extends string> {
  server: DevServer;
  databaseUrl: string;
  /** Each workflows file asked for, bundled. */
  bundles: Record<K, WorkflowBundle>;
  close(): Promise<void>;
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

export async function startBenchStack<K extends string>(benchmark: string, workflowsPaths: Record<K, string>): Promise<BenchStack<K>> {
  const config = loadConfigOrExit();
  const log = createLogger('bench', 'warn');
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/luodi_bench_${benchmark}_${Date.now()}`;
  const databaseUrl = url.toString();
  const serverStarting = (async () => startDevServer({ cliPath: await ensureTemporalCli(process.env, log), port: await freePort(), namespace: 'default', uiPort: null, dbFile: null }))();
  const preparing = prepareDatabase(databaseUrl, log);
  const bundling = (async () => {
    const bundles = {} as Record<K, WorkflowBundle>;
    for (const kind of Object.keys(workflowsPaths) as K[]) {
      // luodi's workflows are bundled as the worker bundles them (its preloaded modules).
      const path = workflowsPaths[kind];
      bundles[kind] = await bundleWorkflowCode({ ...(path === bundleOptions.workflowsPath ? bundleOptions : { workflowsPath: path }), logger: quiet });
    }
    return bundles;
  })();
  const close = async () => {
    const server = await serverStarting.catch(() => undefined);
    await server?.stop();
    await preparing.catch(() => undefined);
    await dropDatabase(databaseUrl).catch(() => undefined);
  };
  try {
    const [server, , bundles] = await Promise.all([serverStarting, preparing, bundling]);
    return { server, databaseUrl, bundles, close };
  } catch (err) {
    await bundling.catch(() => undefined);
    await close();
    throw err;
  }
}

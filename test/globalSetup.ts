import type { TestProject } from 'vitest/node';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { freePort, startDevServer } from '../scripts/dev-server.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    databaseUrl: string;
  }
}

/**
 * One real Temporal dev server (from the CLI binary, state in memory) and one fresh PostgreSQL
 * database for the whole run; both are gone afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('test-setup', 'warn');
  const cliPath = await ensureTemporalCli(process.env, log);
  const server = await startDevServer({ cliPath, port: await freePort(), namespace: 'default', uiPort: null, dbFile: null });

  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = `/luodi_test_${Date.now()}_${process.pid}`;
  const databaseUrl = url.toString();
  try {
    await prepareDatabase(databaseUrl, log);
  } catch (err) {
    await server.stop();
    throw err;
  }

  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cliPath);
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    await server.stop();
    await dropDatabase(databaseUrl);
  };
}

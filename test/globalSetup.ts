import type { TestProject } from 'vitest/node';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { ownTemporal, temporalTargetOf, type TemporalTarget } from './temporal-target.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    /** Which Temporal the run is against: the dev server (npm test) or the cluster (npm run test:cluster). */
    temporalTarget: TemporalTarget;
    databaseUrl: string;
  }
}

/**
 * One real Temporal server for the whole run (the CLI's dev server with its state in memory, or
 * with LUODI_TEST_TEMPORAL=cluster Temporal's own server on databases of its own) and one fresh
 * PostgreSQL database for luodi; all are gone afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('test-setup', 'warn');
  const target = temporalTargetOf();
  // The CLI is needed either way: some tests run `temporal workflow list` against the server.
  const cliPath = await ensureTemporalCli(process.env, log);
  const server = await ownTemporal({ target, cliPath });
  await server.start();

  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = `/luodi_test_${Date.now()}_${process.pid}`;
  const databaseUrl = url.toString();
  try {
    await prepareDatabase(databaseUrl, log);
  } catch (err) {
    await server.dispose();
    throw err;
  }

  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cliPath);
  project.provide('temporalTarget', target);
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    await server.dispose();
    await dropDatabase(databaseUrl);
  };
}

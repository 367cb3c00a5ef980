import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { bundleNow } from './stack.js';
import { FRONTEND_NAME } from '../config/cert-files.js';
import { makeCertificates } from '../scripts/certs.js';
import { TEST_KEY_LINE } from './keys.js';
import { ownTemporal, TEST_CERTS_ENV, temporalTargetOf, type TemporalTarget } from './temporal-target.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    /** Which Temporal the run is against: the dev server (npm test) or the cluster (npm run test:cluster). */
    temporalTarget: TemporalTarget;
    databaseUrl: string;
    /** The run's cluster's own databases (cluster target only), for tests that look into what Temporal stores. */
    temporalDatabases: { persistence: string; visibility: string } | null;
    /** luodi's workflow bundle, built once for the run (test/stack.ts bundle()). */
    workflowBundlePath: string;
  }
}

/**
 * One real Temporal server for the whole run (the CLI's dev server with its state in memory, or
 * with LUODI_TEST_TEMPORAL=cluster Temporal's own server on databases of its own) and one fresh
 * PostgreSQL database for luodi, and luodi's workflows bundled once; all are gone afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('test-setup', 'warn');
  const target = temporalTargetOf();
  // The CLI is needed either way: some tests run `temporal workflow list` against the server.
  const cliPath = await ensureTemporalCli(process.env, log);
  const bundleDir = mkdtempSync(join(tmpdir(), 'luodi-test-bundle-'));
  const workflowBundlePath = join(bundleDir, 'workflows.js');
  writeFileSync(workflowBundlePath, (await bundleNow()).code);
  // Every test process, and every process a test spawns (npm run import, the API, the worker),
  // encrypts with the tests' key, as production's processes do with theirs.
  process.env.ENCRYPTION_KEYS = TEST_KEY_LINE;
  const certsDir = target === 'cluster' ? mkdtempSync(join(tmpdir(), 'luodi-test-certs-')) : null;
  if (certsDir) {
    // The cluster takes only clients with a certificate its CA signed: the run's own set. Every
    // test process (and what it spawns) reaches it through TEMPORAL_TLS_*, as production does.
    const set = await makeCertificates(certsDir);
    Object.assign(process.env, { [TEST_CERTS_ENV]: set.dir, TEMPORAL_TLS_CA: set.ca.cert, TEMPORAL_TLS_CERT: set.client.cert, TEMPORAL_TLS_KEY: set.client.key, TEMPORAL_TLS_SERVER_NAME: FRONTEND_NAME });
  }
  const server = await ownTemporal({ target, cliPath });
  await server.start();

  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = `/luodi_test_${Date.now()}_${process.pid}`;
  const databaseUrl = url.toString();
  try {
    await prepareDatabase(databaseUrl, log);
  } catch (err) {
    await server.dispose();
    rmSync(bundleDir, { recursive: true, force: true });
    if (certsDir) rmSync(certsDir, { recursive: true, force: true });
    throw err;
  }

  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cliPath);
  project.provide('temporalTarget', target);
  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalDatabases', server.databases);
  project.provide('workflowBundlePath', workflowBundlePath);
  return async () => {
    await server.dispose();
    await dropDatabase(databaseUrl);
    rmSync(bundleDir, { recursive: true, force: true });
    if (certsDir) rmSync(certsDir, { recursive: true, force: true });
  };
}

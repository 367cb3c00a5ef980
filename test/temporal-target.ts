import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateSet, type CertificateSet } from '../config/cert-files.js';
import { loadConfig } from '../config/index.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { temporalTls, type TemporalEndpoint } from '../config/temporal-connection.js';
import { TEST_KEY_RING } from './keys.js';
import { createLogger } from '../config/logger.js';
import { dropClusterDatabases, freeClusterPort, postgresTarget, startCluster, type Cluster } from '../scripts/cluster.js';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server.js';

/**
 * The suite runs against either Temporal: the CLI's dev server (`npm test`) or Temporal's own
 * server on PostgreSQL (`npm run test:cluster`, LUODI_TEST_TEMPORAL=cluster).
 */
export type TemporalTarget = 'dev' | 'cluster';

export function temporalTargetOf(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  return env.LUODI_TEST_TEMPORAL === 'cluster' ? 'cluster' : 'dev';
}

/**
 * The run's development certificates (test/globalSetup.ts makes them for the cluster target and
 * names their directory here); the cluster takes only clients with one of them.
 */
export const TEST_CERTS_ENV = 'LUODI_TEST_CERTS';

export function testCertificates(env: NodeJS.ProcessEnv = process.env): CertificateSet | undefined {
  const dir = env[TEST_CERTS_ENV];
  return dir ? certificateSet(dir) : undefined;
}

/** How a test reaches a Temporal server of the run's kind: over mTLS with luodi's client certificate on the cluster (TEMPORAL_TLS_*, set by globalSetup). */
export function testEndpoint(address: string): TemporalEndpoint {
  const tls = temporalTls(loadConfig());
  return { address, ...(tls ? { tls } : {}) };
}

/** The payload codec with the tests' key: every test's client and worker has it, as every luodi process has it with its own. */
export const TEST_DATA_CONVERTER = dataConverterFor(TEST_KEY_RING);

/** A Temporal server of one test file's (or the run's) own, of the run's kind. */
export interface OwnTemporal {
  address: string;
  /** The cluster's databases on luodi's PostgreSQL (null for the dev server, whose state is SQLite). */
  databases: { persistence: string; visibility: string } | null;
  /** Starts it; after a stop, from the state it had (a state file, or its databases). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its state. */
  dispose(): Promise<void>;
}

export interface OwnTemporalOptions {
  target: TemporalTarget;
  /** The dev server's binary (dev only). */
  cliPath: string;
  /** Dynamic config values on top of the server's own. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Keep its state across stop and start (the dev server's state file; a cluster always does). */
  persistent?: boolean;
}

export async function ownTemporal(o: OwnTemporalOptions): Promise<OwnTemporal> {
  const { port, databases, launch, removeState } = o.target === 'dev' ? await devServerKind(o) : await clusterKind(o);
  let running: Pick<DevServer | Cluster, 'stop'> | undefined;
  const stop = async () => {
    await running?.stop();
    running = undefined;
  };
  return {
    address: `127.0.0.1:${port}`,
    databases,
    start: async () => void (running = await launch()),
    stop,
    dispose: async () => {
      await stop();
      await removeState();
    },
  };
}

/** How one kind of server is started on its port, and how its state is removed. */
interface Kind {
  port: number;
  databases: OwnTemporal['databases'];
  launch(): Promise<DevServer | Cluster>;
  removeState(): Promise<void>;
}

async function devServerKind(o: OwnTemporalOptions): Promise<Kind> {
  const dir = o.persistent ? mkdtempSync(join(tmpdir(), 'luodi-temporal-')) : null;
  const port = await freePort();
  const options = { cliPath: o.cliPath, port, namespace: 'default', uiPort: null, dbFile: dir && join(dir, 'temporal.db'), ...(o.dynamicConfig ? { dynamicConfig: o.dynamicConfig } : {}) };
  return { port, databases: null, launch: () => startDevServer(options), removeState: async () => void (dir && rmSync(dir, { recursive: true, force: true })) };
}

async function clusterKind(o: OwnTemporalOptions): Promise<Kind> {
  const port = await freeClusterPort();
  const postgres = postgresTarget(loadConfig().DATABASE_URL);
  const name = `luodi_test_temporal_${Date.now()}_${process.pid}_${port}`;
  const databases = { persistence: name, visibility: `${name}_visibility` };
  const log = createLogger('test-temporal', 'warn');
  // Small pools: a run has two or three clusters at once beside luodi's own, on one PostgreSQL.
  const tls = testCertificates();
  const options = { postgres, databases, port, uiPort: null, namespace: 'default', retentionDays: 1, log, maxConns: { persistence: 4, visibility: 2 }, ...(tls ? { tls } : {}), ...(o.dynamicConfig ? { dynamicConfig: o.dynamicConfig } : {}) };
  return { port, databases, launch: () => startCluster(options), removeState: () => dropClusterDatabases(postgres, databases) };
}

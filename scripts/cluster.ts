import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import type { TemporalEndpoint } from '../config/temporal-connection.js';
import { FRONTEND_NAME, INTERNODE_NAME, type CertificateSet } from '../config/cert-files.js';
import { msNumberToTs, tsToMs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import type { Logger } from '../config/logger.js';
import { stopProcess } from './dev-server.js';
import { ensureGoBinary, moduleSource, TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER } from './go-binaries.js';
import { ensureSearchAttributes, waitUntilSearchAttributesUsable } from './search-attributes.js';

/**
 * Temporal's own server on PostgreSQL, as a province runs it: persistence and visibility schemas
 * in databases of their own, set up and upgraded by temporal-sql-tool from the server module's
 * versioned schemas; the server from deploy/temporal/config.yaml, every service in one process
 * listening on loopback; the namespace with its retention and luodi's search attributes; and the
 * UI server, read-only. `npm run cluster` (scripts/cluster-main.ts) and `npm run test:cluster`
 * both start it from here.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLUSTER_CONFIG = join(ROOT, 'deploy/temporal/config.yaml');
export const CLUSTER_DYNAMIC_CONFIG = join(ROOT, 'deploy/temporal/dynamicconfig.yaml');

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface ClusterOptions {
  postgres: PostgresTarget;
  /** Databases of its own, created if missing: the server's persistence and its visibility. */
  databases: { persistence: string; visibility: string };
  /** The frontend's gRPC port; the other services take ports from it (+1, +2, +6, +10, +700…+706, metrics +2000). */
  port: number;
  /** null: no UI server. */
  uiPort: number | null;
  /** luodi's public URL (PUBLIC_URL; default http://127.0.0.1:3000), which serves the UI: its codec endpoint is there, and its pages come from there. */
  luodiUrl?: string;
  namespace: string;
  retentionDays: number;
  /** Connections each of the server's pools may hold on persistence and on visibility (default 20 and 10; there is a pool per service). */
  maxConns?: { persistence: number; visibility: number };
  /** Dynamic config on top of deploy/temporal/dynamicconfig.yaml (e.g. a test's own limits). */
  dynamicConfig?: Record<string, unknown>;
  /**
   * mTLS on the frontend and among the services (`npm run certs` makes a set): the frontend takes
   * only clients whose certificate the set's CA signed. The cluster's own set-up connects with
   * the set's client certificate, and the UI server with its own.
   */
  tls?: CertificateSet;
  log: Logger;
}

export interface Cluster {
  address: string;
  /** The address, and the client certificate that the set-up used (with tls). */
  endpoint: TemporalEndpoint;
  uiUrl: string | null;
  server: ChildProcess;
  stop(): Promise<void>;
}

/** The offsets from the frontend port of every port one cluster listens on (deploy/temporal/config.yaml). */
export const PORT_OFFSETS = [0, 1, 2, 6, 10, 700, 701, 702, 706, 2000] as const;

/** A frontend port whose whole block of ports (PORT_OFFSETS) is free on loopback now. */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Membership ports are a smallint in Temporal's schema: the whole block stays under 32768.
    const base = 20_000 + Math.floor(Math.random() * 11_000);
    if ((await Promise.all(PORT_OFFSETS.map((o) => portFree(base + o)))).every(Boolean)) return base;
  }
  throw new Error('found no free block of ports for a Temporal cluster on 127.0.0.1');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** PostgreSQL's address and credentials, from a postgres:// URL (its database is ignored). */
export function postgresTarget(url: string): PostgresTarget {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 5432), user: decodeURIComponent(u.username || 'postgres'), password: decodeURIComponent(u.password) };
}

/**
 * Creates the persistence and visibility databases if missing, sets up the base schema where
 * there is none, and applies every versioned update newer than the database's (idempotent).
 */
export async function setUpSchemas(o: Pick<ClusterOptions, 'postgres' | 'databases' | 'log'>): Promise<void> {
  const sqlTool = await ensureGoBinary(TEMPORAL_SQL_TOOL, process.env, o.log);
  const schemas = join(moduleSource(TEMPORAL_SERVER, 'go.temporal.io/server'), 'schema/postgresql/v12');
  for (const [kind, database] of [['temporal', o.databases.persistence], ['visibility', o.databases.visibility]] as const) {
    const state = await databaseState(o.postgres, database);
    const tool = (...args: string[]) => runSqlTool(sqlTool, o.postgres, database, args);
    if (state === 'missing') {
      o.log.info({ database }, `creating the ${kind} database`);
      tool('create-database');
    }
    if (state !== 'set up') {
      o.log.info({ database }, `setting up the ${kind} schema`);
      tool('setup-schema', '-v', '0.0');
    }
    o.log.info({ database }, `updating the ${kind} schema to the newest version`);
    tool('update-schema', '-d', join(schemas, kind, 'versioned'));
  }
}

async function databaseState(p: PostgresTarget, database: string): Promise<'missing' | 'empty' | 'set up'> {
  const admin = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!exists.rowCount) return 'missing';
  } finally {
    await admin.end();
  }
  const db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database });
  await db.connect();
  try {
    const version = await db.query(`select 1 from information_schema.tables where table_name = 'schema_version'`);
    return version.rowCount ? 'set up' : 'empty';
  } finally {
    await db.end();
  }
}

function runSqlTool(tool: string, p: PostgresTarget, database: string, args: string[]): void {
  const common = ['--plugin', 'postgres12', '--endpoint', p.host, '--port', String(p.port), '--user', p.user, '--database', database];
  const out = spawnSync(tool, [...common, ...args], { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: p.password } });
  if (out.status !== 0) {
    throw new Error(`temporal-sql-tool ${args.join(' ')} on ${database} failed (exit ${out.status}):\n${(out.stderr || out.stdout).trim().split('\n').slice(-15).join('\n')}`);
  }
}

/** Drops the cluster's databases (tests' own clusters, when they are done). */
export async function dropClusterDatabases(p: PostgresTarget, databases: ClusterOptions['databases']): Promise<void> {
  const admin = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: 'postgres' });
  await admin.connect();
  try {
    for (const database of [databases.persistence, databases.visibility]) await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
  } finally {
    await admin.end();
  }
}

/** The server's environment for deploy/temporal/config.yaml. */
function serverEnv(o: ClusterOptions, dynamicConfigPath: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    POSTGRES_SEEDS: o.postgres.host,
    DB_PORT: String(o.postgres.port),
    POSTGRES_USER: o.postgres.user,
    POSTGRES_PWD: o.postgres.password,
    DBNAME: o.databases.persistence,
    VISIBILITY_DBNAME: o.databases.visibility,
    BIND_IP: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(o.port),
    FRONTEND_HTTP_PORT: String(o.port + 10),
    METRICS_PORT: String(o.port + 2000),
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfigPath,
    ...(o.tls
      ? {
          TLS_CA_FILE: o.tls.ca.cert,
          TLS_FRONTEND_CERT: o.tls.frontend.cert,
          TLS_FRONTEND_KEY: o.tls.frontend.key,
          TLS_INTERNODE_CERT: o.tls.internode.cert,
          TLS_INTERNODE_KEY: o.tls.internode.key,
          TLS_FRONTEND_SERVER_NAME: FRONTEND_NAME,
          TLS_INTERNODE_SERVER_NAME: INTERNODE_NAME,
        }
      : {}),
    ...(o.maxConns ? { SQL_MAX_CONNS: String(o.maxConns.persistence), SQL_VISIBILITY_MAX_CONNS: String(o.maxConns.visibility) } : {}),
  };
}

/** deploy/temporal/dynamicconfig.yaml with the options' values after it (later keys win). */
function dynamicConfigFile(extra: Record<string, unknown> | undefined): { path: string; remove(): void } {
  if (!extra || !Object.keys(extra).length) return { path: CLUSTER_DYNAMIC_CONFIG, remove: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'luodi-temporal-'));
  const base = readFileSync(CLUSTER_DYNAMIC_CONFIG, 'utf8')
    .split('\n')
    .reduce<{ lines: string[]; skip: boolean }>(
      (acc, line) => {
        // Drop the base file's entries that the options replace (a YAML key may appear once).
        if (/^\S/.test(line)) acc.skip = line.replace(/:.*$/, '') in extra;
        if (!acc.skip) acc.lines.push(line);
        return acc;
      },
      { lines: [], skip: false },
    ).lines;
  const added = Object.entries(extra).map(([k, v]) => `${k}:\n  - value: ${JSON.stringify(v)}`);
  const path = join(dir, 'dynamicconfig.yaml');
  writeFileSync(path, [...base, ...added, ''].join('\n'));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Sets up the schemas, starts the server, registers the namespace and search attributes, then
 * the UI server; resolves once the frontend serves the namespace. `stop()` ends both.
 */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const serverPath = await ensureGoBinary(TEMPORAL_SERVER, process.env, o.log);
  const uiServerPath = o.uiPort === null ? null : await ensureGoBinary(TEMPORAL_UI_SERVER, process.env, o.log);
  await setUpSchemas(o);
  const dynamic = dynamicConfigFile(o.dynamicConfig);
  const address = `127.0.0.1:${o.port}`;
  const endpoint = clusterEndpoint(address, o.tls);
  o.log.info({ address, config: CLUSTER_CONFIG }, 'starting the Temporal server');
  const server = spawnLogged(serverPath, ['--config-file', CLUSTER_CONFIG, '--allow-no-auth', 'start'], serverEnv(o, dynamic.path), 'temporal-server');
  let ui: ChildProcess | null = null;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    if (ui) await stopProcess(ui);
    await stopProcess(server.process, 20_000);
    dynamic.remove();
  };
  try {
    await Promise.race([waitForFrontend(endpoint, 120_000), server.exited]);
    await ensureNamespace(endpoint, o.namespace, o.retentionDays, o.log);
    // A namespace just registered reaches the operator service within seconds (its registry's refresh).
    const added = await retryWhileNotFound(() => ensureSearchAttributes(endpoint, o.namespace), 30_000);
    if (added.length) o.log.info({ added }, 'registered luodi\'s search attributes');
    await Promise.race([waitUntilSearchAttributesUsable(endpoint, o.namespace), server.exited]);
    if (uiServerPath && o.uiPort !== null) {
      const uiServer = spawnUiServer(uiServerPath, { address, port: o.uiPort, luodiUrl: o.luodiUrl ?? 'http://127.0.0.1:3000', ...(o.tls ? { tls: o.tls } : {}) });
      ui = uiServer.process;
      uiServer.exited.catch((err: Error) => stopping || o.log.error({ err: err.message }, 'the Temporal UI server exited; the cluster runs on without its UI'));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  server.exited.catch(() => undefined);
  return { address, endpoint, uiUrl: o.uiPort === null ? null : `http://127.0.0.1:${o.uiPort}/temporal`, server: server.process, stop };
}

export interface UiServerOptions {
  /** The frontend's address. */
  address: string;
  port: number;
  /** luodi's public URL: the UI's codec endpoint and the origin of its pages. */
  luodiUrl: string;
  tls?: CertificateSet;
}

/** The UI server from deploy/temporal-ui/cluster.yaml: read-only, under /temporal, on loopback. */
export function spawnUiServer(path: string, o: UiServerOptions) {
  return spawnLogged(path, ['--root', join(ROOT, 'deploy'), '--config', 'temporal-ui', '--env', 'cluster', 'start'], uiEnv(o), 'temporal-ui-server');
}

/** What deploy/temporal-ui/cluster.yaml reads. */
function uiEnv({ address, port, luodiUrl, tls }: UiServerOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_UI_IP: '127.0.0.1',
    TEMPORAL_UI_PORT: String(port),
    LUODI_PUBLIC_URL: luodiUrl.replace(/\/$/, ''),
    ...(tls ? { UI_TLS_CA: tls.ca.cert, UI_TLS_CERT: tls.ui.cert, UI_TLS_KEY: tls.ui.key, UI_TLS_SERVER_NAME: FRONTEND_NAME } : {}),
  };
}

/** How the cluster's own set-up reaches the frontend: with the set's client certificate, when there is a set. */
export function clusterEndpoint(address: string, tls: CertificateSet | undefined): TemporalEndpoint {
  if (!tls) return { address };
  return {
    address,
    tls: {
      serverRootCACertificate: readFileSync(tls.ca.cert),
      clientCertPair: { crt: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) },
      serverNameOverride: FRONTEND_NAME,
    },
  };
}

/** Starts one of the servers; its last 30 lines of output are in the error if it exits. */
function spawnLogged(path: string, args: string[], env: NodeJS.ProcessEnv, name: string) {
  const child = spawn(path, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Whatever ends this process ends the server too, rather than leaving it holding its ports.
  const orphaned = () => child.kill('SIGTERM');
  process.once('exit', orphaned);
  child.once('exit', () => process.removeListener('exit', orphaned));
  const tail: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}):\n${[...tail, partial].join('\n')}`)));
    child.once('error', reject);
  });
  return { process: child, exited };
}

async function waitForFrontend(endpoint: TemporalEndpoint, timeoutMs: number): Promise<void> {
  const { address } = endpoint;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ ...endpoint, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the Temporal server at ${address} did not answer within ${timeoutMs / 1000} s: ${(err as Error).message}`, { cause: err });
    } finally {
      await connection?.close();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function retryWhileNotFound<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: number }).code !== 5 || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Registers the namespace with its retention, unless it exists (its retention is then left as it is, and said). */
async function ensureNamespace(endpoint: TemporalEndpoint, namespace: string, retentionDays: number, log: Logger): Promise<void> {
  const connection = await Connection.connect(endpoint);
  try {
    try {
      const { config } = await connection.workflowService.describeNamespace({ namespace });
      log.info({ namespace, retentionDays: tsToMs(config?.workflowExecutionRetentionTtl) / 86_400_000 }, 'the namespace exists; its retention is left as it is');
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 5) throw err; // NOT_FOUND: register it below
    }
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'luodi 落地: one workflow per signed investment project',
      workflowExecutionRetentionPeriod: msNumberToTs(retentionDays * 86_400_000),
    });
    log.info({ namespace, retentionDays }, 'registered the namespace');
  } finally {
    await connection.close();
  }
}

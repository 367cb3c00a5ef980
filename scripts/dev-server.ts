import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { ensureSearchAttributes } from './search-attributes.js';
import type { TemporalEndpoint } from '../config/temporal-connection.js';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  namespace: string;
  /** null: no web UI (tests). The UI is served under /temporal, as luodi serves it (api/temporal-ui.tsx). */
  uiPort: number | null;
  /** The UI's codec server: luodi's /temporal-codec (PUBLIC_URL-based), which decrypts payloads for the signed-in. */
  uiCodecEndpoint?: string;
  /** null: state in memory only (tests). */
  dbFile: string | null;
  /** Extra `--dynamic-config-value KEY=VALUE` settings. */
  dynamicConfig?: Record<string, string | number | boolean>;
  onOutput?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--namespace', o.namespace];
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`);
  // The dev server's UI cannot be made read-only (no such flag): luodi's proxy refuses every write.
  args.push(...(o.uiPort === null ? ['--headless'] : ['--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1', '--ui-public-path', '/temporal']));
  if (o.uiPort !== null && o.uiCodecEndpoint) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  for (const [k, v] of Object.entries(o.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  args.push('--log-level', 'warn', '--log-format', 'json');
  return args;
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startDevServer(o: DevServerOptions, readyTimeoutMs = 60_000): Promise<DevServer> {
  if (o.dbFile) mkdirSync(dirname(o.dbFile), { recursive: true });
  const child = spawn(o.cliPath, devServerArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const onLine = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.onOutput?.(line);
    }
  };
  child.stdout.on('data', onLine);
  child.stderr.on('data', onLine);
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`temporal server exited (code ${code}) before it was ready:\n${tail.join('\n')}`)));
    child.once('error', reject);
  });
  const address = `127.0.0.1:${o.port}`;
  const stop = () => stopProcess(child);
  try {
    await Promise.race([waitUntilServing(address, o.namespace, readyTimeoutMs), exited]);
    // A state file from an older luodi lacks the search attributes added since.
    if (o.dbFile) await ensureSearchAttributes({ address }, o.namespace);
  } catch (err) {
    await stop();
    throw err;
  }
  exited.catch(() => undefined);
  return { address, uiUrl: o.uiPort === null ? null : `http://127.0.0.1:${o.uiPort}`, process: child, stop };
}

/** True if a Temporal frontend answers at the address with the namespace ready. */
export async function isServing(endpoint: TemporalEndpoint, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...endpoint, connectTimeout: 1_000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

async function waitUntilServing(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isServing({ address }, namespace)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal dev server at ${address} was not ready after ${timeoutMs / 1000} s`);
}

export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** A TCP port free on loopback right now (for servers started by tests and tools). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import { scaledCalendar, type WorkingCalendar } from '../activities/calendar.js';
import { createApp } from '../api/app.js';
import { TokenCache } from '../api/token-cache.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { createApiToken, createUser, type User } from '../db/users.js';
import { bundleOptions, createWorker } from '../worker/createWorker.js';
import { TEST_KEY_RING } from './keys.js';
import { TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';

/** The users every stack has, each with an API token. */
export const TEST_USERS = {
  /** Province-wide: the default for requests. */
  coordinator: { role: 'coordinator', city: null, department: null },
  coordinatorShenyang: { role: 'coordinator', city: '沈阳', department: null },
  coordinatorDalian: { role: 'coordinator', city: '大连', department: null },
  staffLand: { role: 'staff', city: '沈阳', department: 'natural_resources' },
  staffLandDalian: { role: 'staff', city: '大连', department: 'natural_resources' },
  staffRegistration: { role: 'staff', city: '沈阳', department: 'market_regulation' },
  verifier: { role: 'verifier', city: '沈阳', department: null },
  supervisor: { role: 'supervisor', city: null, department: null },
  supervisorDalian: { role: 'supervisor', city: '大连', department: null },
  admin: { role: 'admin', city: null, department: null },
} as const satisfies Record<string, Omit<User, 'id' | 'name'>>;
export type TestUser = keyof typeof TEST_USERS;

export interface ApiRequest {
  method?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Which test user sends it (default coordinator); null sends no token. */
  as?: TestUser | null;
}

export interface Stack {
  client: Client;
  db: Db;
  taskQueue: string;
  baseUrl: string;
  /** The login name of each test user in this stack, and an API token of each. */
  userIds: Record<TestUser, string>;
  tokens: Record<TestUser, string>;
  /** fetch against the API, JSON in and out. */
  api(path: string, init?: ApiRequest): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  contentType: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export const TEMPORAL_UI = 'http://temporal-ui.test';

/** luodi's workflows, bundled once for the whole run by the global set-up (bundling took seconds of CPU per file). */
export async function bundle(): Promise<WorkflowBundle> {
  return { code: await readFile(inject('workflowBundlePath'), 'utf8') };
}

/** What the global set-up bundles, as the worker does. */
export function bundleNow(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ ...bundleOptions, logger: silentBundlerLogger });
}

const silentBundlerLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/**
 * The real thing on the real servers: a worker on its own task queue, and the API on port 0.
 * `workingDayMs`: how long one working day lasts for this stack's worker (real timers);
 * `address`: another Temporal server than the run's shared one; `calendar`: another calendar
 * than the scaled one (e.g. the official calendar in PostgreSQL); `tokenCacheMs`: the API caches
 * tokens as api/main.ts does (off by default, so that a test's change to a user is seen at once);
 * `databaseUrl`: a database of the file's own (one whose dispatcher must not deliver, or fail,
 * other files' notifications: see ownDatabase).
 */
export async function startStack(
  workflowBundle: WorkflowBundle,
  {
    workingDayMs = 60_000,
    address = inject('temporalAddress'),
    calendar,
    tokenCacheMs,
    databaseUrl = inject('databaseUrl'),
  }: { workingDayMs?: number; address?: string; calendar?: (db: Db) => WorkingCalendar; tokenCacheMs?: number; databaseUrl?: string } = {},
): Promise<Stack> {
  quietSdkLogs();
  const db = createDb(databaseUrl);
  const taskQueue = `test-${randomUUID()}`;
  const workerConnection = await NativeConnection.connect(testEndpoint(address));
  const worker = await createWorker({ connection: workerConnection, namespace: 'default', taskQueue, db, workflowBundle, dataConverter: TEST_DATA_CONVERTER, calendar: calendar ? calendar(db) : scaledCalendar(workingDayMs) });
  const running = worker.run();
  const connection = await Connection.connect(testEndpoint(address));
  const client = new Client({ connection, namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
  const log = createLogger('api', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
  const tokenCache = tokenCacheMs ? new TokenCache(db, databaseUrl, { ttlMs: tokenCacheMs, log }) : undefined;
  const app = createApp({ client, db, keyRing: TEST_KEY_RING, log, taskQueue, temporalUiUrl: TEMPORAL_UI, ...(tokenCache ? { tokenCache } : {}) });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const suffix = randomUUID().slice(0, 8);
  const userIds = {} as Record<TestUser, string>;
  const tokens = {} as Record<TestUser, string>;
  for (const [key, user] of Object.entries(TEST_USERS) as [TestUser, (typeof TEST_USERS)[TestUser]][]) {
    userIds[key] = `${key.toLowerCase()}.${suffix}`;
    await createUser(db, { id: userIds[key], name: key, ...user });
    tokens[key] = await createApiToken(db, userIds[key], 'test');
  }

  return {
    client,
    db,
    taskQueue,
    baseUrl,
    userIds,
    tokens,
    async api(path, init = {}) {
      const as = init.as === undefined ? 'coordinator' : init.as;
      const headers: Record<string, string> = { ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...init.headers };
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(baseUrl + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
      const contentType = res.headers.get('content-type') ?? '';
      const text = await res.text();
      return { status: res.status, contentType, headers: res.headers, body: text && contentType.includes('json') ? JSON.parse(text) : text };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await running;
      await tokenCache?.close();
      await Promise.all([workerConnection.close(), connection.close(), db.destroy()]);
    },
  };
}

let sdkLogsQuiet = false;
/** The SDK logs every worker state change at INFO; tests want only its warnings and errors. */
export function quietSdkLogs(): void {
  if (sdkLogsQuiet) return;
  // The replay test's deliberate nondeterminism makes Core warn; tests want only errors from it.
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  sdkLogsQuiet = true;
}

/** A project code no other test uses. */
export function newCode(city = 'SY'): string {
  return `LN-T${randomUUID().slice(0, 8).toUpperCase()}-${city}-0001`;
}

/** Polls until the check returns a value other than undefined (projections and visibility are eventually consistent). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether a workflow with this ID exists (a refused request must start none). */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Signs in through the pages' form (with its double-submit CSRF cookie); returns the status and the session cookie. */
export async function signInPages(baseUrl: string, userId: string, password: string): Promise<{ status: number; cookie: string | null }> {
  const form = await fetch(`${baseUrl}/signin`);
  const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('luodi_signin_csrf='))!.split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${baseUrl}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: token, user: userId, password, next: '/' }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('luodi_session='));
  return { status: res.status, cookie: session ? session.split(';')[0]! : null };
}

/**
 * A database of one test file's own, migrated, beside the run's (`<run's name>_<suffix>`), for a
 * file that runs a dispatcher: on the run's database it would claim, and deliver or fail, the
 * notifications of the files running beside it. Returns its URL and a function that drops it.
 */
export async function ownDatabase(suffix: string): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${suffix}`;
  const databaseUrl = url.toString();
  await prepareDatabase(databaseUrl, createLogger('test-database', 'silent'));
  return { databaseUrl, drop: () => dropDatabase(databaseUrl) };
}

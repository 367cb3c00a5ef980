/**
 * Pieces of a luodi stack that fault tests start, kill and start again one by one: the real entry
 * points (worker/main.ts, api/main.ts) as processes of their own, or an in-process worker or API
 * on a database and Temporal server of the test's choosing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { scaledCalendar } from '../activities/calendar.js';
import { createApp } from '../api/app.js';
import { createLogger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import type { IdempotencyTimes } from '../db/idempotency-keys.js';
import { addTemplateVersion } from '../db/templates.js';
import { createApiToken, createUser } from '../db/users.js';
import { getState } from '../workflows/messages.js';
import { type ProjectState } from '../workflows/state.js';
import { createWorker } from '../worker/createWorker.js';
import { freePort } from '../scripts/dev-server.js';
import { TEST_KEY_ENV, TEST_KEY_RING } from './keys.js';
import { quietSdkLogs } from './stack.js';
import { TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';
import type { DataConverter } from '@temporalio/common';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An entry point running as its own process; its output is kept for the failure message. */
export interface EntryProcess {
  process: ChildProcess;
  /** Resolves once a line of its output (of the last 60, each cut at 600 characters) matches (e.g. the worker's "worker started"). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** kill -9, and wait until it is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (the entry point's own clean stop), then SIGKILL after the grace time. */
  stop(graceMs?: number): Promise<void>;
  alive(): boolean;
  output(): string;
}

const started = new Set<EntryProcess>();

/**
 * Starts `node --import tsx <entry>` from the project root, as `npm run worker|api` does; or, with
 * `compiled`, `node dist/<entry>.js` as the production image does (npm run build first).
 */
export function spawnEntry(entry: 'worker/main.ts' | 'api/main.ts' | 'worker/dispatcher-main.ts', env: Record<string, string>, { compiled = false } = {}): EntryProcess {
  const args = compiled ? [`dist/${entry.replace(/\.ts$/, '.js')}`] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...TEST_KEY_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
      if (lines.length > 60) lines.shift();
      for (const w of waiters.filter((x) => x.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const entryProcess: EntryProcess = {
    process: child,
    alive,
    output: () => lines.join('\n'),
    waitForLine(pattern, timeoutMs = 60_000) {
      if (lines.some((l) => pattern.test(l))) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${entry} printed no line matching ${pattern} within ${timeoutMs} ms:\n${entryProcess.output()}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${entry} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${entryProcess.output()}`));
        });
      });
    },
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
      started.delete(entryProcess);
    },
    async stop(graceMs = 10_000) {
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      started.delete(entryProcess);
    },
  };
  started.add(entryProcess);
  return entryProcess;
}

/** For afterAll: every entry process a test started and did not stop (a failed test) is killed. */
export async function killLeftoverProcesses(): Promise<void> {
  await Promise.all([...started].map((p) => p.kill9()));
}

/** The worker's own line once it polls its task queue (worker/main.ts logs it at info). */
export const WORKER_STARTED = /"msg":"worker started"/;

/** Waits until an HTTP server answers /healthz. */
export async function waitForHealthy(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${baseUrl} did not answer /healthz within ${timeoutMs} ms`);
}

/** api/main.ts as its own process on a free port, once it answers; LOG_LEVEL warn unless given. */
export async function spawnApi(env: Record<string, string>, { compiled = false } = {}): Promise<{ process: EntryProcess; baseUrl: string; port: number }> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawnEntry('api/main.ts', { LOG_LEVEL: 'warn', ...env, PORT: String(port) }, { compiled });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(baseUrl);
  } catch (err) {
    await child.kill9();
    throw new Error(`${(err as Error).message}:\n${child.output()}`, { cause: err });
  }
  return { process: child, baseUrl, port };
}

/** A province-wide coordinator and an API token for it. */
export async function createCoordinator(db: Db): Promise<{ id: string; token: string }> {
  const id = `fault.coordinator.${randomUUID().slice(0, 8)}`;
  await createUser(db, { id, name: '故障测试协调员', role: 'coordinator', city: null, department: null });
  return { id, token: await createApiToken(db, id, 'fault test') };
}

export interface Answer {
  /** 0: no answer (the connection was refused or reset, or the client gave up). */
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  ms: number;
  error?: string;
}

/** A client of one API address: JSON in and out; never throws, a request with no answer is status 0. */
export function httpClient(baseUrl: string, token: string, timeoutMs = 30_000) {
  return async (path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const t0 = Date.now();
    try {
      const res = await fetch(baseUrl + path, {
        method: init.body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
      return { status: res.status, headers: res.headers, body: json, ms: Date.now() - t0 };
    } catch (err) {
      return { status: 0, headers: new Headers(), body: null, ms: Date.now() - t0, error: (err as Error).message };
    }
  };
}

export type HttpClient = ReturnType<typeof httpClient>;

/**
 * A template of its own (a new project type): independent tasks of the land department, without
 * fields, none due for 100 working days, so that each can be completed at once with `{}`.
 */
export async function addPlainTemplate(db: Db, name: string, taskKeys: readonly string[]): Promise<string> {
  const projectType = `${name.toLowerCase().replace(/\W+/g, '_')}_${randomUUID().slice(0, 8)}`;
  await addTemplateVersion(
    db,
    {
      projectType,
      name: { zh: name, en: name },
      escalationWorkingDays: [0, 3, 7, 15],
      idleWorkingDays: 200,
      tasks: taskKeys.map((key) => ({ key, department: 'natural_resources' as const, title: { zh: key, en: key }, dependsOn: [], dueWorkingDays: 100, fields: [] })),
    },
    'admin.test',
  );
  return projectType;
}

/** A member of 沈阳's land department (natural resources) and an API token for it. */
export async function createLandStaff(db: Db): Promise<{ id: string; token: string }> {
  const id = `land.staff.${randomUUID().slice(0, 8)}`;
  await createUser(db, { id, name: '自然资源局经办', role: 'staff', city: '沈阳', department: 'natural_resources' });
  return { id, token: await createApiToken(db, id, 'fault test') };
}

/** A new signed project (its first tasks open) through the API. */
export async function createProject(http: HttpClient, code: string, over: Record<string, unknown> = {}): Promise<Answer> {
  return http('/api/projects', {
    body: { code, name: '故障测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', ...over },
    headers: { 'Idempotency-Key': `start-${code}` },
  });
}

/** A worker in this process, on any server, database and task queue. */
export async function startWorker(o: { address: string; db: Db; taskQueue: string; workflowBundle: WorkflowBundle; workingDayMs?: number; dataConverter?: DataConverter }) {
  quietSdkLogs();
  const connection = await NativeConnection.connect(testEndpoint(o.address));
  const worker = await createWorker({
    connection,
    dataConverter: o.dataConverter ?? TEST_DATA_CONVERTER,
    namespace: 'default',
    taskQueue: o.taskQueue,
    db: o.db,
    workflowBundle: o.workflowBundle,
    calendar: scaledCalendar(o.workingDayMs ?? 60_000),
  });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        worker.shutdown();
        await running;
        await connection.close();
      })();
      return stopped;
    },
  };
}

/** The API app in this process on port 0, with the client and database given. */
export async function startApi(o: { client: Client; db: Db; taskQueue: string; idempotency?: IdempotencyTimes }) {
  const app = createApp({
    client: o.client,
    db: o.db,
    keyRing: TEST_KEY_RING,
    log: createLogger('api', (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent'),
    taskQueue: o.taskQueue,
    temporalUiUrl: 'http://temporal-ui.test',
    ...(o.idempotency ? { idempotency: o.idempotency } : {}),
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The checks that nothing is lost and nothing is doubled in one project: every expected request
 * is one blocker in the workflow state, one row in the projection, one `blocker.reported` in the
 * audit log; the audit log has every version once, up to the state's; nothing is pending.
 * `expected` maps a workflow request id to the blocker id its client was answered with.
 */
export async function assertBlockersOnce(client: Client, db: Db, code: string, expected: Map<string, string>): Promise<ProjectState> {
  const handle = client.workflow.getHandle(code);
  const state = await handle.query(getState);
  const problems: string[] = [];
  const requestIds = state.blockers.map((b) => b.requestId);
  if (new Set(requestIds).size !== requestIds.length) problems.push(`a request made two blockers in the state: ${requestIds.join(', ')}`);
  if (new Set(state.blockers.map((b) => b.id)).size !== state.blockers.length) problems.push('two blockers in the state share an id');
  for (const [requestId, answeredId] of expected) {
    const inState = state.blockers.filter((b) => b.requestId === requestId);
    if (inState.length !== 1) problems.push(`request ${requestId}: ${inState.length} blockers in the state`);
    else if (inState[0]!.id !== answeredId) problems.push(`request ${requestId}: answered ${answeredId}, but the state has it as ${inState[0]!.id}`);
  }
  if (state.blockers.length !== expected.size) problems.push(`the state has ${state.blockers.length} blockers, ${expected.size} were reported`);

  const rows = await db.selectFrom('blockers').select('blocker_id').where('project_code', '=', code).execute();
  const rowIds = rows.map((r) => r.blocker_id).sort();
  const stateIds = state.blockers.map((b) => b.id).sort();
  if (JSON.stringify(rowIds) !== JSON.stringify(stateIds)) problems.push(`projection blockers ${rowIds.join(',')} ≠ state ${stateIds.join(',')}`);

  const audit = await db.selectFrom('audit_log').select(['version', 'kind', 'data']).where('project_code', '=', code).orderBy('version').execute();
  const reported = audit.filter((a) => a.kind === 'blocker.reported').map((a) => String(a.data.id)).sort();
  if (JSON.stringify(reported) !== JSON.stringify(stateIds)) problems.push(`audit blocker.reported ${reported.join(',')} ≠ state ${stateIds.join(',')}`);
  const versions = audit.map((a) => a.version);
  const contiguous = versions.every((v, i) => v === i + 1);
  if (!contiguous || versions.at(-1) !== state.version) problems.push(`audit versions ${versions.join(',')} are not 1..${state.version} once each`);

  const project = await db.selectFrom('projects').select('version').where('code', '=', code).executeTakeFirst();
  if (project?.version !== state.version) problems.push(`projection version ${project?.version} ≠ state version ${state.version}`);
  const notices = await db.selectFrom('notification_requests').select('dedupe_key').where('project_code', '=', code).where('kind', '=', 'blocker').execute();
  if (notices.length !== state.blockers.length) problems.push(`${notices.length} blocker notifications for ${state.blockers.length} blockers`);
  if (state.writeFailures.length) problems.push(`write failures kept: ${state.writeFailures.map((f) => f.message).join('; ')}`);

  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  if (pending.length) problems.push(`pending activities: ${pending.map((a) => `${a.activityType?.name} attempt ${a.attempt} (${a.lastFailure?.message ?? 'no failure'})`).join('; ')}`);
  if (problems.length) throw new Error(`project ${code}:\n  ${problems.join('\n  ')}`);
  return state;
}

import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { TEMPORAL_DEADLINE_MS } from '../api/app.js';
import { createLogger } from '../config/logger.js';
import { createDb } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { addTemplateVersion } from '../db/templates.js';
import { getState } from '../workflows/messages.js';
import {
  assertBlockersOnce,
  createCoordinator,
  createProject,
  httpClient,
  killLeftoverProcesses,
  sleep,
  spawnApi,
  spawnEntry,
  startWorker,
  WORKER_STARTED,
  type Answer,
} from './fault-stack.js';
import { bundle, eventually, newCode } from './stack.js';
import { ownTemporal, TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';

/**
 * Issue 9, dependencies gone: PostgreSQL refusing every connection for 30 s, and the Temporal
 * server (the dev server, or the cluster under test:cluster) stopped and started again from its state while a project's timers are open. The API
 * (api/main.ts, as its own process) answers 503 with Retry-After meanwhile; afterwards everything
 * catches up, once.
 */
let workflowBundle: WorkflowBundle;
beforeAll(async () => {
  workflowBundle = await bundle();
});
afterAll(async () => {
  await killLeftoverProcesses();
});

/** The `postgres` database of the test server, from which a database is closed and opened. */
function adminClient(databaseUrl: string): pg.Client {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return new pg.Client({ connectionString: url.toString() });
}

const CUT_MS = 30_000;

test('PostgreSQL refusing connections for 30 s: the API answers 503 with Retry-After at once, nothing crashes, and the worker catches up once', async () => {
  // A database of its own: cutting it touches no other test file.
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_cut`;
  const databaseUrl = url.toString();
  const name = url.pathname.slice(1);
  await prepareDatabase(databaseUrl, createLogger('outage-test', 'silent'));
  const db = createDb(databaseUrl);
  const admin = adminClient(databaseUrl);
  await admin.connect();
  const address = inject('temporalAddress');
  const client = new Client({ connection: await Connection.connect(testEndpoint(address)), namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
  const taskQueue = `outage-pg-${randomUUID()}`;
  const worker = spawnEntry('worker/main.ts', { TEMPORAL_ADDRESS: address, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' });
  const api = await spawnApi({ TEMPORAL_ADDRESS: address, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, IDEMPOTENCY_LEASE_MS: '1000' });
  const coordinator = await createCoordinator(db);
  const http = httpClient(api.baseUrl, coordinator.token, 20_000);
  const locker = new pg.Client({ connectionString: databaseUrl });
  // The cut ends this connection too; without a listener its error would crash the test process.
  locker.on('error', () => undefined);
  let cut = false;
  const restore = async () => {
    if (cut) await admin.query(`alter database ${pg.escapeIdentifier(name)} allow_connections true`);
    cut = false;
  };
  try {
    await worker.waitForLine(WORKER_STARTED);
    const code = newCode();
    expect((await createProject(http, code)).status).toBe(201);
    const report = (key: string, description: string) => http(`/api/projects/${code}/blockers`, { body: { category: 'financing', description }, headers: { 'Idempotency-Key': key } });
    const before = await report('cut-before', '断库之前');
    expect(before.status).toBe(201);

    // A blocker whose projection write is in flight when the cut comes: the write waits on a row
    // lock this test holds, then the cut ends both connections.
    await locker.connect();
    await locker.query('begin');
    await locker.query('select 1 from projects where code = $1 for update', [code]);
    const inFlight = report('cut-in-flight', '断库之时');
    await eventually(async () => {
      const { rows } = await admin.query("select 1 from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'", [name]);
      return rows.length ? true : undefined;
    }, 10_000);

    await admin.query(`alter database ${pg.escapeIdentifier(name)} allow_connections false`);
    cut = true;
    const cutAt = Date.now();
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);

    // During the cut: every request is a prompt 503 with Retry-After (never a 500, never a hang).
    const during: { what: string; answer: Answer }[] = [];
    while (Date.now() - cutAt < CUT_MS - 3_000) {
      const round = await Promise.all([
        http('/api/projects').then((answer) => ({ what: 'GET /api/projects', answer })),
        report('cut-during', '断库期间').then((answer) => ({ what: 'POST blockers', answer })),
        http(`/api/projects/${code}`).then((answer) => ({ what: 'GET /api/projects/:code', answer })),
        http('/readyz').then((answer) => ({ what: 'GET /readyz', answer })),
      ]);
      during.push(...round);
      await sleep(1_500);
    }
    expect(api.process.alive(), `the API process died during the cut:\n${api.process.output()}`).toBe(true);
    expect(worker.alive(), `the worker process died during the cut:\n${worker.output()}`).toBe(true);
    const wrong = during.filter(({ answer: a }) => a.status !== 503 || !a.headers.get('retry-after') || a.ms >= 5_000);
    expect(wrong.map(({ what, answer: a }) => `${what}: ${a.status} in ${a.ms} ms, Retry-After ${a.headers.get('retry-after')} ${JSON.stringify(a.body)}`)).toEqual([]);
    expect(during.find((d) => d.what === 'GET /readyz')!.answer.body.dependencies).toMatchObject({ postgres: { up: false }, temporal: { up: true } });
    // The request that was waiting on its write when the cut came: a 503 by the Temporal deadline.
    const interrupted = await inFlight;
    expect(interrupted.status, JSON.stringify(interrupted.body)).toBe(503);
    expect(interrupted.headers.get('retry-after')).toBeTruthy();

    // Its blocker is in the workflow, its records' write (a local activity, in the worker) retrying:
    // not given up as failed for good.
    const handle = client.workflow.getHandle(code);
    const meanwhile = await handle.query(getState);
    expect(meanwhile.blockers).toHaveLength(2);
    expect(meanwhile.writeFailures).toEqual([]);

    await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
    await restore();
    const restoredAt = Date.now();

    // The API is back at once; each client retrying with its key gets its blocker, once.
    const listed = await eventually(async () => {
      const a = await http('/api/projects');
      return a.status === 200 ? a : undefined;
    }, 5_000);
    expect(listed.ms).toBeLessThan(5_000);
    const answers = new Map<string, Answer>([['cut-before', before]]);
    for (const [key, description] of [['cut-in-flight', '断库之时'], ['cut-during', '断库期间']] as const) {
      answers.set(key, await eventually(async () => {
        const a = await report(key, description);
        if (a.status !== 201) expect(a.status, JSON.stringify(a.body)).toBe(503);
        return a.status === 201 ? a : undefined;
      }, 30_000));
    }
    expect(answers.get('cut-in-flight')!.body.id).toBe('B2');

    // The worker has caught up: the in-flight blocker's projection row and audit record, once.
    await eventually(async () => {
      const row = await db.selectFrom('blockers').select('blocker_id').where('project_code', '=', code).where('blocker_id', '=', 'B2').executeTakeFirst();
      return row ? true : undefined;
    }, 30_000);
    expect(Date.now() - restoredAt).toBeLessThan(30_000);
    await assertBlockersOnce(client, db, code, new Map([...answers].map(([key, a]) => [`${coordinator.id}:${key}`, String(a.body.id)])));
  } finally {
    await restore();
    await locker.end().catch(() => undefined);
    await Promise.all([api.process.stop(), worker.stop()]);
    await client.connection.close();
    await Promise.all([db.destroy(), admin.end()]);
    await dropDatabase(databaseUrl);
  }
}, 120_000);

/** One working day lasts this long for the restart test's worker. */
const DAY_MS = 1_000;
/**
 * A worker whose polls failed while the server was down tries again after a backoff that doubles
 * up to 10 s (sdk-core's task poll retry policy, not configurable from TypeScript); work that needs
 * the worker resumes within that after the server is back.
 */
const WORKER_POLL_BACKOFF_MAX_MS = 10_000;

test('the Temporal server restarted from its state after a due time: the escalation fires once, and the API is back within 5 s', async () => {
  const server = await ownTemporal({ target: inject('temporalTarget'), cliPath: inject('temporalCliPath'), persistent: true });
  await server.start();
  const db = createDb(inject('databaseUrl'));
  const taskQueue = `outage-temporal-${randomUUID()}`;
  const worker = await startWorker({ address: server.address, db, taskQueue, workflowBundle, workingDayMs: DAY_MS });
  // The API as api/main.ts builds it: a lazy connection meant to reconnect within about a second.
  const api = await spawnApi({ TEMPORAL_ADDRESS: server.address, DATABASE_URL: inject('databaseUrl'), TEMPORAL_TASK_QUEUE: taskQueue });
  const client = new Client({ connection: await Connection.connect(testEndpoint(server.address)), namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
  const coordinator = await createCoordinator(db);
  const http = httpClient(api.baseUrl, coordinator.token, 30_000);
  try {
    const projectType = `restart_${randomUUID().slice(0, 8)}`;
    await addTemplateVersion(
      db,
      {
        projectType,
        name: { zh: '重启测试', en: 'Restart test' },
        escalationWorkingDays: [0, 1],
        idleWorkingDays: 200,
        tasks: [{ key: 'permit', department: 'housing_construction', title: { zh: '施工许可', en: 'Permit' }, dependsOn: [], dueWorkingDays: 6, fields: [] }],
      },
      'admin.test',
    );
    const code = newCode();
    expect((await createProject(http, code, { projectType })).status).toBe(201);
    const opened = await http(`/api/projects/${code}`);
    const rungAt: string[] = opened.body.tasks[0].rungAt;
    expect(rungAt).toHaveLength(2);

    await server.stop();
    const stoppedAt = Date.now();
    expect(stoppedAt, 'the server must be down before the first rung is due').toBeLessThan(Date.parse(rungAt[0]!));

    // While it is down: 503 with Retry-After within the API's Temporal deadline, for a read and for an update.
    const down = await Promise.all([
      http(`/api/projects/${code}`),
      http(`/api/projects/${code}/blockers`, { body: { category: 'approvals', description: '服务器停机' }, headers: { 'Idempotency-Key': `down-${code}` } }),
    ]);
    expect(down.map((a) => `${a.status} Retry-After ${a.headers.get('retry-after')}`)).toEqual(['503 Retry-After 5', '503 Retry-After 5']);
    expect(down.map((a) => a.ms).filter((ms) => ms > TEMPORAL_DEADLINE_MS + 1_000), 'ms taken by 503s past the Temporal deadline').toEqual([]);
    expect((await http('/readyz')).body.dependencies).toMatchObject({ postgres: { up: true }, temporal: { up: false } });
    expect(api.process.alive()).toBe(true);

    // Both rungs fall due while it is down; it comes back on the same port from the same file.
    await sleep(Math.max(0, Date.parse(rungAt[1]!) + DAY_MS - Date.now()));
    await server.start();
    const back = Date.now();
    await eventually(async () => ((await http('/readyz')).body.dependencies.temporal.up ? true : undefined), 5_000);
    expect(Date.now() - back, 'ms until the API reached Temporal again').toBeLessThan(5_000);
    const answered = await eventually(async () => {
      const a = await http(`/api/projects/${code}`);
      return a.status === 200 ? a : undefined;
    }, WORKER_POLL_BACKOFF_MAX_MS + 5_000);
    expect(answered.body.code).toBe(code);

    // The timers fired after the restart: each rung once, in the state, the projection and the audit log.
    const task = await eventually(async () => {
      const t = (await client.workflow.getHandle(code).query(getState)).tasks[0]!;
      return t.rung === 2 ? t : undefined;
    }, 20_000);
    expect(task.status).toBe('open');
    const escalations = await eventually(async () => {
      const rows = await db.selectFrom('escalations').select(['rung', 'escalated_at']).where('project_code', '=', code).orderBy('rung').execute();
      return rows.length === 2 ? rows : undefined;
    });
    expect(escalations.map((e) => e.rung)).toEqual([1, 2]);
    for (const e of escalations) expect(e.escalated_at.getTime()).toBeGreaterThan(stoppedAt);
    const escalated = await db.selectFrom('audit_log').select('data').where('project_code', '=', code).where('kind', '=', 'task.escalated').execute();
    expect(escalated.map((a) => a.data.rung).sort()).toEqual([1, 2]);
    const projected = await eventually(async () => {
      const p = await db.selectFrom('projects').select('escalation_rung').where('code', '=', code).executeTakeFirst();
      return p?.escalation_rung === 2 ? p : undefined;
    });
    expect(projected.escalation_rung).toBe(2);

    // And it takes an update at once, the one refused while the server was down included.
    const blocker = await http(`/api/projects/${code}/blockers`, { body: { category: 'approvals', description: '服务器停机' }, headers: { 'Idempotency-Key': `down-${code}` } });
    expect(blocker.status, JSON.stringify(blocker.body)).toBe(201);
    expect(blocker.ms).toBeLessThan(5_000);
    await assertBlockersOnce(client, db, code, new Map([[`${coordinator.id}:down-${code}`, String(blocker.body.id)]]));
  } finally {
    await api.process.stop();
    await worker.stop();
    await client.connection.close();
    await server.dispose();
    await db.destroy();
  }
}, 120_000);

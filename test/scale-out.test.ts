import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { getState } from '../workflows/messages.js';
import {
  addPlainTemplate,
  assertBlockersOnce,
  createCoordinator,
  createLandStaff,
  httpClient,
  killLeftoverProcesses,
  sleep,
  spawnApi,
  spawnEntry,
  WORKER_STARTED,
  type Answer,
  type EntryProcess,
  type HttpClient,
} from './fault-stack.js';
import { eventually, newCode } from './stack.js';
import { TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';

/**
 * Issue 13, scale-out on Temporal's own server: two workers, two APIs and two dispatchers at once,
 * each the compiled JavaScript the production image runs (node dist/…; npm run test:cluster builds
 * it first), on one task queue, one database and one outbox, under a burst of project starts, task
 * completions and blocker reports sent to either API; one worker is killed with SIGKILL in the
 * middle. Clients retry what got no answer with the same Idempotency-Key. Every project is
 * handled, nothing is applied twice, and every notification is delivered once.
 */
const target = inject('temporalTarget');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROJECTS = 16;
const TASKS = ['land', 'permit', 'power'] as const;
const DISPATCHED = /"msg":"dispatcher started"/;

describe.runIf(target === 'cluster')('scale-out on the cluster', () => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_scale`;
  const databaseUrl = url.toString();
  const address = inject('temporalAddress');
  const taskQueue = `scale-out-${randomUUID()}`;
  let projectType: string;
  let db: Db;
  let client: Client;

  beforeAll(async () => {
    for (const built of ['dist/worker/main.js', 'dist/api/main.js', 'dist/worker/dispatcher-main.js', 'dist/workflow-bundle.js']) {
      if (!existsSync(`${ROOT}${built}`)) throw new Error(`${built} is missing: run npm run build first (npm run test:cluster does).`);
    }
    await prepareDatabase(databaseUrl, createLogger('scale-out-test', 'silent'));
    db = createDb(databaseUrl);
    client = new Client({ connection: await Connection.connect(testEndpoint(address)), namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
    projectType = await addPlainTemplate(db, 'scale out', TASKS);
  });
  afterAll(async () => {
    await killLeftoverProcesses();
    await client?.connection.close();
    await db?.destroy();
    await dropDatabase(databaseUrl).catch(() => undefined);
  });

  test('2 workers, 2 APIs and 2 dispatchers: a burst with one worker killed loses nothing, doubles nothing, and sends each notification once', async () => {
    const coordinator = await createCoordinator(db);
    const { token: staffToken } = await createLandStaff(db);
    // Blockers reach the coordination department of the city: this coordinator, in the app.
    await db.insertInto('contacts').values({ city: '沈阳', department: null, audience: 'coordination', user_id: coordinator.id, webhook_id: null }).execute();

    const env = { TEMPORAL_ADDRESS: address, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info', NODE_ENV: 'production' };
    const compiled = { compiled: true };
    const workers: EntryProcess[] = [spawnEntry('worker/main.ts', env, compiled), spawnEntry('worker/main.ts', env, compiled)];
    const dispatchers = [0, 1].map(() => spawnEntry('worker/dispatcher-main.ts', { ...env, DISPATCH_POLL_MS: '200' }, compiled));
    const apis = await Promise.all([0, 1].map(() => spawnApi({ ...env, LOG_LEVEL: 'warn', IDEMPOTENCY_LEASE_MS: '3000' }, compiled)));
    let replacement: EntryProcess | undefined;
    try {
      await Promise.all([...workers.map((w) => w.waitForLine(WORKER_STARTED)), ...dispatchers.map((d) => d.waitForLine(DISPATCHED))]);
      const asCoordinator = apis.map((a) => httpClient(a.baseUrl, coordinator.token));
      const asStaff = apis.map((a) => httpClient(a.baseUrl, staffToken));
      const codes = Array.from({ length: PROJECTS }, () => newCode());

      // Every request of the burst, each to one API or the other, retried with its key until answered.
      interface Request {
        key: string;
        send(http: HttpClient[]): Promise<Answer>;
        ok: number;
      }
      const starts: Request[] = codes.map((code, i) => ({
        key: `start-${code}`,
        ok: 201,
        send: (http) =>
          http[i % 2]!('/api/projects', {
            body: { code, name: '扩展测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', projectType },
            headers: { 'Idempotency-Key': `start-${code}` },
          }),
      }));
      const completions: Request[] = codes.flatMap((code, i) =>
        TASKS.map((task, t) => ({
          key: `complete-${code}-${task}`,
          ok: 200,
          send: (http: HttpClient[]) => http[(i + t) % 2]!(`/api/projects/${code}/tasks/${task}/complete`, { body: { data: {} }, headers: { 'Idempotency-Key': `complete-${code}-${task}` } }),
        })),
      );
      const blockers: Request[] = codes.map((code, i) => ({
        key: `blocker-${code}`,
        ok: 201,
        send: (http) => http[(i + 1) % 2]!(`/api/projects/${code}/blockers`, { body: { category: 'approvals', description: '扩展测试' }, headers: { 'Idempotency-Key': `blocker-${code}` } }),
      }));

      const answers = new Map<string, Answer>();
      const statuses: number[] = [];
      const deadline = Date.now() + 120_000;
      const until = async (r: Request, http: HttpClient[]) => {
        while (!answers.has(r.key)) {
          expect(Date.now(), `${r.key} still unanswered`).toBeLessThan(deadline);
          const a = await r.send(http);
          statuses.push(a.status);
          if (a.status === r.ok) answers.set(r.key, a);
          // No answer, or Temporal not answering in time while a worker is gone: try again.
          else if (a.status === 0 || a.status === 503 || a.status === 409) await sleep(300);
          else throw new Error(`${r.key}: ${a.status} ${JSON.stringify(a.body)}`);
        }
      };

      await Promise.all(starts.map((r) => until(r, asCoordinator)));
      // The rest at once; one worker is killed once a few have been answered.
      let answeredAtKill = -1;
      const kill = (async () => {
        const before = answers.size;
        while (answers.size < before + 6) await sleep(2);
        const exited = workers[0]!.kill9();
        answeredAtKill = answers.size - before;
        await exited;
        // A worker comes back (as an orchestrator would restart it), so that two serve again.
        replacement = spawnEntry('worker/main.ts', env, compiled);
      })();
      await Promise.all([...completions.map((r) => until(r, asStaff)), ...blockers.map((r) => until(r, asCoordinator)), kill]);
      expect(answeredAtKill).toBeLessThan(completions.length + blockers.length);
      expect(statuses.filter((s) => ![0, 200, 201, 409, 503].includes(s))).toEqual([]);

      // Every project is there once, in Temporal and in PostgreSQL, with each task done once.
      expect(await db.selectFrom('projects').select('code').where('code', 'in', codes).execute()).toHaveLength(PROJECTS);
      for (const code of codes) {
        const state = await client.workflow.getHandle(code).query(getState);
        expect(state.tasks.filter((t) => t.status === 'done').map((t) => t.key).sort(), code).toEqual([...TASKS].sort());
        const done = await db.selectFrom('audit_log').select('data').where('project_code', '=', code).where('kind', '=', 'task.completed').execute();
        expect(done.map((d) => String(d.data.taskKey)).sort(), `${code}: task.completed records`).toEqual([...TASKS].sort());
        await assertBlockersOnce(client, db, code, new Map([[`${coordinator.id}:blocker-${code}`, String(answers.get(`blocker-${code}`)!.body.id)]]));
      }

      // Each blocker's notification is delivered once, whichever dispatcher claimed it.
      const outbox = await eventually(async () => {
        const rows = await db.selectFrom('outbox').select(['id', 'status']).where('project_code', 'in', codes).where('kind', '=', 'blocker').execute();
        return rows.length === PROJECTS && rows.every((r) => r.status === 'delivered') ? rows : undefined;
      }, 30_000);
      const delivered = await db.selectFrom('in_app_notifications').select('outbox_id').where('outbox_id', 'in', outbox.map((r) => r.id)).execute();
      expect(delivered.map((d) => d.outbox_id).sort()).toEqual(outbox.map((r) => r.id).sort());
      for (const p of [...workers.slice(1), ...dispatchers, ...apis.map((a) => a.process)]) expect(p.alive(), p.output()).toBe(true);
    } finally {
      await Promise.all([...workers, ...dispatchers, ...apis.map((a) => a.process), ...(replacement ? [replacement] : [])].map((p) => p.stop()));
    }
  }, 240_000);
});

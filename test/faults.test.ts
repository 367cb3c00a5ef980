import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createDb, type Db } from '../db/connection.js';
import { freePort } from '../scripts/dev-server.js';
import {
  assertBlockersOnce,
  createCoordinator,
  createProject,
  httpClient,
  killLeftoverProcesses,
  sleep,
  spawnApi,
  spawnEntry,
  startApi,
  startWorker,
  WORKER_STARTED,
  type Answer,
  type HttpClient,
} from './fault-stack.js';
import { bundle, newCode } from './stack.js';
import { TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';

/**
 * Issue 9, processes killed: the worker, then the API, each killed with SIGKILL in the middle of
 * concurrent updates and started again; the clients retry what got no answer with the same
 * Idempotency-Key. Nothing is lost and nothing is doubled.
 */
const address = inject('temporalAddress');
const databaseUrl = inject('databaseUrl');
let db: Db;
let client: Client;
let coordinator: { id: string; token: string };
let workflowBundle: WorkflowBundle;

beforeAll(async () => {
  db = createDb(databaseUrl);
  client = new Client({ connection: await Connection.connect(testEndpoint(address)), namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
  coordinator = await createCoordinator(db);
  workflowBundle = await bundle();
});
afterAll(async () => {
  await killLeftoverProcesses();
  await client?.connection.close();
  await db?.destroy();
});

interface Report {
  code: string;
  key: string;
  body: { category: 'land'; description: string };
}

const reportsFor = (codes: string[], perProject: number, tag: string): Report[] =>
  Array.from({ length: codes.length * perProject }, (_, i) => ({
    code: codes[i % codes.length]!,
    key: `${tag}-${i}`,
    body: { category: 'land', description: `用地瓶颈 ${tag} ${i}` },
  }));

const send = (http: HttpClient, r: Report) => http(`/api/projects/${r.code}/blockers`, { body: r.body, headers: { 'Idempotency-Key': r.key } });

/** The workflow request id of a report: the API derives it from the user and the key. */
const requestIdOf = (key: string) => `${coordinator.id}:${key}`;

/** Each project's expected blockers: request id → the blocker id its client was answered with. */
function expectedByProject(codes: string[], reports: Report[], answers: Map<string, Answer>): Map<string, Map<string, string>> {
  return new Map(codes.map((code) => [code, new Map(reports.filter((r) => r.code === code).map((r) => [requestIdOf(r.key), String(answers.get(r.key)!.body.id)]))]));
}

/** A valid update is accepted promptly: one more blocker per project, each within 5 s. */
async function acceptsUpdatesNow(http: HttpClient, codes: string[]): Promise<void> {
  for (const code of codes) {
    const after = await http(`/api/projects/${code}/blockers`, { body: { category: 'other', description: '故障之后' }, headers: { 'Idempotency-Key': `after-${randomUUID()}` } });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    expect(after.ms).toBeLessThan(5_000);
  }
}

test('the worker killed with SIGKILL during 30 concurrent updates: after a new worker and retries with the same keys, each blocker exists once', async () => {
  const taskQueue = `fault-worker-${randomUUID()}`;
  const api = await startApi({ client, db, taskQueue });
  const http = httpClient(api.baseUrl, coordinator.token);
  const workerEnv = { TEMPORAL_ADDRESS: address, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' };
  const first = spawnEntry('worker/main.ts', workerEnv);
  let second: ReturnType<typeof spawnEntry> | undefined;
  try {
    await first.waitForLine(WORKER_STARTED);
    const codes = [newCode(), newCode(), newCode('DL')];
    for (const code of codes) {
      const created = await createProject(http, code, code.includes('-DL-') ? { city: '大连' } : {});
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }

    const reports = reportsFor(codes, 10, `kill-worker-${randomUUID().slice(0, 8)}`);
    const answers = new Map<string, Answer>();
    const seen: number[] = [];
    let answeredAtKill = -1;
    const killed = (async () => {
      // Kill once a couple have been answered: the rest are queued or running in the worker (each
      // project takes its updates one at a time). What had been answered is counted as the signal
      // goes, before the process is seen to exit: another test file may be using the other core.
      while (answers.size < 2) await sleep(2);
      const exited = first.kill9();
      answeredAtKill = answers.size;
      await exited;
    })();
    const firstTries = reports.map(async (r) => {
      const a = await send(http, r);
      seen.push(a.status);
      if (a.status === 201) answers.set(r.key, a);
    });
    await killed;
    expect(answeredAtKill).toBeLessThan(reports.length);

    second = spawnEntry('worker/main.ts', workerEnv);
    await second.waitForLine(WORKER_STARTED);
    await Promise.all(firstTries);
    // Unanswered ones waited for the worker until the API's Temporal deadline: a 503, never a 500.
    expect(seen.filter((s) => s !== 201 && s !== 503)).toEqual([]);

    // Each client retries with its key until it has its answer.
    const deadline = Date.now() + 90_000;
    await Promise.all(
      reports.map(async (r) => {
        while (!answers.has(r.key)) {
          expect(Date.now(), `report ${r.key} still unanswered`).toBeLessThan(deadline);
          const a = await send(http, r);
          seen.push(a.status);
          if (a.status === 201) answers.set(r.key, a);
          else {
            expect(a.status, JSON.stringify(a.body)).toBe(503);
            await sleep(500);
          }
        }
      }),
    );

    for (const [code, expected] of expectedByProject(codes, reports, answers)) await assertBlockersOnce(client, db, code, expected);
    await acceptsUpdatesNow(http, codes);
    expect(second.alive()).toBe(true);
  } finally {
    await second?.stop();
    await first.kill9();
    await api.close();
  }
}, 150_000);

/** The API's Idempotency-Key lease: short, so that a dead API's keys are free again soon. */
const LEASE_MS = 3_000;

test('the API killed with SIGKILL mid-request: a new API answers each retried key with its one outcome', async () => {
  const taskQueue = `fault-api-${randomUUID()}`;
  let worker = await startWorker({ address, db, taskQueue, workflowBundle });
  const apiEnv = { PORT: String(await freePort()), TEMPORAL_ADDRESS: address, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, IDEMPOTENCY_LEASE_MS: String(LEASE_MS) };
  const first = await spawnApi(apiEnv);
  const http = httpClient(first.baseUrl, coordinator.token);
  let second: Awaited<ReturnType<typeof spawnApi>> | undefined;
  try {
    const codes = [newCode(), newCode()];
    for (const code of codes) expect((await createProject(http, code)).status).toBe(201);

    const tag = `kill-api-${randomUUID().slice(0, 8)}`;
    // Answered before the kill: their retries must get the same answer back.
    const answered = reportsFor(codes, 3, `${tag}-a`);
    const firstAnswers = new Map<string, Answer>();
    for (const r of answered) {
      const a = await send(http, r);
      expect(a.status, JSON.stringify(a.body)).toBe(201);
      firstAnswers.set(r.key, a);
    }

    // With no worker, updates wait in Temporal: these requests are in the API when it dies.
    await worker.stop();
    const inFlight = reportsFor(codes, 5, `${tag}-b`);
    const lost = inFlight.map((r) => send(http, r));
    const keys = inFlight.map((r) => r.key);
    const claimed = async () =>
      (await db.selectFrom('idempotency_keys').select('key').where('user_id', '=', coordinator.id).where('key', 'in', keys).where('status', 'is', null).execute()).length;
    while ((await claimed()) < keys.length) await sleep(20);
    // Give the updates time to reach Temporal, then kill the API.
    await sleep(500);
    await first.process.kill9();
    const killedAt = Date.now();
    const lostAnswers = await Promise.all(lost);
    expect(lostAnswers.map((a) => a.status)).toEqual(inFlight.map(() => 0));

    worker = await startWorker({ address, db, taskQueue, workflowBundle });
    // On the same port: the clients retry the same address.
    second = await spawnApi(apiEnv);

    const answers = new Map<string, Answer>();
    const all = [...answered, ...inFlight];
    const deadline = Date.now() + 30_000;
    await Promise.all(
      all.map(async (r) => {
        while (!answers.has(r.key)) {
          expect(Date.now(), `report ${r.key} still unanswered`).toBeLessThan(deadline);
          const a = await send(http, r);
          if (a.status === 201) answers.set(r.key, a);
          else {
            // "In progress" only while the dead API's lease has not lapsed (its keys were claimed before the kill).
            expect(a.status, JSON.stringify(a.body)).toBe(409);
            expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 500);
            const retryAfter = Number(a.headers.get('retry-after'));
            expect(retryAfter).toBeGreaterThanOrEqual(1);
            expect(retryAfter).toBeLessThanOrEqual(LEASE_MS / 1000);
            await sleep(retryAfter * 1000);
          }
        }
      }),
    );
    for (const r of answered) {
      const again = answers.get(r.key)!;
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(firstAnswers.get(r.key)!.body);
    }
    for (const [code, expected] of expectedByProject(codes, all, answers)) await assertBlockersOnce(client, db, code, expected);
    await acceptsUpdatesNow(http, codes);
  } finally {
    await second?.process.stop();
    await first.process.kill9();
    await worker.stop();
  }
}, 120_000);

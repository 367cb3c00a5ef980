/**
 * `completion`: one task completion through luodi's HTTP API, the same completion as a bare SDK
 * `executeUpdate`, the floor (an update that does nothing, on the same server) and the floor of
 * an update that awaits one local activity doing nothing, measured interleaved, round by round.
 * Figures: HTTP / bare, bare / floor, and the local-activity floor / floor (what one local
 * activity costs before it does anything).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { scaledCalendar } from '../activities/calendar.js';
import { createApp } from '../api/app.js';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { addTemplateVersion } from '../db/templates.js';
import { createApiToken, createUser } from '../db/users.js';
import { freePort, startDevServer } from '../scripts/dev-server.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { createWorker } from '../worker/createWorker.js';
import { completeTask } from '../workflows/messages.js';
import { floorActivities, touch, touchLocal } from './floor-workflow.js';
import { median, progress, report, timed, type Figure } from './harness.js';

const TASKS_PER_PROJECT = 40;
const DAY_MS = 86_400_000;

export async function completion({ quick }: { quick: boolean }): Promise<Figure[]> {
  const rounds = quick ? 5 : 7;
  const perRound = quick ? 20 : 60;
  const config = loadConfigOrExit();
  const log = createLogger('bench', 'warn');
  const server = await startDevServer({ cliPath: await ensureTemporalCli(process.env, log), port: await freePort(), namespace: 'default', uiPort: null, dbFile: null });
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/luodi_bench_${Date.now()}`;
  const databaseUrl = url.toString();
  await prepareDatabase(databaseUrl, log);
  const db = createDb(databaseUrl);
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const taskQueue = `bench-${randomUUID()}`;
  const floorQueue = `bench-floor-${randomUUID()}`;
  const worker = await createWorker({ connection: workerConnection, namespace: 'default', taskQueue, db, calendar: scaledCalendar(DAY_MS) });
  const floorWorker = await Worker.create({ connection: workerConnection, namespace: 'default', taskQueue: floorQueue, workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)), activities: floorActivities });
  const running = [worker.run(), floorWorker.run()];
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const app = createApp({ client, db, log: createLogger('api', 'silent'), taskQueue, temporalUiUrl: 'http://127.0.0.1/temporal' });
  const http = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    const { coordinator, staff, staffId } = await setUp(db);
    const post = async (path: string, token: string, body: unknown) => {
      const res = await fetch(baseUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<unknown>;
    };
    /** Open tasks to complete, each used once: ${code}/${key}. */
    const slots = async (n: number) => {
      const out: { code: string; key: string }[] = [];
      for (let p = 0; p < Math.ceil(n / TASKS_PER_PROJECT); p++) {
        const code = `LN-BENCH-${randomUUID().slice(0, 8).toUpperCase()}`;
        await post('/api/projects', coordinator, { code, name: '基准测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', projectType: 'bench_completion' });
        for (let t = 0; t < TASKS_PER_PROJECT; t++) out.push({ code, key: `t${t}` });
      }
      return out.slice(0, n);
    };
    const warmUp = 10;
    progress(`completion: starting projects for ${rounds} rounds of ${perRound} completions each way`);
    const httpSlots = await slots(rounds * perRound + warmUp);
    const bareSlots = await slots(rounds * perRound + warmUp);
    const floor = await client.workflow.start('benchFloor', { workflowId: `bench-floor-${randomUUID()}`, taskQueue: floorQueue, args: [] });
    const actor = { id: staffId, department: 'natural_resources' as const, city: '沈阳' as const };
    const ways = {
      floor: (n: number) => floor.executeUpdate(touch, { args: [n] }),
      localFloor: (n: number) => floor.executeUpdate(touchLocal, { args: [n] }),
      bare: (n: number) => {
        const s = bareSlots[n]!;
        const requestId = randomUUID();
        return client.workflow.getHandle(s.code).executeUpdate(completeTask, { args: [{ requestId, taskKey: s.key, actor, data: {} }], updateId: requestId });
      },
      http: (n: number) => {
        const s = httpSlots[n]!;
        return post(`/api/projects/${s.code}/tasks/${s.key}/complete`, staff, { data: {} });
      },
    };
    for (let n = 0; n < warmUp; n++) for (const way of Object.values(ways)) await way(n);
    const p50s = { floor: [] as number[], localFloor: [] as number[], bare: [] as number[], http: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const [name, way] of Object.entries(ways) as [keyof typeof ways, (n: number) => Promise<unknown>][]) {
        const latencies: number[] = [];
        for (let i = 0; i < perRound; i++) latencies.push(await timed(() => way(warmUp + round * perRound + i)));
        p50s[name].push(median(latencies));
      }
      progress(`completion: round ${round + 1}/${rounds}: p50 floor ${p50s.floor.at(-1)!.toFixed(1)} ms, local-activity floor ${p50s.localFloor.at(-1)!.toFixed(1)} ms, bare ${p50s.bare.at(-1)!.toFixed(1)} ms, HTTP ${p50s.http.at(-1)!.toFixed(1)} ms`);
    }
    await floor.executeUpdate(touch, { args: [-1] });
    const params = { rounds, perRound, statistic: 'median of per-round p50' };
    return [
      report('completion', { name: 'completion.http_vs_bare', value: median(p50s.http), unit: 'ms', baseline: median(p50s.bare), params: { ...params, target: '≤ 1.15' } }),
      report('completion', { name: 'completion.bare_vs_floor', value: median(p50s.bare), unit: 'ms', baseline: median(p50s.floor), params: { ...params, target: '≤ 2' } }),
      report('completion', { name: 'completion.local_activity_floor_vs_floor', value: median(p50s.localFloor), unit: 'ms', baseline: median(p50s.floor), params }),
    ];
  } finally {
    await new Promise((resolve) => http.close(resolve));
    worker.shutdown();
    floorWorker.shutdown();
    await Promise.all(running);
    await Promise.all([workerConnection.close(), connection.close(), db.destroy()]);
    await server.stop();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** A template of independent tasks (each completion opens nothing), a coordinator and a staff member with API tokens. */
async function setUp(db: Db) {
  await addTemplateVersion(
    db,
    {
      projectType: 'bench_completion',
      name: { zh: '基准', en: 'Benchmark' },
      escalationWorkingDays: [0, 3, 7, 15],
      idleWorkingDays: 30,
      tasks: Array.from({ length: TASKS_PER_PROJECT }, (_, t) => ({ key: `t${t}`, department: 'natural_resources' as const, title: { zh: `任务${t}`, en: `Task ${t}` }, dependsOn: [], dueWorkingDays: 10, fields: [] })),
    },
    'bench',
  );
  const suffix = randomUUID().slice(0, 8);
  await createUser(db, { id: `coordinator.${suffix}`, name: 'coordinator', role: 'coordinator', city: null, department: null });
  await createUser(db, { id: `staff.${suffix}`, name: 'staff', role: 'staff', city: '沈阳', department: 'natural_resources' });
  return { coordinator: await createApiToken(db, `coordinator.${suffix}`, 'bench'), staff: await createApiToken(db, `staff.${suffix}`, 'bench'), staffId: `staff.${suffix}` };
}

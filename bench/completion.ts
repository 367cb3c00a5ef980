/**
 * `completion`: one task completion through luodi's HTTP API, the same completion as a bare SDK
 * `executeUpdate`, the floor (an update that does nothing, on the same server) and the floor of
 * an update that awaits one local activity doing nothing, measured interleaved, round by round.
 * Figures: HTTP / bare, bare / floor, and the local-activity floor / floor (what one local
 * activity costs before it does anything).
 *
 * In production's process shape (as `npm start` runs luodi): a dev server and a database of the
 * bench's own; luodi's worker (the real worker/main.ts, on the official calendar, so nothing the
 * template opens can fall due or escalate during the run), the floor's worker (bench/floor-worker.ts)
 * and the API (the real api/main.ts on a free loopback port) each a child process of its own, on
 * the bench's task queues; this process only generates load: HTTP requests to the API, the SDK
 * client for bare and the floors. The children log at warn, on this process's stderr. HTTP requests
 * go out on one kept-alive socket (node:http), as bench/api's load generator sends them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { addTemplateVersion } from '../db/templates.js';
import { createApiToken, createUser } from '../db/users.js';
import { freePort, startDevServer, stopProcess } from '../scripts/dev-server.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { completeTask } from '../workflows/messages.js';
import { touch, touchLocal } from './floor-workflow.js';
import { median, progress, report, timed, type Figure } from './harness.js';
import { BENCH_DATA_CONVERTER, BENCH_KEY_LINE } from './keys.js';

const TASKS_PER_PROJECT = 40;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** How long a child may take to start: workers bundle their workflows first, slow on two busy cores. */
const READY_MS = 180_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function completion({ quick }: { quick: boolean }): Promise<Figure[]> {
  const rounds = quick ? 5 : 7;
  const perRound = quick ? 20 : 60;
  const config = loadConfigOrExit();
  const log = createLogger('bench', 'warn');
  const server = await startDevServer({ cliPath: await ensureTemporalCli(process.env, log), port: await freePort(), namespace: 'default', uiPort: null, dbFile: null });
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/luodi_bench_${Date.now()}`;
  const databaseUrl = url.toString();
  const children = new Children();
  let db: Db | undefined;
  let connection: Connection | undefined;
  try {
    await prepareDatabase(databaseUrl, log);
    db = createDb(databaseUrl);
    const { coordinator, staff, staffId } = await setUp(db);
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: 'default', dataConverter: BENCH_DATA_CONVERTER });
    const taskQueue = `bench-${randomUUID()}`;
    const floorQueue = `bench-floor-${randomUUID()}`;
    // As production's processes read them; whatever the caller's environment says of the rest
    // (a scaled working day, metrics ports) is unset, so the worker runs on the official calendar.
    const env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ENCRYPTION_KEYS: BENCH_KEY_LINE, WORKING_DAY_SECONDS: '', WORKER_METRICS_PORT: '', API_METRICS_PORT: '' };
    const apiPort = await freePort();
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    const worker = children.spawn('worker', 'worker/main.ts', { ...env, TEMPORAL_TASK_QUEUE: taskQueue });
    const floorWorker = children.spawn('floor-worker', 'bench/floor-worker.ts', { ...env, TEMPORAL_TASK_QUEUE: floorQueue });
    const api = children.spawn('api', 'api/main.ts', { ...env, TEMPORAL_TASK_QUEUE: taskQueue, PORT: String(apiPort) });
    const measuring = (async () => {
      const startedAt = performance.now();
      await Promise.all([polling(client, taskQueue, worker), polling(client, floorQueue, floorWorker), healthy(baseUrl, api)]);
      progress(`completion: the worker, the floor's worker and the API are up after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
      // One kept-alive socket, as bench/api's load generator sends its requests: what is measured
      // is luodi's side of a request, not the costs of Node's fetch in the bench process.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const post = (path: string, token: string, body: unknown) =>
        new Promise<unknown>((resolve, reject) => {
          const data = JSON.stringify(body);
          const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
          request(baseUrl + path, { method: 'POST', agent, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode! >= 300) reject(new Error(`${path}: ${res.statusCode} ${text}`));
              else resolve(JSON.parse(text));
            });
          })
            .on('error', reject)
            .end(data);
        });
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
      agent.destroy();
      const params = { rounds, perRound, statistic: 'median of per-round p50' };
      return [
        report('completion', { name: 'completion.http_vs_bare', value: median(p50s.http), unit: 'ms', baseline: median(p50s.bare), params: { ...params, target: '≤ 1.15' } }),
        report('completion', { name: 'completion.bare_vs_floor', value: median(p50s.bare), unit: 'ms', baseline: median(p50s.floor), params: { ...params, target: '≤ 2' } }),
        report('completion', { name: 'completion.local_activity_floor_vs_floor', value: median(p50s.localFloor), unit: 'ms', baseline: median(p50s.floor), params }),
      ];
    })();
    measuring.catch(() => undefined); // if a child dies first, the race below reports that instead
    return await Promise.race([measuring, children.died]);
  } finally {
    await children.stop();
    await Promise.all([connection?.close(), db?.destroy()]);
    await server.stop();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

/** A child process of the bench: an entry point run as `npm run worker|api` runs it. */
interface Child {
  name: string;
  process: ChildProcess;
  /** The last 60 lines of its output (stdout and stderr), for the message if it dies. */
  output(): string;
}

/**
 * The bench's children. Their output goes to this process's stderr, each line marked with the
 * child's name; `died` rejects, with the child's last output, if one exits before `stop()`.
 */
class Children {
  private readonly all: Child[] = [];
  private stopping = false;
  private fail: (err: Error) => void = () => undefined;
  readonly died = new Promise<never>((_, reject) => (this.fail = reject));
  private readonly killAll = () => this.all.forEach((c) => c.process.kill('SIGKILL'));

  constructor() {
    this.died.catch(() => undefined);
    process.once('exit', this.killAll);
  }

  spawn(name: string, entry: string, env: Record<string, string>): Child {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let partial = '';
    const onData = (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        process.stderr.write(`[${name}] ${line}\n`);
        lines.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
        if (lines.length > 60) lines.shift();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const c: Child = { name, process: child, output: () => [...lines, partial].filter(Boolean).join('\n') };
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.fail(new Error(`${name} (${entry}) exited (${code ?? signal}) during the benchmark:\n${c.output()}`));
    });
    this.all.push(c);
    return c;
  }

  /** SIGTERM to each (their own clean stop), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.all.map((c) => stopProcess(c.process, 5_000)));
    process.removeListener('exit', this.killAll);
  }
}

/** Waits until a worker polls its task queue for workflow and activity tasks. */
async function polling(client: Client, taskQueue: string, child: Child): Promise<void> {
  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = proto.temporal.api.enums.v1.TaskQueueType;
  const deadline = Date.now() + READY_MS;
  for (const taskQueueType of [TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY]) {
    for (;;) {
      const { pollers } = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType });
      if (pollers?.length) break;
      if (Date.now() > deadline) throw new Error(`${child.name} did not poll ${taskQueue} within ${READY_MS / 1000} s:\n${child.output()}`);
      await sleep(200);
    }
  }
}

/** Waits until the API answers /healthz. */
async function healthy(baseUrl: string, child: Child): Promise<void> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer ${baseUrl}/healthz within ${READY_MS / 1000} s:\n${child.output()}`);
    await sleep(200);
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

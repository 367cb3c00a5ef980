/**
 * `api`: the two lists people open most, `GET /api/projects` (a province-wide coordinator's first
 * page) and `GET /api/inbox` (a city's staff member's open tasks), at a concurrency of 16, through
 * luodi's real Express app (every middleware, a bearer API token), against a bare `node:http`
 * handler that runs the same SQL (the same rows, the same page, serialized to JSON) on the same
 * database with a pool of the same size. The requests come from a worker thread, so that making
 * them does not take the servers' event loop. The two sides are interleaved, round by round (each
 * round: four slices of a fixed number of requests per side, alternating); each figure is
 * the median over the rounds of each round's throughput or p50 latency. The data is the
 * deterministic province of bench/seed-statistics.ts, which the statistics benchmark shares.
 * These routes read only PostgreSQL: the Temporal client is lazy and never connects.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../api/app.js';
import { createApiMetrics } from '../api/metrics.js';
import { loadConfigOrExit } from '../config/index.js';
import { newKeyLine, parseKeyRing } from '../config/key-ring.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { prepareDatabase } from '../db/migrator.js';
import { createApiToken, createUser, userExists, type User } from '../db/users.js';
import { median, progress, report, type Figure } from './harness.js';
import { seedProvince, type SeedSize } from './seed-statistics.js';

/** The statistics benchmark's sizes, so that both use the same seeded database. */
const FULL: SeedSize = { projects: 100_000, ledgerRows: 1_000_000, tasks: 200_000 };
const QUICK: SeedSize = { projects: 10_000, ledgerRows: 100_000, tasks: 20_000 };
const CONCURRENCY = 16;
/** db/connection.ts's pool size, for the bare handler's pool too. */
const POOL_SIZE = 10;
const PAGE = 50;
/** Each round: this many slices per side, alternating. */
const SLICES = 4;
const STAFF: User = { id: 'bench.api.staff', name: '基准 科员', role: 'staff', city: '沈阳', department: 'commerce' };
const COORDINATOR: User = { id: 'bench.api.coordinator', name: '基准 协调员', role: 'coordinator', city: null, department: null };

/** What the bare handler runs: the SQL that db/projects.ts runs for these two lists, with no filter but the user's scope. */
const BARE_SQL = {
  projects: {
    items: 'select * from "projects" order by "started_at" desc, "code" limit $1 offset $2',
    total: 'select count(*) as "n" from "projects"',
    params: () => [] as unknown[],
  },
  inbox: {
    items: `select tasks.project_code, tasks.task_key, tasks.department, tasks.city, tasks.title_zh, tasks.title_en, tasks.opened_at, tasks.due_at, tasks.rung,
        projects.name, projects.stage, projects.liaison
      from tasks join projects on projects.code = tasks.project_code
      where tasks.department = $1 and tasks.status = 'open' and projects.stage not in ('withdrawn', 'merged', 'operating') and tasks.city = $2
      order by tasks.rung desc, tasks.due_at asc nulls last, tasks.project_code
      limit $3 offset $4`,
    total: `select count(*) as n from tasks join projects on projects.code = tasks.project_code
      where tasks.department = $1 and tasks.status = 'open' and projects.stage not in ('withdrawn', 'merged', 'operating') and tasks.city = $2`,
    params: () => [STAFF.department, STAFF.city] as unknown[],
  },
};
type List = keyof typeof BARE_SQL;

/** The load generator, in a worker thread: `count` GETs of `url`, `concurrency` at a time, on kept-alive sockets. */
const LOAD_GENERATOR = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
parentPort.on('message', async ({ url, headers, count, concurrency }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const one = () => new Promise((resolve, reject) => {
    const started = performance.now();
    http.get(url, { agent, headers }, (res) => {
      let body = '';
      if (res.statusCode === 200) res.resume();
      else res.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      res.on('end', () => res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(url + ': ' + res.statusCode + ' ' + body)));
    }).on('error', reject);
  });
  const latencies = [];
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) { next++; latencies.push(await one()); }
    }));
    parentPort.postMessage({ ms: performance.now() - started, latencies });
  } catch (err) {
    parentPort.postMessage({ error: err.message });
  } finally {
    agent.destroy();
  }
});`;

interface Load {
  ms: number;
  latencies: number[];
}

function loadGenerator() {
  const worker = new Worker(LOAD_GENERATOR, { eval: true });
  return {
    run: (url: string, headers: Record<string, string>, count: number) =>
      new Promise<Load>((resolve, reject) => {
        worker.once('message', (m: Load & { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m)));
        worker.postMessage({ url, headers, count, concurrency: CONCURRENCY });
      }),
    stop: () => worker.terminate(),
  };
}

/** The floor: the same statements on a pool of the same size, the rows serialized as they come. */
function bareHandler(pool: pg.Pool) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const list = req.url === '/projects' ? 'projects' : req.url === '/inbox' ? 'inbox' : null;
    if (!list) return res.writeHead(404).end();
    const { items, total, params } = BARE_SQL[list];
    const [rows, count] = await Promise.all([pool.query(items, [...params(), PAGE, 0]), pool.query<{ n: string }>(total, params())]);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ items: rows.rows, total: Number(count.rows[0]!.n), limit: PAGE, offset: 0 }));
  };
}

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

export async function apiBench({ quick }: { quick: boolean }): Promise<Figure[]> {
  const size = quick ? QUICK : FULL;
  const rounds = quick ? 5 : 7;
  const perSlice = quick ? 50 : 200;
  const warmUp = quick ? 100 : 400;
  const config = loadConfigOrExit();
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/luodi_bench_statistics_${size.projects}`;
  const databaseUrl = url.toString();
  await prepareDatabase(databaseUrl, createLogger('bench', 'warn'));
  const db = createDb(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  // Lazy, as api/main.ts builds it: these routes never call Temporal, so it never connects.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default' });
  // Request logs as createLogger writes them (level info, synchronous writes), to where they are not seen.
  const log = pino({ name: 'api', level: 'info', base: { component: 'api' } }, pino.destination({ dest: '/dev/null', sync: true }));
  const app = createApp({ client, db, keyRing: parseKeyRing(newKeyLine('bench'), 'bench'), log, metrics: createApiMetrics(), taskQueue: 'bench-api', temporalUiUrl: 'http://127.0.0.1:8233' });
  const luodiServer = createServer(app);
  const bare = bareHandler(pool);
  const bareServer = createServer((req, res) => void bare(req, res).catch((err: Error) => res.writeHead(500).end(err.message)));
  const load = loadGenerator();
  const figures: Figure[] = [];
  try {
    await seedProvince(db, size);
    const tokens = await setUp(db);
    const [luodiUrl, bareUrl] = await Promise.all([listen(luodiServer), listen(bareServer)]);
    for (const list of ['projects', 'inbox'] as const) {
      const sides = {
        luodi: { url: `${luodiUrl}/api/${list}`, headers: { authorization: `Bearer ${list === 'inbox' ? tokens.staff : tokens.coordinator}` } },
        bare: { url: `${bareUrl}/${list}`, headers: {} },
      };
      await sameAnswer(list, sides.luodi, sides.bare);
      for (const side of Object.values(sides)) await load.run(side.url, side.headers, warmUp);
      const throughput = { luodi: [] as number[], bare: [] as number[] };
      const p50 = { luodi: [] as number[], bare: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        // Short slices, the side going first alternating (ABBA...), so that what else the machine runs weighs on both alike.
        const ms = { luodi: 0, bare: 0 };
        const latencies = { luodi: [] as number[], bare: [] as number[] };
        for (let slice = 0; slice < SLICES; slice++) {
          for (const name of slice % 2 ? (['bare', 'luodi'] as const) : (['luodi', 'bare'] as const)) {
            const run = await load.run(sides[name].url, sides[name].headers, perSlice);
            ms[name] += run.ms;
            latencies[name].push(...run.latencies);
          }
        }
        for (const name of ['luodi', 'bare'] as const) {
          throughput[name].push((SLICES * perSlice * 1000) / ms[name]);
          p50[name].push(median(latencies[name]));
        }
        progress(
          `api ${list}: round ${round + 1}/${rounds}: luodi ${throughput.luodi.at(-1)!.toFixed(0)} req/s (p50 ${p50.luodi.at(-1)!.toFixed(1)} ms), ` +
            `bare ${throughput.bare.at(-1)!.toFixed(0)} req/s (p50 ${p50.bare.at(-1)!.toFixed(1)} ms)`,
        );
      }
      const params = { projects: size.projects, tasks: size.tasks, concurrency: CONCURRENCY, pool: POOL_SIZE, page: PAGE, rounds, perRound: SLICES * perSlice, statistic: 'median of rounds' };
      figures.push(
        report('api', { name: `api.${list}.throughput`, value: median(throughput.luodi), unit: 'req/s', baseline: median(throughput.bare), params: { ...params, target: '≥ 0.7' } }),
        report('api', { name: `api.${list}.p50`, value: median(p50.luodi), unit: 'ms', baseline: median(p50.bare), params }),
      );
    }
  } finally {
    await load.stop();
    await Promise.all([close(luodiServer), close(bareServer)]);
    await Promise.all([connection.close(), db.destroy(), pool.end()]);
  }
  return figures;
}

const close = (server: Server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined)));

/** Both sides answer with the same rows, in the same order, and the same total. */
async function sameAnswer(list: List, luodi: { url: string; headers: Record<string, string> }, bare: { url: string; headers: Record<string, string> }) {
  const get = async (side: { url: string; headers: Record<string, string> }) => {
    const res = await fetch(side.url, { headers: side.headers });
    if (res.status !== 200) throw new Error(`${side.url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { items: Record<string, unknown>[]; total: number };
  };
  const [ours, theirs] = await Promise.all([get(luodi), get(bare)]);
  const keys = (items: Record<string, unknown>[], code: string, key?: string) => items.map((i) => (key ? `${String(i[code])}/${String(i[key])}` : String(i[code])));
  const a = list === 'projects' ? keys(ours.items, 'code') : keys(ours.items, 'projectCode', 'taskKey');
  const b = list === 'projects' ? keys(theirs.items, 'code') : keys(theirs.items, 'project_code', 'task_key');
  if (a.length !== PAGE || ours.total !== theirs.total || a.join() !== b.join()) {
    throw new Error(`luodi and the bare handler disagree on ${list}: ${JSON.stringify({ luodi: { total: ours.total, rows: a }, bare: { total: theirs.total, rows: b } })}`);
  }
}

/** A province-wide coordinator and a city's staff member, each with a fresh API token (earlier runs' tokens are removed). */
async function setUp(db: Db): Promise<{ coordinator: string; staff: string }> {
  for (const user of [COORDINATOR, STAFF]) if (!(await userExists(db, user.id))) await createUser(db, user);
  await db.deleteFrom('api_tokens').where('user_id', 'in', [COORDINATOR.id, STAFF.id]).execute();
  return { coordinator: await createApiToken(db, COORDINATOR.id, 'bench'), staff: await createApiToken(db, STAFF.id, 'bench') };
}

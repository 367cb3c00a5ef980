/**
 * `import`: a summit's signing batch imported (`importSummitBatch`, as POST /api/imports runs it:
 * every row checked, every code looked up, each project started ready) against a bare loop of
 * `workflow.start` at concurrency 8 with the same inputs, on the same server and worker, the two
 * interleaved round by round on fresh codes. Figures: the rate at which projects start, and the
 * rate end to end, until every project's projection row and its first tasks' rows exist.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { sql } from 'kysely';
import { scaledCalendar } from '../activities/calendar.js';
import { importSummitBatch, inParallel } from '../api/summit-import/run.js';
import { checkRows } from '../api/summit-import/rows.js';
import { readSheet } from '../api/summit-import/sheet.js';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { templateProjectTypes } from '../db/templates.js';
import type { User } from '../db/users.js';
import { freePort, startDevServer } from '../scripts/dev-server.js';
import { ensureTemporalCli } from '../scripts/temporal-cli.js';
import { createWorker } from '../worker/createWorker.js';
import { PROJECT_WORKFLOW } from '../workflows/messages.js';
import { CITIES } from '../workflows/reference.js';
import { ProjectCityAttr, ProjectStageAttr } from '../workflows/search-attributes.js';
import type { ProjectInput } from '../workflows/state.js';
import { median, progress, report, type Figure } from './harness.js';
import { BENCH_DATA_CONVERTER } from './keys.js';

const DAY_MS = 86_400_000;
const BARE_CONCURRENCY = 8;
/** A signed project of the default template opens these tasks at once (registration and land). */
const FIRST_TASKS = 2;

const HEADER = ['项目编号', '项目名称', '投资方', '城市', '资本类型', '省外项目', '签约额（万元）', '币种', '签约活动', '签约日期'];

/** A summit's batch: `n` signed projects across the province, as a CSV file with Chinese headers. */
function summitSheet(n: number, batch: string): { csv: Buffer; codes: string[] } {
  const codes = Array.from({ length: n }, (_, i) => `LN-IMP-${batch}-${String(i).padStart(4, '0')}`);
  const lines = codes.map((code, i) => [code, `招商项目${i}号`, `投资方${i % 97}`, CITIES[i % CITIES.length]!, i % 5 ? '内资' : '外资', i % 7 ? '否' : '是', String(1000 + i), '', '2018 夏季招商大会', '2018-06-01'].join(','));
  return { csv: Buffer.from(`\uFEFF${[HEADER.join(','), ...lines].join('\n')}\n`), codes };
}

/** Every project's projection row, and its first tasks' rows, exist. */
async function projected(db: Db, codes: readonly string[]): Promise<boolean> {
  const { rows } = await sql<{ projects: string; tasks: string }>`
    select (select count(*) from projects where code = any(${codes})) as projects,
           (select count(*) from tasks where project_code = any(${codes}) and status = 'open') as tasks`.execute(db);
  return Number(rows[0]!.projects) === codes.length && Number(rows[0]!.tasks) === codes.length * FIRST_TASKS;
}

async function untilProjected(db: Db, codes: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await projected(db, codes))) {
    if (Date.now() > deadline) throw new Error(`the projection of ${codes.length} projects was not complete after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Timing {
  /** Seconds until every project had started. */
  started: number;
  /** Seconds until every projection row existed. */
  projected: number;
}

export async function importBench({ quick }: { quick: boolean }): Promise<Figure[]> {
  const rounds = 5;
  const rows = quick ? 100 : 1000;
  const config = loadConfigOrExit();
  const log = createLogger('bench', 'warn');
  const server = await startDevServer({ cliPath: await ensureTemporalCli(process.env, log), port: await freePort(), namespace: 'default', uiPort: null, dbFile: null });
  const url = new URL(config.DATABASE_URL);
  url.pathname = `/luodi_bench_import_${Date.now()}`;
  const databaseUrl = url.toString();
  await prepareDatabase(databaseUrl, log);
  const db = createDb(databaseUrl);
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const taskQueue = `bench-import-${randomUUID()}`;
  const worker = await createWorker({ connection: workerConnection, namespace: 'default', taskQueue, db, calendar: scaledCalendar(DAY_MS), maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS, dataConverter: BENCH_DATA_CONVERTER });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default', dataConverter: BENCH_DATA_CONVERTER });
  const coordinator: User = { id: 'coordinator.bench', name: '基准协调员', role: 'coordinator', city: null, department: null };
  const types = new Set(await templateProjectTypes(db));
  let batch = 0;
  const sheet = () => summitSheet(rows, `${Date.now().toString(36).toUpperCase()}${batch++}`);

  const ways: Record<'import' | 'bare', () => Promise<Timing>> = {
    import: async () => {
      const { csv, codes } = sheet();
      const t0 = performance.now();
      const result = await importSummitBatch({ client, db, taskQueue }, coordinator, csv, 'csv');
      const started = performance.now();
      if (result.started.length !== rows) throw new Error(`the import started ${result.started.length} of ${rows} projects: ${JSON.stringify(result).slice(0, 500)}`);
      await untilProjected(db, codes, 120_000);
      return { started: (started - t0) / 1000, projected: (performance.now() - t0) / 1000 };
    },
    bare: async () => {
      const { csv, codes } = sheet();
      // The same inputs the import starts, read and checked before the clock starts.
      const { projects, problems } = checkRows(await readSheet(csv, 'csv'), coordinator, types);
      if (problems.length) throw new Error(`the benchmark's sheet has problems: ${JSON.stringify(problems.slice(0, 3))}`);
      const inputs: ProjectInput[] = projects.map((p) => p.input);
      const t0 = performance.now();
      await inParallel(
        inputs,
        (input) =>
          client.workflow.start(PROJECT_WORKFLOW, {
          workflowId: input.code,
          taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: ProjectStageAttr, value: input.stage },
            { key: ProjectCityAttr, value: input.city },
          ],
        }),
        BARE_CONCURRENCY,
      );
      const started = performance.now();
      await untilProjected(db, codes, 120_000);
      return { started: (started - t0) / 1000, projected: (performance.now() - t0) / 1000 };
    },
  };

  try {
    progress(`import: warming up`);
    await ways.import();
    await ways.bare();
    const rates = { import: { started: [] as number[], projected: [] as number[] }, bare: { started: [] as number[], projected: [] as number[] } };
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so that neither always inherits the other's leftovers.
      for (const name of round % 2 ? (['bare', 'import'] as const) : (['import', 'bare'] as const)) {
        const t = await ways[name]();
        rates[name].started.push(rows / t.started);
        rates[name].projected.push(rows / t.projected);
      }
      progress(
        `import: round ${round + 1}/${rounds}: import starts ${rates.import.started.at(-1)!.toFixed(1)}/s (end to end ${rates.import.projected.at(-1)!.toFixed(1)}/s), bare loop ${rates.bare.started.at(-1)!.toFixed(1)}/s (end to end ${rates.bare.projected.at(-1)!.toFixed(1)}/s)`,
      );
    }
    const params = { rows, rounds, bareConcurrency: BARE_CONCURRENCY, statistic: 'median of rounds' };
    return [
      report('import', { name: 'import.start_rate', value: median(rates.import.started), unit: 'projects/s', baseline: median(rates.bare.started), params: { ...params, target: '≥ 0.9' } }),
      report('import', { name: 'import.end_to_end', value: median(rates.import.projected), unit: 'projects/s', baseline: median(rates.bare.projected), params: { ...params, target: '≥ 20 projects/s' } }),
    ];
  } finally {
    worker.shutdown();
    await running;
    await Promise.all([workerConnection.close(), connection.close(), db.destroy()]);
    await server.stop();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

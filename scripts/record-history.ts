import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { scaledCalendar } from '../activities/calendar.js';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { sql } from 'kysely';
import { startProject as startReadyProject } from '../api/start-project.js';
import { createDb, type Db } from '../db/connection.js';
import { prepareDatabase } from '../db/migrator.js';
import { createWorker } from '../worker/createWorker.js';
import { advanceStage, completeTask, getState, increaseCapital, markMerged, reassignLiaison, recordFunds, reportBlocker, reproject, reverseFunds, verifyFunds, voidFunds, resolveBlocker, withdraw, type Actor, REPORT_WORKFLOW, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { type ProjectInput } from '../workflows/state.js';
import { freePort, startDevServer } from './dev-server.js';
import { ensureTemporalCli } from './temporal-cli.js';

/**
 * `npm run history:record -- <scenario>`: runs a scenario on a dev server of its own against
 * DATABASE_URL, and writes the history of each of the workflow's runs to test/histories/ for
 * the replay test. Record a scenario once, when it is added;
 * never re-record one to make a failing replay pass.
 */
const WORKING_DAY_MS = 100;
const coordinator: Actor = { id: 'coordinator.zhang', department: null, city: '沈阳' };
const staff = (id: string, department: NonNullable<Actor['department']>): Actor => ({ id, department, city: '沈阳' });

interface ScenarioContext {
  client: Client;
  db: Db;
  taskQueue: string;
  /** The project's input, as startProject starts it. */
  input(stage: ProjectInput['stage']): ProjectInput;
  /** Starts the scenario's project in the given stage. */
  startProject(stage: ProjectInput['stage']): Promise<WorkflowHandleWithFirstExecutionRunId<ProjectLandingWorkflow>>;
}
type Scenario = (ctx: ScenarioContext) => Promise<string[]>;

/** Starts a signed project ready (update-with-start), as POST /api/projects does. */
async function startReady(client: Client, taskQueue: string, input: ProjectInput) {
  const { firstExecutionRunId } = await startReadyProject(client, taskQueue, input);
  return { code: input.code, firstExecutionRunId, h: client.workflow.getHandle(input.code) };
}

/** Waits until the registration task has climbed to `rung` (one working day = WORKING_DAY_MS). */
async function untilRung(h: WorkflowHandle, rung: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (((await h.query(getState)).tasks.find((t) => t.key === 'registration')?.rung ?? 0) < rung) {
    if (Date.now() > deadline) throw new Error(`registration did not reach rung ${rung}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A blocker reported and resolved, then the liaison reassigned. */
async function blockerThenLiaison(h: WorkflowHandle): Promise<void> {
  await h.executeUpdate(reportBlocker, { args: [{ requestId: 'b1', category: 'land', description: '土地指标不足', actor: coordinator }] });
  await h.executeUpdate(resolveBlocker, { args: [{ requestId: 'b2', blockerId: 'B1', resolution: '已调剂指标', actor: coordinator }] });
  await h.executeUpdate(reassignLiaison, { args: [{ requestId: 'l1', liaison: 'liaison.li', reason: '工作调整', actor: coordinator }] });
}

/** The coordinator records a tranche received (CNY). */
function recordTranche(h: WorkflowHandle, requestId: string, amountMinor: string, receivedOn = '2018-07-10', evidence = 'ZZ-01') {
  return h.executeUpdate(recordFunds, { args: [{ requestId, amountMinor, currency: 'CNY', receivedOn, evidence, actor: coordinator }] });
}

/** The coordinator withdraws the project, which ends its workflow. */
async function withdrawToEnd(h: WorkflowHandle, requestId = 'w', reason = 'recorded'): Promise<void> {
  await h.executeUpdate(withdraw, { args: [{ requestId, reason, actor: coordinator }] });
  await h.result();
}

function completeRegistration(h: WorkflowHandle) {
  return h.executeUpdate(completeTask, {
    args: [{ requestId: 'r1', taskKey: 'registration', actor: staff('staff.mr', 'market_regulation'), data: { credit_code: '91210100MA0XXXXX1K', registered_on: '2018-06-01' } }],
  });
}

/** `continueAsNewAfter`: the server suggests continue-as-new after this many events (else its default). */
const scenarios: Record<string, { continueAsNewAfter?: number; run: Scenario }> = {
  // Tasks in dependency order, a blocker reported and resolved, the liaison changed, withdrawal.
  tasks: {
    async run({ startProject }) {
      const h = await startProject('intention');
      await h.executeUpdate(advanceStage, { args: [{ to: 'negotiating', actor: 'coordinator.zhang', reason: '项目锁定' }] });
      await h.executeUpdate(advanceStage, { args: [{ to: 'signed', actor: 'coordinator.zhang', reason: '集中签约' }] });
      await completeRegistration(h);
      await h.executeUpdate(reportBlocker, { args: [{ requestId: 'r2', category: 'land', description: '土地指标不足', actor: coordinator }] });
      await h.executeUpdate(completeTask, {
        args: [{ requestId: 'r3', taskKey: 'land', actor: staff('staff.nr', 'natural_resources'), data: { parcel: 'SY-17', land_payment: { amountMinor: '1200000000', currency: 'CNY' }, payment_voucher: 'JS-77' } }],
      });
      await h.executeUpdate(resolveBlocker, { args: [{ requestId: 'r4', blockerId: 'B1', resolution: '已调剂指标', actor: coordinator }] });
      await h.executeUpdate(reassignLiaison, { args: [{ requestId: 'r5', liaison: 'liaison.li', reason: '工作调整', actor: coordinator }] });
      await withdrawToEnd(h, 'r6', '企业战略调整');
      return [`${h.workflowId}@${h.firstExecutionRunId}`];
    },
  },
  // Registration overdue past every rung (one working day = 100 ms), then done.
  escalation: {
    async run({ startProject }) {
      const h = await startProject('signed');
      await untilRung(h, 4);
      await completeRegistration(h);
      await withdrawToEnd(h, 'r2');
      return [`${h.workflowId}@${h.firstExecutionRunId}`];
    },
  },
  // A tranche recorded, verified by someone else, reversed, and the reversal verified.
  funds: {
    async run({ startProject }) {
      const h = await startProject('signed');
      const verifier: Actor = { id: 'verifier.li', department: null, city: '沈阳' };
      await recordTranche(h, 'f1', '250000000');
      await h.executeUpdate(verifyFunds, { args: [{ requestId: 'v1', entryId: 'F1', actor: verifier }] });
      await h.executeUpdate(reverseFunds, { args: [{ requestId: 'r1', entryId: 'F1', reason: '凭证号录错', actor: coordinator }] });
      await h.executeUpdate(verifyFunds, { args: [{ requestId: 'v2', entryId: 'F2', actor: verifier }] });
      await withdrawToEnd(h);
      return [`${h.workflowId}@${h.firstExecutionRunId}`];
    },
  },
  // Issue 9: started ready (update-with-start), an unverified entry voided, a write that fails for
  // good (the database refuses one blocker) and the project stuck (system), then re-projected.
  trust: {
    async run({ client, db, taskQueue, input }) {
      const { code, firstExecutionRunId, h } = await startReady(client, taskQueue, input('signed'));
      const verifier: Actor = { id: 'verifier.li', department: null, city: '沈阳' };
      await completeRegistration(h);
      await recordTranche(h, 'f1', '250000000');
      await recordTranche(h, 'f2', '250000000');
      await h.executeUpdate(voidFunds, { args: [{ requestId: 'x2', entryId: 'F2', reason: '重复录入', actor: coordinator }] });
      await h.executeUpdate(verifyFunds, { args: [{ requestId: 'v1', entryId: 'F1', actor: verifier }] });
      await sql`alter table blockers add constraint history_refuse check (description <> 'history-poison')`.execute(db);
      try {
        await h.executeUpdate(reportBlocker, { args: [{ requestId: 'b1', category: 'land', description: 'history-poison', actor: coordinator }] });
        const deadline = Date.now() + 10_000;
        while (!(await h.query(getState)).stuck.reasons.includes('system')) {
          if (Date.now() > deadline) throw new Error('the project did not become stuck (system)');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await sql`alter table blockers drop constraint history_refuse`.execute(db);
      }
      await h.executeUpdate(reproject, { args: [{ requestId: 'p1', actor: { id: 'admin.wu', department: null, city: null } }] });
      await withdrawToEnd(h);
      return [`${code}@${firstExecutionRunId}`];
    },
  },
  // Issue 10: the shell over pure decisions (one round trip per action): started ready, a rung
  // climbed, a task done, the ledger (record, verify, reverse, void), 增资, a blocker, the liaison,
  // and the project merged into another.
  decisions: {
    async run({ client, taskQueue, input }) {
      const { code, firstExecutionRunId, h } = await startReady(client, taskQueue, input('signed'));
      const verifier: Actor = { id: 'verifier.li', department: null, city: '沈阳' };
      await untilRung(h, 1);
      await completeRegistration(h);
      await recordTranche(h, 'f1', '250000000');
      await h.executeUpdate(verifyFunds, { args: [{ requestId: 'v1', entryId: 'F1', actor: verifier }] });
      await h.executeUpdate(reverseFunds, { args: [{ requestId: 'r2', entryId: 'F1', reason: '凭证号录错', actor: coordinator }] });
      await recordTranche(h, 'f2', '100000000', '2018-07-11', 'ZZ-02');
      await h.executeUpdate(voidFunds, { args: [{ requestId: 'x2', entryId: 'F3', reason: '重复录入', actor: coordinator }] });
      await h.executeUpdate(increaseCapital, { args: [{ requestId: 'c1', amountMinor: '500000000', currency: 'CNY', agreedOn: '2018-08-01', actor: coordinator }] });
      await blockerThenLiaison(h);
      await h.executeUpdate(markMerged, { args: [{ requestId: 'm1', into: 'LN-2018-SY-0001', actor: coordinator }] });
      await h.result();
      return [`${code}@${firstExecutionRunId}`];
    },
  },
  // Search attributes upserted only when a value changed (patch changed-search-attributes): a task
  // done and a liaison changed (no attribute changes), a blocker reported and resolved (some do).
  attributes: {
    async run({ client, taskQueue, input }) {
      const { code, firstExecutionRunId, h } = await startReady(client, taskQueue, input('signed'));
      await completeRegistration(h);
      await blockerThenLiaison(h);
      await withdrawToEnd(h);
      return [`${code}@${firstExecutionRunId}`];
    },
  },
  // Lazy timers (patch lazy-timers): a rung fires on its timer; completing a task (progress moves the
  // idle deadline later) starts no new timer; funds recorded; the project withdrawn.
  timers: {
    async run({ client, taskQueue, input }) {
      const { code, firstExecutionRunId, h } = await startReady(client, taskQueue, input('signed'));
      await untilRung(h, 1);
      await completeRegistration(h);
      await recordTranche(h, 'f1', '250000000');
      await withdrawToEnd(h);
      return [`${code}@${firstExecutionRunId}`];
    },
  },
  // Issue 12: started as a summit import starts it (no update), the template read by a local
  // activity in the first workflow task (patch local-template), a task done, the project withdrawn.
  import: {
    async run({ startProject }) {
      const h = await startProject('signed');
      await completeRegistration(h);
      await withdrawToEnd(h);
      return [`${h.workflowId}@${h.firstExecutionRunId}`];
    },
  },
  // The quarterly dispatch report for a quarter, published then (same figures) unchanged.
  report: {
    async run({ client, taskQueue }) {
      const run = await client.workflow.start(REPORT_WORKFLOW, { workflowId: `quarterly-report-history-${Date.now()}`, taskQueue, args: ['2010Q1'] });
      await run.result();
      return [`${run.workflowId}@${run.firstExecutionRunId}`];
    },
  },
  // Enough updates to pass 40 events: the first run continues as new; both runs are kept.
  continued: {
    continueAsNewAfter: 40,
    async run({ startProject, client }) {
      const h = await startProject('signed');
      await h.executeUpdate(reportBlocker, { args: [{ requestId: 'b1', category: 'financing', description: '融资未到位', actor: coordinator }] });
      const firstRun = h.firstExecutionRunId;
      for (let n = 1; (await client.workflow.getHandle(h.workflowId).describe()).runId === firstRun; n++) {
        if (n > 30) throw new Error('the server did not suggest continue-as-new');
        await h.executeUpdate(reassignLiaison, { args: [{ requestId: `l${n}`, liaison: `liaison.${n}`, reason: null, actor: coordinator }] });
      }
      const current = client.workflow.getHandle(h.workflowId);
      await current.executeUpdate(resolveBlocker, { args: [{ requestId: 'b2', blockerId: 'B1', resolution: '已到位', actor: coordinator }] });
      await current.executeUpdate(withdraw, { args: [{ requestId: 'w', reason: 'recorded', actor: coordinator }] });
      const second = (await current.describe()).runId;
      return [`${h.workflowId}@${firstRun}`, `${h.workflowId}@${second}`];
    },
  },
};

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
const config = loadConfigOrExit();
const log = createLogger('record-history', config.LOG_LEVEL);
if (!scenario) {
  log.error(`name a scenario: npm run history:record -- ${Object.keys(scenarios).join(' | ')}`);
  process.exit(2);
}

await prepareDatabase(config.DATABASE_URL, log);
const cliPath = await ensureTemporalCli(process.env, log);
const server = await startDevServer({ cliPath, port: await freePort(), namespace: 'default', uiPort: null, dbFile: null,
  dynamicConfig: scenario.continueAsNewAfter ? { 'limit.historyCount.suggestContinueAsNew': scenario.continueAsNewAfter } : {},
});
const db = createDb(config.DATABASE_URL);
const workerConnection = await NativeConnection.connect({ address: server.address });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const taskQueue = `record-history-${randomUUID()}`;
// Recorded in plaintext (no payload codec), so that the committed histories replay without any
// key; the replay test decodes them through the codec, which passes plaintext through.
const worker = await createWorker({ connection: workerConnection, namespace: 'default', taskQueue, db, calendar: scaledCalendar(WORKING_DAY_MS), dataConverter: {} });
const code = `LN-2018-SY-H${name.toUpperCase()}${Date.now().toString(36).toUpperCase()}`;

try {
  await worker.runUntil(async () => {
    const input = (stage: ProjectInput['stage']): ProjectInput => ({ code, name: '沈阳新松机器人产业园', codename: null, city: '沈阳', investor: '新松机器人', capitalType: 'domestic', outOfProvince: false, stage, projectType: 'industrial', liaison: 'liaison.wang', actor: 'coordinator.zhang' });
    const startProject = (stage: ProjectInput['stage']) => client.workflow.start<ProjectLandingWorkflow>('projectLanding', { workflowId: code, taskQueue, args: [input(stage)] });
    const runs = await scenario.run({ client, db, taskQueue, input, startProject });
    for (const [i, run] of runs.entries()) {
      const [workflowId, runId] = run.split('@') as [string, string];
      // The CLI writes the canonical JSON form that historyFromJSON reads back.
      const { stdout } = await promisify(execFile)(
        cliPath,
        ['workflow', 'show', '--address', server.address, '-w', workflowId, '-r', runId, '--output', 'json'],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const workflowType = name === 'report' ? 'quarterlyReport' : 'projectLanding';
      const file = new URL(`../test/histories/${workflowType}-${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`, import.meta.url);
      writeFileSync(file, stdout);
      log.info({ workflowId, runId, events: JSON.parse(stdout).events.length, file: file.pathname }, 'history recorded');
    }
  });
} finally {
  await Promise.all([workerConnection.close(), connection.close(), db.destroy()]);
  await server.stop();
}

/**
 * `history`: the events and bytes of one project's whole life, every run of it (continue-as-new
 * included), against the floor (an update that does nothing) given as many updates, measured the
 * same way on the same server. The life (`bench/project-life.ts`) runs through the real workflow
 * and the default template: registration to operating, two rungs of escalation, blockers, a
 * liaison change, tranches verified by another user, a reversal, a void and a capital increase.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { scaledCalendar } from '../activities/calendar.js';
import { createDb, type Db } from '../db/connection.js';
import { createWorker, workflowsPath } from '../worker/createWorker.js';
import { startBenchStack } from './bench-stack.js';
import { floorActivities, touch } from './floor-workflow.js';
import { median, progress, report, type Figure } from './harness.js';
import { LIFE_WORKING_DAY_MS, liveOneLife } from './project-life.js';
import { BENCH_DATA_CONVERTER } from './keys.js';

// CommonJS: its namespaces are reached through the default export under tsx.
const { temporal } = proto;
const { EventType } = temporal.api.enums.v1;
type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

interface HistorySize {
  events: number;
  bytes: number;
  runs: number;
}

/** Every run of a workflow from its first, following continue-as-new: events and encoded protobuf bytes. */
async function wholeHistory(client: Client, workflowId: string, firstRunId: string): Promise<HistorySize> {
  const size: HistorySize = { events: 0, bytes: 0, runs: 0 };
  for (let runId: string | null | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    size.events += events.length;
    size.bytes += temporal.api.history.v1.History.encode(history).finish().length;
    size.runs += 1;
    const last: HistoryEvent | undefined = events.at(-1);
    runId = last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW ? last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId : null;
  }
  return size;
}

/** The floor's life: as many updates as the project's, the first one starting it, the last one ending it. */
async function floorLife(client: Client, taskQueue: string, updates: number): Promise<{ workflowId: string; firstRunId: string }> {
  const workflowId = `bench-history-floor-${randomUUID()}`;
  const start = new WithStartWorkflowOperation('benchFloor', { workflowId, taskQueue, args: [], workflowIdConflictPolicy: 'USE_EXISTING' });
  await client.workflow.executeUpdateWithStart(touch, { args: [0], startWorkflowOperation: start });
  const handle = await start.workflowHandle();
  const { runId: firstRunId } = await handle.describe();
  for (let n = 1; n < updates - 1; n++) await handle.executeUpdate(touch, { args: [n] });
  await handle.executeUpdate(touch, { args: [-1] });
  await handle.result();
  return { workflowId, firstRunId };
}

export async function historyBench({ quick }: { quick: boolean }): Promise<Figure[]> {
  // Each life is its own round; they run side by side (a life mostly waits for its rungs).
  const lives = quick ? 5 : 9;
  const stack = await startBenchStack('history', { luodi: workflowsPath, floor: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)) });
  let db: Db | undefined;
  let workerConnection: NativeConnection | undefined;
  let connection: Connection | undefined;
  const workers: Worker[] = [];
  const running: Promise<void>[] = [];
  try {
    db = createDb(stack.databaseUrl);
    workerConnection = await NativeConnection.connect({ address: stack.server.address });
    const taskQueue = `bench-history-${randomUUID()}`;
    const floorQueue = `bench-history-floor-${randomUUID()}`;
    const run = (w: Worker) => {
      workers.push(w);
      running.push(w.run());
    };
    run(await createWorker({ connection: workerConnection, namespace: 'default', taskQueue, db, calendar: scaledCalendar(LIFE_WORKING_DAY_MS), workflowBundle: stack.bundles.luodi, dataConverter: BENCH_DATA_CONVERTER }));
    run(await Worker.create({ connection: workerConnection, namespace: 'default', taskQueue: floorQueue, workflowBundle: stack.bundles.floor, activities: floorActivities, dataConverter: BENCH_DATA_CONVERTER }));
    connection = await Connection.connect({ address: stack.server.address });
    const client = new Client({ connection, namespace: 'default', dataConverter: BENCH_DATA_CONVERTER });

    progress(`history: ${lives} project lives side by side, each followed by a floor given as many updates`);
    const measured = await Promise.all(
      Array.from({ length: lives }, async (_, i) => {
        const life = await liveOneLife(client, taskQueue, `LN-HIST${i}${randomUUID().slice(0, 6).toUpperCase()}-SY-0001`);
        const luodi = await wholeHistory(client, life.code, life.firstRunId);
        const floorRun = await floorLife(client, floorQueue, life.updates);
        const floor = await wholeHistory(client, floorRun.workflowId, floorRun.firstRunId);
        progress(`history: life ${i + 1}: ${life.updates} updates, ${life.rungs} rungs; ${luodi.events} events ${luodi.bytes} B in ${luodi.runs} run(s); floor ${floor.events} events ${floor.bytes} B`);
        return { life, luodi, floor };
      }),
    );
    const params = {
      lives,
      statistic: 'median over lives',
      updatesPerLife: median(measured.map((m) => m.life.updates)),
      rungsPerLife: median(measured.map((m) => m.life.rungs)),
      runsPerLife: median(measured.map((m) => m.luodi.runs)),
      template: 'industrial (db/default-templates.json)',
      workingDayMs: LIFE_WORKING_DAY_MS,
      bytes: 'temporal.api.history.v1.History encoded, summed over runs',
    };
    return [
      report('history', { name: 'history.events_per_life', value: median(measured.map((m) => m.luodi.events)), unit: 'events', baseline: median(measured.map((m) => m.floor.events)), params: { ...params, target: '≤ 1,000 events' } }),
      report('history', { name: 'history.bytes_per_life', value: median(measured.map((m) => m.luodi.bytes)), unit: 'B', baseline: median(measured.map((m) => m.floor.bytes)), params: { ...params, target: '≤ 110 KB' } }),
    ];
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    await Promise.all([workerConnection?.close(), connection?.close(), db?.destroy()]);
    await stack.close();
  }
}

import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { officialCalendar, scaledCalendar } from '../activities/calendar.js';
import { createDb } from '../db/connection.js';
import { createWorker } from './createWorker.js';
import { assertFitsSqlVisibility } from '../workflows/search-attribute-limits.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { ensureReportSchedule } from './report-schedule.js';
import { Client, Connection } from '@temporalio/client';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { describeEndpoint, temporalEndpoint } from '../config/temporal-connection.js';

const config = loadConfigOrExit();
const log = createLogger('worker', config.LOG_LEVEL);
const dataConverter = dataConverterFor(loadKeyRingOrExit(config));

// The SDK's own logs go through pino too, so every line is structured. Its runtime telemetry
// (sticky cache size, task latencies, activity failures) is Prometheus on WORKER_METRICS_PORT.
Runtime.install({
  ...(config.WORKER_METRICS_PORT ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${config.WORKER_METRICS_PORT}` } } } } : {}),
  logger: new DefaultLogger(toSdkLevel(config.LOG_LEVEL), ({ level, message, meta }) => {
    log[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error')](meta ?? {}, message);
  }),
});

async function main(): Promise<void> {
  // Production's visibility is PostgreSQL: attributes past its limits would be refused there.
  assertFitsSqlVisibility(SEARCH_ATTRIBUTES);
  const db = createDb(config.DATABASE_URL, { onIdleError: (err) => log.warn({ err: err.message }, 'a PostgreSQL connection was lost; the pool opens a new one when needed') });
  const endpoint = temporalEndpoint(config);
  const connection = await NativeConnection.connect(endpoint).catch((err: Error) => {
    throw new Error(`Cannot reach Temporal at ${describeEndpoint(endpoint)} (${err.message}); start it with npm run temporal, or check TEMPORAL_ADDRESS and TEMPORAL_TLS_*.`);
  });
  try {
    const worker = await createWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      db,
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      dataConverter,
      publicUrl: config.PUBLIC_URL,
      calendar: config.WORKING_DAY_SECONDS ? scaledCalendar(config.WORKING_DAY_SECONDS * 1000) : officialCalendar(db, log),
    });
    const client = new Client({ connection: await Connection.connect(endpoint), namespace: config.TEMPORAL_NAMESPACE, dataConverter });
    if (await ensureReportSchedule(client, config.TEMPORAL_TASK_QUEUE)) log.info('created the quarterly report Schedule');
    await client.connection.close();
    if (config.WORKING_DAY_SECONDS) {
      log.warn({ workingDaySeconds: config.WORKING_DAY_SECONDS }, 'demo mode: a working day lasts WORKING_DAY_SECONDS; deadlines ignore the official calendar');
    }
    if (config.WORKER_METRICS_PORT) log.info({ url: `http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics` }, 'metrics at');
    log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS }, 'worker started');
    await worker.run();
    log.info('worker stopped');
  } finally {
    await connection.close();
    await db.destroy();
  }
}

function toSdkLevel(level: string): LogLevel {
  switch (level) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}

main().catch((err: Error) => {
  log.error({ err }, err.message);
  process.exit(1);
});

import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { temporalEndpoint } from '../config/temporal-connection.js';
import { backfillReports, ensureReportSchedule } from '../worker/report-schedule.js';

/**
 * `npm run report -- backfill <from quarter> [<to quarter>]`: runs the quarterly report's Schedule
 * for past quarters (e.g. 2017Q1), as if it had run after each of them.
 */
const [command, from, to] = process.argv.slice(2);
const quarter = /^\d{4}Q[1-4]$/;
if (command !== 'backfill' || !from || !quarter.test(from) || (to !== undefined && !quarter.test(to))) {
  process.stderr.write('usage: npm run report -- backfill <quarter, e.g. 2017Q1> [<last quarter>]\n');
  process.exit(2);
}
const config = loadConfigOrExit();
const connection = await Connection.connect(temporalEndpoint(config));
try {
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(loadKeyRingOrExit(config)) });
  await ensureReportSchedule(client, config.TEMPORAL_TASK_QUEUE);
  await backfillReports(client, from, to ?? from);
  process.stdout.write(`backfill requested for ${from}${to ? `..${to}` : ''}; the worker freezes each report (or publishes a restatement)\n`);
} finally {
  await connection.close();
}

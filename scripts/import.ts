import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { authorize } from '../api/policy.js';
import { Problem } from '../api/problem.js';
import { ImportRejected, importSummitBatch } from '../api/summit-import/run.js';
import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { describeEndpoint, temporalEndpoint } from '../config/temporal-connection.js';
import { createDb } from '../db/connection.js';
import { userById } from '../db/users.js';

/**
 * `npm run import -- <file.csv|file.xlsx> --as <coordinator>`: imports a summit's signing batch.
 * Every row is checked first (problems are listed and nothing starts); importing the same file
 * again starts nothing twice.
 */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { positionals, values } = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { as: { type: 'string' } } });
  } catch (err) {
    fail(`${(err as Error).message}\nusage: npm run import -- <file.csv|file.xlsx> --as <coordinator>`);
  }
})();
const [file] = positionals;
if (!file || !values.as) fail('usage: npm run import -- <file.csv|file.xlsx> --as <coordinator>');
const format = { '.csv': 'csv', '.xlsx': 'xlsx' }[extname(file).toLowerCase()] as 'csv' | 'xlsx' | undefined;
if (!format) fail(`${file}: the file must end in .csv or .xlsx`);
let content: Buffer;
try {
  content = readFileSync(file);
} catch (err) {
  fail(`cannot read ${file}: ${(err as Error).message}`);
}

const config = loadConfigOrExit();
const db = createDb(config.DATABASE_URL);
const dataConverter = dataConverterFor(loadKeyRingOrExit(config));
const endpoint = temporalEndpoint(config);
const connection = await Connection.connect(endpoint).catch((err: Error) =>
  fail(`Cannot reach Temporal at ${describeEndpoint(endpoint)} (${err.message}); start it with npm start, or check TEMPORAL_ADDRESS and TEMPORAL_TLS_*.`),
);
const bar = (done: number, total: number) => {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
  // A bar on a terminal; a line every tenth of the way otherwise (CI logs).
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.round(total / 10)) === 0) process.stderr.write(`${line}\n`);
};

try {
  const user = await userById(db, values.as);
  if (!user) fail(`there is no user ${values.as}`);
  authorize(user, 'project.create');
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const result = await importSummitBatch({ client, db, taskQueue: config.TEMPORAL_TASK_QUEUE }, user, content, format, bar);
  process.stdout.write(`${result.total} projects: ${result.started.length} started, ${result.alreadyStarted.length} already started before\n`);
  if (result.conflicts.length) {
    fail(`${result.conflicts.length} not started: another project took the code during the import\n${result.conflicts.map((p) => `  row ${p.row}, ${p.column}: ${p.reason}`).join('\n')}`);
  }
} catch (err) {
  if (err instanceof ImportRejected) fail(`${err.detail}\n${err.problems.map((p) => `  row ${p.row}, ${p.column}: ${p.reason}`).join('\n')}`);
  if (err instanceof Problem) fail(err.detail);
  throw err;
} finally {
  await connection.close();
  await db.destroy();
}

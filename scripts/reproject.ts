import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { describeEndpoint, temporalEndpoint } from '../config/temporal-connection.js';
import { PROJECT_WORKFLOW, reproject } from '../workflows/messages.js';
import { StuckReasonsAttr } from '../workflows/search-attributes.js';

/**
 * `npm run reproject -- <code> [<code> ...] | --all`: after a record could not be written (the
 * project is stuck with reason system) and the cause is fixed, writes the failed records again
 * and the whole projection from the workflow's state. `--all` takes every project stuck so.
 */
const args = process.argv.slice(2);
if (!args.length || args.some((a) => a.startsWith('-') && a !== '--all')) {
  process.stderr.write('usage: npm run reproject -- <project code> [<project code> ...] | --all\n');
  process.exit(2);
}
const config = loadConfigOrExit();
const dataConverter = dataConverterFor(loadKeyRingOrExit(config));
const endpoint = temporalEndpoint(config);
const connection = await Connection.connect(endpoint).catch((err: Error) => {
  process.stderr.write(`Cannot reach Temporal at ${describeEndpoint(endpoint)} (${err.message}); start it with npm run temporal, or check TEMPORAL_ADDRESS and TEMPORAL_TLS_*.\n`);
  process.exit(1);
});
let failed = 0;
try {
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const codes = args.includes('--all') ? [] : args;
  if (args.includes('--all')) {
    const query = `WorkflowType = '${PROJECT_WORKFLOW}' AND ExecutionStatus = 'Running' AND ${StuckReasonsAttr.name} = 'system'`;
    for await (const wf of client.workflow.list({ query })) codes.push(wf.workflowId);
    process.stdout.write(`${codes.length} project(s) stuck with reason system\n`);
  }
  for (const code of codes) {
    try {
      const r = await client.workflow.getHandle(code).executeUpdate(reproject, {
        args: [{ requestId: `reproject:${code}:${Date.now()}`, actor: { id: 'admin-cli', department: null, city: null } }],
      });
      process.stdout.write(`${code}: ${r.restored} record(s) written again; ${r.remaining} still failing${r.remaining ? ' (the cause is still there: see the worker log)' : ''}\n`);
      if (r.remaining) failed += 1;
    } catch (err) {
      failed += 1;
      process.stderr.write(`${code}: ${(err as Error).message}\n`);
    }
  }
} finally {
  await connection.close();
}
process.exit(failed ? 1 : 0);

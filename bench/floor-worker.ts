/**
 * The floor's worker as a process of its own (bench/completion.ts starts it, as it starts luodi's
 * worker/main.ts): bench/floor-workflow.ts on TEMPORAL_TASK_QUEUE at TEMPORAL_ADDRESS. SIGTERM
 * (the SDK's shutdown signals) stops it.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { createLogger } from '../config/logger.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { floorActivities } from './floor-workflow.js';

const config = loadConfigOrExit();
const log = createLogger('floor-worker', config.LOG_LEVEL);
Runtime.install({ logger: new DefaultLogger('WARN', ({ level, message, meta }) => log[level === 'ERROR' ? 'error' : 'warn'](meta ?? {}, message)) });

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
      activities: floorActivities,
      // The same codec as luodi's worker: both pay for it, and the bench's one client talks to both.
      dataConverter: dataConverterFor(loadKeyRingOrExit(config)),
    });
    log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'floor worker started');
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: Error) => {
  log.error({ err }, err.message);
  process.exit(1);
});

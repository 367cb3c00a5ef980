import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { createDb } from '../db/connection.js';
import { createApp } from './app.js';

const config = loadConfigOrExit();
const log = createLogger('api', config.LOG_LEVEL);

async function main(): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }).catch((err: Error) => {
    throw new Error(`Cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${err.message}); start it with npm run temporal or set TEMPORAL_ADDRESS.`);
  });
  const db = createDb(config.DATABASE_URL);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({ client, db, log, taskQueue: config.TEMPORAL_TASK_QUEUE, temporalUiUrl: config.TEMPORAL_UI_URL });
  const server = app.listen(config.PORT, () => {
    log.info({ url: `http://127.0.0.1:${config.PORT}/api/projects` }, 'API listening');
  });
  server.on('error', (err) => {
    log.error({ err }, `Cannot listen on port ${config.PORT}: ${err.message}; set PORT to a free port.`);
    process.exit(1);
  });
  const stop = () => {
    log.info('API stopping');
    server.close(() => {
      void Promise.all([connection.close(), db.destroy()]).then(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  log.error({ err }, err.message);
  process.exit(1);
});

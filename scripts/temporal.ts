import { resolve } from 'node:path';
import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { startDevServer } from './dev-server.js';
import { cliVersion, ensureTemporalCli } from './temporal-cli.js';

/** `npm run temporal`: the Temporal dev server with luodi's search attributes, its UI and a persisted state file. */
const config = loadConfigOrExit();
const log = createLogger('temporal', config.LOG_LEVEL);

try {
  const cliPath = await ensureTemporalCli(process.env, log);
  const port = Number(config.TEMPORAL_ADDRESS.split(':')[1]);
  const dbFile = resolve(config.TEMPORAL_DB_FILE);
  log.info({ cli: cliPath, version: cliVersion(cliPath), dbFile }, 'starting the Temporal dev server');
  const server = await startDevServer({
    cliPath,
    port,
    namespace: config.TEMPORAL_NAMESPACE,
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile,
    onOutput: (line) => log.debug({ server: line }, 'temporal server output'),
  });
  log.info({ address: server.address, ui: `${config.PUBLIC_URL}/temporal/` }, `Temporal is ready: gRPC ${server.address}; its UI through luodi at ${config.PUBLIC_URL}/temporal/ once the API runs (the UI server itself listens on ${server.uiUrl}, loopback only)`);
  const stop = () => {
    log.info('stopping the Temporal dev server');
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.process.once('exit', (code) => {
    log.error({ code }, 'the Temporal dev server exited');
    process.exit(1);
  });
} catch (err) {
  log.error({ err }, (err as Error).message);
  process.exit(1);
}

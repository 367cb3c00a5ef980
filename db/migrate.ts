import { loadConfigOrExit } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { prepareDatabase } from './migrator.js';

const config = loadConfigOrExit();
const log = createLogger('migrate', config.LOG_LEVEL);
try {
  await prepareDatabase(config.DATABASE_URL, log);
  log.info('database is up to date');
} catch (err) {
  log.error({ err }, (err as Error).message);
  process.exit(1);
}

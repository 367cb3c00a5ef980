import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { createLogger } from '../config/logger.js';
import { createDb } from '../db/connection.js';
import { emailChannel, webhookChannel } from './channels.js';
import { startDispatcher } from './dispatcher.js';
import { createDispatcherMetrics } from './dispatcher-metrics.js';
import { serveMetrics } from '../config/metrics.js';

/** `npm run dispatcher`: delivers the notification outbox (in-app, email, webhooks) until stopped. */
const config = loadConfigOrExit();
// Webhook secrets are sealed in PostgreSQL: each delivery opens its endpoint's with the key ring.
const keyRing = loadKeyRingOrExit(config);
const log = createLogger('dispatcher', config.LOG_LEVEL);
const db = createDb(config.DATABASE_URL);
const metrics = config.DISPATCHER_METRICS_PORT !== undefined ? createDispatcherMetrics(db) : undefined;
if (metrics) await serveMetrics(metrics.registry, config.DISPATCHER_METRICS_PORT!, log);
const dispatcher = startDispatcher(
  {
    ...(metrics ? { metrics } : {}),
    db,
    log,
    channels: { email: emailChannel(config.SMTP_URL, config.MAIL_FROM), webhook: webhookChannel(db, keyRing) },
    maxAttempts: config.DISPATCH_MAX_ATTEMPTS,
    leaseMs: config.DISPATCH_LEASE_MS,
    maxOpenClaims: config.DISPATCH_MAX_OPEN_CLAIMS,
    ...(config.DISPATCH_BACKOFF_MS !== undefined ? { backoffMs: () => config.DISPATCH_BACKOFF_MS! } : {}),
  },
  config.DISPATCH_POLL_MS,
);
if (!config.SMTP_URL) log.warn('SMTP_URL is not set: email notifications will fail and end dead until it is');
log.info('dispatcher started');
const stop = () => {
  void dispatcher
    .stop()
    .then(() => db.destroy())
    .then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

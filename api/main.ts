import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit } from '../config/key-ring.js';
import { dataConverterFor } from '../config/payload-codec.js';
import { temporalEndpoint } from '../config/temporal-connection.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { purgeExpiredKeys } from '../db/idempotency-keys.js';
import { purgeExpiredSessions } from '../db/sessions.js';
import { rewrapWebhookSecrets } from '../db/webhooks.js';
import { createApp } from './app.js';
import { TokenCache } from './token-cache.js';
import { serveMetrics } from '../config/metrics.js';
import { createApiMetrics } from './metrics.js';

const config = loadConfigOrExit();
const keyRing = loadKeyRingOrExit(config);
const log = createLogger('api', config.LOG_LEVEL);
const PURGE_EVERY_MS = 3600_000;

/** Expired sessions and Idempotency-Keys are deleted at start-up and then every hour. */
function purgePeriodically(db: Db): NodeJS.Timeout {
  const purge = () =>
    Promise.all([purgeExpiredSessions(db), purgeExpiredKeys(db)]).then(
      ([sessions, idempotencyKeys]) => (sessions || idempotencyKeys) && log.info({ sessions, idempotencyKeys }, 'purged expired sessions and idempotency keys'),
      (err: Error) => log.warn({ err }, 'could not purge expired sessions and idempotency keys; trying again in an hour'),
    );
  void purge();
  return setInterval(purge, PURGE_EVERY_MS).unref();
}

async function main(): Promise<void> {
  // Lazy: the API starts (and answers 503) while Temporal is down, and reconnects within about a
  // second of its return instead of grpc's default backoff of up to two minutes.
  const connection = Connection.lazy({
    ...temporalEndpoint(config),
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 },
    // Fewer retries than the default 10, so that a call gives up within the request's deadline.
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 5 }))],
  });
  const db = createDb(config.DATABASE_URL, { onIdleError: (err) => log.warn({ err: err.message }, 'a PostgreSQL connection was lost; the pool opens a new one when needed') });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(keyRing) });
  const tokenCache = config.API_TOKEN_CACHE_SECONDS > 0 ? new TokenCache(db, config.DATABASE_URL, { ttlMs: config.API_TOKEN_CACHE_SECONDS * 1000, log }) : undefined;
  const metrics = config.API_METRICS_PORT !== undefined ? createApiMetrics() : undefined;
  if (metrics) await serveMetrics(metrics.registry, config.API_METRICS_PORT!, log);
  const app = createApp({
    ...(metrics ? { metrics } : {}),
    ...(tokenCache ? { tokenCache } : {}),
    client,
    db,
    keyRing,
    log,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    temporalUiUrl: config.TEMPORAL_UI_URL,
    trustProxy: config.TRUST_PROXY,
    publicUrl: config.PUBLIC_URL,
    idempotency: { leaseMs: config.IDEMPOTENCY_LEASE_MS, ttlMs: config.IDEMPOTENCY_TTL_HOURS * 3600_000 },
  });
  const purging = purgePeriodically(db);
  // Webhook secrets stored before sealing, or sealed with a key since rotated out of first place,
  // are sealed with the active key: what `npm run keys -- rewrap` does, at every start.
  void rewrapWebhookSecrets(db, keyRing).then(
    (resealed) => resealed && log.info({ resealed }, 'sealed webhook secrets with the active encryption key'),
    (err: Error) => log.warn({ err: err.message }, 'could not re-seal the webhook secrets; run npm run keys -- rewrap to see why'),
  );
  const server = app.listen(config.PORT, () => {
    log.info({ url: `http://127.0.0.1:${config.PORT}/api/projects` }, 'API listening');
  });
  server.on('error', (err) => {
    log.error({ err }, `Cannot listen on port ${config.PORT}: ${err.message}; set PORT to a free port.`);
    process.exit(1);
  });
  const stop = () => {
    log.info('API stopping');
    clearInterval(purging);
    server.close(() => {
      void Promise.all([connection.close(), tokenCache?.close(), db.destroy()]).then(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  log.error({ err }, err.message);
  process.exit(1);
});

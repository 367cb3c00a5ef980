import { pathToFileURL } from 'node:url';
import { loadConfigOrExit, type Config } from '../config/index.js';
import { createLogger, type Logger } from '../config/logger.js';
import { DEV_CERTS_DIR } from '../config/cert-files.js';
import { ensureCertificates } from './certs.js';
import { postgresTarget, startCluster, type Cluster } from './cluster.js';

/**
 * The cluster as the configuration describes it: TEMPORAL_ADDRESS's port, the UI on
 * TEMPORAL_UI_PORT, TEMPORAL_POSTGRES_URL's databases, and mTLS with the development set in
 * .data/certs (made if missing; TEMPORAL_MODE=cluster points luodi's processes at it).
 */
export async function startConfiguredCluster(config: Config, log: Logger): Promise<Cluster> {
  const { set, made } = await ensureCertificates(DEV_CERTS_DIR);
  if (made) log.info({ dir: set.dir }, 'made a development CA and certificates for mTLS (npm run certs)');
  return startCluster({
    tls: set,
    postgres: postgresTarget(config.TEMPORAL_POSTGRES_URL ?? config.DATABASE_URL),
    databases: { persistence: config.TEMPORAL_PERSISTENCE_DB, visibility: config.TEMPORAL_VISIBILITY_DB },
    port: Number(config.TEMPORAL_ADDRESS.split(':')[1]),
    uiPort: config.TEMPORAL_UI_PORT,
    luodiUrl: config.PUBLIC_URL,
    namespace: config.TEMPORAL_NAMESPACE,
    retentionDays: config.TEMPORAL_RETENTION_DAYS,
    log,
  });
}

/**
 * `npm run cluster`: Temporal's own server on PostgreSQL, built from its Go modules on first use,
 * with its schemas set up or upgraded, the namespace and luodi's search attributes, and the UI
 * server (read-only, under /temporal). Runs until Ctrl-C. Then `TEMPORAL_MODE=cluster npm start`
 * (or just `npm start`, which uses whatever Temporal answers at TEMPORAL_ADDRESS).
 */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfigOrExit();
  const log = createLogger('cluster', config.LOG_LEVEL);
  try {
    const cluster = await startConfiguredCluster(config, log);
    log.info({ address: cluster.address, ui: cluster.uiUrl }, `Temporal cluster ready: gRPC ${cluster.address}, UI ${cluster.uiUrl} (Ctrl-C stops it)`);
    const stop = () => {
      log.info('stopping the Temporal cluster');
      void cluster.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    cluster.server.once('exit', (code) => {
      log.error({ code }, 'the Temporal server exited');
      process.exit(1);
    });
  } catch (err) {
    log.error({ err }, (err as Error).message);
    process.exit(1);
  }
}

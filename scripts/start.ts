import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../config/index.js';
import { temporalEndpoint } from '../config/temporal-connection.js';
import { ensureKeyFile } from './key-file.js';
import { ensureCertificates } from './certs.js';
import { DEV_CERTS_DIR } from '../config/cert-files.js';
import { createLogger, type Logger } from '../config/logger.js';
import PinoPretty from 'pino-pretty';
import { pino } from 'pino';
import { prepareDatabase } from '../db/migrator.js';
import { isServing, startDevServer, stopProcess, type DevServer } from './dev-server.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { ensureTemporalCli } from './temporal-cli.js';
import { startConfiguredCluster } from './cluster-main.js';

/**
 * `npm start`: database set-up, the Temporal dev server (unless one already answers at
 * TEMPORAL_ADDRESS; with TEMPORAL_MODE=cluster, Temporal's own server on PostgreSQL), the worker
 * and the API. Ctrl-C stops them all, the server last.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfigOrExit();
/**
 * On a terminal every process's log lines are shown readable and coloured (pino-pretty); piped or
 * redirected, they stay one JSON object a line, for a log collector.
 */
const readable = Boolean(process.stdout.isTTY);
const prettyOptions = { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,component', sync: true } as const;
const log: Logger = readable ? pino({ name: 'start', level: config.LOG_LEVEL, base: { component: 'start' } }, PinoPretty(prettyOptions)) : createLogger('start', config.LOG_LEVEL);
const children: ChildProcess[] = [];
/** The Temporal this started (not one that was already running), stopped last. */
let server: Pick<DevServer, 'stop'> | null = null;
let stopping = false;

async function main(): Promise<void> {
  log.info('1/4 database: creating if missing, migrating, calendar and templates');
  await prepareDatabase(config.DATABASE_URL, log);
  if (!config.ENCRYPTION_KEYS) {
    const keys = ensureKeyFile(config.ENCRYPTION_KEYS_FILE);
    if (keys.created) log.info({ file: keys.path }, 'made an encryption key for Temporal payloads and secrets (npm run keys); keep it out of the repository and back it up');
  }

  // The cluster speaks mTLS: the development set (.data/certs) exists before anything connects.
  if (config.TEMPORAL_MODE === 'cluster') await ensureCertificates(DEV_CERTS_DIR);
  const endpoint = temporalEndpoint(config);
  if (await isServing(endpoint, config.TEMPORAL_NAMESPACE)) {
    log.info({ address: config.TEMPORAL_ADDRESS, tls: Boolean(endpoint.tls) }, '2/4 Temporal: using the server already running there');
    const added = await ensureSearchAttributes(endpoint, config.TEMPORAL_NAMESPACE);
    if (added.length) log.info({ added }, 'registered missing search attributes');
  } else if (config.TEMPORAL_MODE === 'cluster') {
    log.info('2/4 Temporal: starting the cluster (TEMPORAL_MODE=cluster): Temporal\'s server on PostgreSQL');
    const cluster = await startConfiguredCluster(config, log);
    server = cluster;
    cluster.server.once('exit', () => void shutdown('the Temporal server exited', 1));
  } else {
    log.info('2/4 Temporal: starting the dev server');
    const dev = await startDevServer({
      cliPath: await ensureTemporalCli(process.env, log),
      port: Number(config.TEMPORAL_ADDRESS.split(':')[1]),
      namespace: config.TEMPORAL_NAMESPACE,
      uiPort: config.TEMPORAL_UI_PORT,
      uiCodecEndpoint: `${config.PUBLIC_URL}/temporal-codec`,
      dbFile: resolve(root, config.TEMPORAL_DB_FILE),
      onOutput: (line) => log.debug({ server: line }, 'temporal server output'),
    });
    server = dev;
    dev.process.once('exit', () => void shutdown('the Temporal dev server exited', 1));
  }

  log.info('3/4 worker');
  run('worker', 'worker/main.ts');
  log.info('4/4 API and the notification dispatcher');
  run('api', 'api/main.ts');
  run('dispatcher', 'worker/dispatcher-main.ts');
  await waitForApi();
  // The UI server listens on loopback; people open the UI through luodi, signed in (api/temporal-ui.tsx).
  const base = `http://127.0.0.1:${config.PORT}`;
  const uiUrl = `${base}/temporal/`;
  log.info({ pages: `${base}/`, api: `${base}/api/projects`, temporalUi: uiUrl }, `luodi is running. API: ${base}/api/projects  Temporal UI: ${uiUrl}  (Ctrl-C stops everything)`);
  if (readable) process.stdout.write(welcome(base, uiUrl));
}

/** What a newcomer needs next, once everything answers. */
function welcome(base: string, uiUrl: string): string {
  return [
    '',
    'luodi is running.',
    `  Pages        ${base}/`,
    `  API          ${base}/api/projects   (its reference: ${base}/api/docs)`,
    `  Temporal UI  ${uiUrl}   (for province-level supervisors and coordinators)`,
    '  First admin  npm run user -- add zhao.admin --name 赵 --role admin   (prints an API token, once)',
    '               npm run user -- password zhao.admin                    (a password for the pages)',
    `  Logs         here, every process's, readable; piped (npm start | tee luodi.log) they are JSON lines. LOG_LEVEL=${config.LOG_LEVEL}.`,
    '  Ctrl-C stops everything, the Temporal server last.',
    '',
  ].join('\n');
}

function run(name: string, entry: string): void {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, stdio: ['ignore', readable ? 'pipe' : 'inherit', 'inherit'], env: process.env });
  // Its JSON lines, made readable on the way to the terminal (other lines pass as they are).
  if (readable) child.stdout!.pipe(PinoPretty(prettyOptions));
  children.push(child);
  child.once('exit', (code) => void shutdown(`${name} exited with code ${code}`, 1));
}

async function waitForApi(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(`http://127.0.0.1:${config.PORT}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!stopping) throw new Error(`the API did not answer on port ${config.PORT} within 60 s`);
}

async function shutdown(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log[code === 0 ? 'info' : 'error']({ why }, 'stopping luodi');
  await Promise.all(children.map((c) => stopProcess(c)));
  await server?.stop();
  process.exit(code);
}

process.once('SIGINT', () => void shutdown('interrupted', 0));
process.once('SIGTERM', () => void shutdown('terminated', 0));
main().catch((err: Error) => {
  log.error({ err }, err.message);
  void shutdown('start-up failed', 1);
});

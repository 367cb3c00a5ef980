import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { temporalEndpoint } from '../config/temporal-connection.js';
import { isServing } from './dev-server.js';
import { findGoBinary, GoBinaryError, onPath, TEMPORAL_CLI } from './go-binaries.js';

/**
 * `npm run doctor`: whether this machine has what `npm start` and `npm test` need, each with
 * what to do when it does not (scripts/doctor-main.ts prints them).
 */
export interface Check {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do, when not ok. */
  fix?: string;
}

const MIN_NODE: readonly [number, number] = [20, 3];

export function checkNode(version: string = process.versions.node): Check {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return { name: 'Node.js', ok, detail: `v${version}`, ...(ok ? {} : { fix: `install Node.js ${MIN_NODE.join('.')} or newer (20.20 is what luodi is developed on)` }) };
}

/** A `temporal` binary, or Go to build one (the scripts build it on first use). */
export function checkTemporal(env: NodeJS.ProcessEnv): Check {
  let cli: string | null;
  try {
    cli = findGoBinary(TEMPORAL_CLI, env);
  } catch (err) {
    if (!(err instanceof GoBinaryError)) throw err;
    return { name: 'Temporal CLI', ok: false, detail: err.message, fix: `fix or unset ${TEMPORAL_CLI.envVar}` };
  }
  if (cli) return { name: 'Temporal CLI', ok: true, detail: cli };
  const go = onPath('go', env);
  if (go) return { name: 'Temporal CLI', ok: true, detail: `none yet; Go at ${go} builds it on first use (about 3 minutes)` };
  return {
    name: 'Temporal CLI',
    ok: false,
    detail: 'no temporal binary, and no Go to build one',
    fix: `install Go 1.25 or newer (https://go.dev/dl/, or /usr/local/go/bin on PATH), or a temporal binary on PATH, or set ${TEMPORAL_CLI.envVar}`,
  };
}

export async function checkPostgres(databaseUrl: string): Promise<Check> {
  const url = new URL(databaseUrl);
  const where = `${url.hostname}:${url.port || 5432}`;
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; createdb: boolean }>(
      `select current_setting('server_version') as version, (select rolcreatedb or rolsuper from pg_roles where rolname = current_user) as createdb`,
    );
    const { version, createdb } = rows[0]!;
    if (!createdb) return { name: 'PostgreSQL', ok: false, detail: `${version} at ${where}, but its role may not create databases`, fix: `ALTER ROLE ${url.username || 'postgres'} CREATEDB; luodi creates its own database, and the tests one per run` };
    return { name: 'PostgreSQL', ok: true, detail: `${version} at ${where}` };
  } catch (err) {
    return {
      name: 'PostgreSQL',
      ok: false,
      detail: `not reachable at ${where}: ${(err as Error).message}`,
      fix: 'start PostgreSQL (on Debian: sudo pg_ctlcluster 15 main start, or sudo apt-get install postgresql), or set DATABASE_URL to where it runs',
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Chromium for the browser tests, and a CJK font for the pages it shows (the tests need both). */
export function checkChromium(env: NodeJS.ProcessEnv): Check {
  const path = env.CHROMIUM_PATH || '/usr/bin/chromium';
  const install = 'sudo apt-get install chromium fonts-noto-cjk';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { name: 'Chromium (tests)', ok: false, detail: `none at ${path}`, fix: `${install} (or set CHROMIUM_PATH)` };
  }
  const fonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', env });
  if (fonts.error || !fonts.stdout.trim()) {
    return { name: 'Chromium (tests)', ok: false, detail: `${path}, but no Chinese font: the pages would show empty boxes`, fix: 'sudo apt-get install fonts-noto-cjk' };
  }
  return { name: 'Chromium (tests)', ok: true, detail: `${path}, with ${fonts.stdout.trim().split('\n')[0]!.split(',')[0]}` };
}

/** Whether a port on loopback is free now. */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * The ports `npm start` listens on must be free, but for Temporal's: a Temporal already answering
 * at TEMPORAL_ADDRESS is one `npm start` uses (and its UI port is then its own).
 */
export async function checkPorts(config: Pick<Config, 'PORT' | 'TEMPORAL_ADDRESS' | 'TEMPORAL_UI_PORT' | 'TEMPORAL_NAMESPACE'> & Parameters<typeof temporalEndpoint>[0]): Promise<Check> {
  const temporalPort = Number(config.TEMPORAL_ADDRESS.split(':')[1]);
  const temporalRunning = !(await portFree(temporalPort)) && (await isServing(temporalEndpoint(config), config.TEMPORAL_NAMESPACE).catch(() => false));
  const ports: Record<string, number> = { PORT: config.PORT, ...(temporalRunning ? {} : { 'TEMPORAL_ADDRESS port': temporalPort, TEMPORAL_UI_PORT: config.TEMPORAL_UI_PORT }) };
  const taken: string[] = [];
  for (const [name, port] of Object.entries(ports)) if (!(await portFree(port))) taken.push(`${port} (${name})`);
  const running = temporalRunning ? `; a Temporal already answers at ${config.TEMPORAL_ADDRESS}, which npm start uses` : '';
  if (!taken.length) return { name: 'Ports', ok: true, detail: `${Object.values(ports).join(', ')} free${running}` };
  return {
    name: 'Ports',
    ok: false,
    detail: `in use: ${taken.join(', ')}`,
    fix: 'stop what holds them (another npm start? `ss -ltnp` shows which process), or set PORT, TEMPORAL_ADDRESS and TEMPORAL_UI_PORT to free ports',
  };
}

/** Every check, in the order a newcomer meets them. */
export async function runChecks(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  return [checkNode(), checkTemporal(env), await checkPostgres(config.DATABASE_URL), checkChromium(env), await checkPorts(config)];
}

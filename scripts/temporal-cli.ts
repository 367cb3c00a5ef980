import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '../config/logger.js';

/** The newest CLI tag that `go install` accepts (later tags carry a replace directive). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

/** Where a built CLI is kept: outside the work tree, so fresh clones reuse it. */
export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'luodi', `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** $TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cached build; null if none. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.TEMPORAL_CLI_PATH) {
    if (isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    throw new TemporalCliError(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file; fix or unset it.`);
  }
  const cached = cachedCliPath(env);
  return onPath('temporal', env) ?? (isExecutable(cached) ? cached : null);
}

/** Finds the CLI or builds it with Go into the cache, showing progress while it builds. */
export async function ensureTemporalCli(env: NodeJS.ProcessEnv = process.env, log: Logger = createLogger('temporal-cli')): Promise<string> {
  const found = findTemporalCli(env);
  if (found) return found;
  const go = onPath('go', env);
  if (!go) {
    throw new TemporalCliError(
      'No Temporal CLI found, and no Go toolchain to build one. Either install Go 1.25 or newer and run this again ' +
        `(it builds ${MODULE}), or install the Temporal CLI and set TEMPORAL_CLI_PATH=/path/to/temporal.`,
    );
  }
  const target = cachedCliPath(env);
  mkdirSync(dirname(target), { recursive: true });
  log.info({ module: MODULE, into: target }, 'building the Temporal CLI with Go; a cold build took about 3.5 minutes on 2 cores');
  const started = Date.now();
  const tick = setInterval(() => log.info({ seconds: Math.round((Date.now() - started) / 1000) }, 'still building the Temporal CLI'), 30_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', MODULE], {
        env: { ...env, CGO_ENABLED: '0', GOBIN: dirname(target) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0 || !isExecutable(target)) {
      throw new TemporalCliError(`go install ${MODULE} failed (exit ${code}); see the Go output above.`);
    }
  } finally {
    clearInterval(tick);
  }
  log.info({ path: target, seconds: Math.round((Date.now() - started) / 1000) }, 'built the Temporal CLI');
  return target;
}

export function cliVersion(path: string): string {
  return spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

// Run directly (`tsx scripts/temporal-cli.ts`): find or build the CLI and print its path.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureTemporalCli()
    .then((path) => {
      process.stdout.write(`${path}\n`);
    })
    .catch((err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
}

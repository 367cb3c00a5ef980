import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger } from '../config/logger.js';

/**
 * Temporal's programs that luodi runs, each found ($<env>, then on PATH, then in the cache) or
 * built from its Go module into the cache, outside the work tree, so that fresh clones reuse it.
 */
export interface GoBinary {
  /** What people call it, in messages. */
  title: string;
  /** The cache folder's name, before the version. */
  cacheName: string;
  module: string;
  version: string;
  /** The file `go install` writes. */
  installedAs: string;
  /** The name it has when installed some other way (on PATH). */
  onPath: string;
  /** The variable that names it explicitly. */
  envVar: string;
  /** GOTOOLCHAIN for the build, where the module asks for a newer Go than the machine's. */
  toolchain?: string;
  /** What a cold build took here, for the message while it builds. */
  coldBuild: string;
}

/** The newest CLI tag that `go install` accepts (later tags carry a replace directive). Its dev server is for development and tests. */
export const TEMPORAL_CLI: GoBinary = {
  title: 'the Temporal CLI',
  cacheName: 'temporal-cli',
  module: 'github.com/temporalio/cli/cmd/temporal',
  version: 'v1.5.1',
  installedAs: 'temporal',
  onPath: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  coldBuild: 'about 3.5 minutes on 2 cores',
};

/** Temporal's own server, as a province runs it (npm run cluster); its go.mod asks for Go 1.26.10. */
export const TEMPORAL_SERVER: GoBinary = {
  title: 'the Temporal server',
  cacheName: 'temporal-server',
  module: 'go.temporal.io/server/cmd/server',
  version: 'v1.32.2',
  installedAs: 'server',
  onPath: 'temporal-server',
  envVar: 'TEMPORAL_SERVER_PATH',
  toolchain: 'go1.26.10',
  coldBuild: 'about 10 minutes on 2 cores',
};

/** Creates and upgrades the server's schemas on PostgreSQL; the same module and version as the server. */
export const TEMPORAL_SQL_TOOL: GoBinary = {
  title: 'temporal-sql-tool',
  cacheName: 'temporal-sql-tool',
  module: 'go.temporal.io/server/cmd/tools/sql',
  version: TEMPORAL_SERVER.version,
  installedAs: 'sql',
  onPath: 'temporal-sql-tool',
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
  toolchain: 'go1.26.10',
  coldBuild: 'about a minute after the server',
};

/** The Temporal UI's server (v2.56 and later need modules the module proxy here refuses). */
export const TEMPORAL_UI_SERVER: GoBinary = {
  title: 'the Temporal UI server',
  cacheName: 'temporal-ui-server',
  module: 'github.com/temporalio/ui-server/v2/cmd/server',
  version: 'v2.54.1',
  installedAs: 'server',
  onPath: 'ui-server',
  envVar: 'TEMPORAL_UI_SERVER_PATH',
  toolchain: 'go1.26.10',
  coldBuild: 'a few minutes on 2 cores',
};

export class GoBinaryError extends Error {
  override name = 'GoBinaryError';
}

const moduleAt = (b: GoBinary) => `${b.module}@${b.version}`;

/** Where a built binary is kept: ~/.cache/luodi/<name>-<version>/<file>. */
export function cachedBinaryPath(b: GoBinary, env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'luodi', `${b.cacheName}-${b.version}`, b.installedAs);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** $<envVar>, then the binary on PATH, then the cached build; null if none. */
export function findGoBinary(b: GoBinary, env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env[b.envVar];
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new GoBinaryError(`${b.envVar}=${explicit} is not an executable file; fix or unset it.`);
  }
  const cached = cachedBinaryPath(b, env);
  return onPath(b.onPath, env) ?? (isExecutable(cached) ? cached : null);
}

/** Finds the binary or builds it with Go into the cache, showing progress while it builds. */
export async function ensureGoBinary(b: GoBinary, env: NodeJS.ProcessEnv = process.env, log: Logger = createLogger(b.cacheName)): Promise<string> {
  const found = findGoBinary(b, env);
  if (found) return found;
  const go = onPath('go', env);
  if (!go) {
    throw new GoBinaryError(
      `No ${b.title} found, and no Go toolchain to build it. Either install Go 1.25 or newer and run this again ` +
        `(it builds ${moduleAt(b)}), or install ${b.title} and set ${b.envVar}=/path/to/${b.onPath}.`,
    );
  }
  const target = cachedBinaryPath(b, env);
  mkdirSync(dirname(target), { recursive: true });
  log.info({ module: moduleAt(b), into: target }, `building ${b.title} with Go; a cold build took ${b.coldBuild}`);
  const started = Date.now();
  const tick = setInterval(() => log.info({ seconds: Math.round((Date.now() - started) / 1000) }, `still building ${b.title}`), 30_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', moduleAt(b)], {
        // From a folder of its own: `go install module@version` must not see the work tree as a module.
        cwd: dirname(target),
        env: { ...env, CGO_ENABLED: '0', GOBIN: dirname(target), ...(b.toolchain && !env.GOTOOLCHAIN ? { GOTOOLCHAIN: b.toolchain } : {}) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0 || !isExecutable(target)) {
      throw new GoBinaryError(`go install ${moduleAt(b)} failed (exit ${code}); see the Go output above.`);
    }
  } finally {
    clearInterval(tick);
  }
  log.info({ path: target, seconds: Math.round((Date.now() - started) / 1000) }, `built ${b.title}`);
  return target;
}

/**
 * The folder of the source of the module a binary is built from (or of `module`, a parent of it:
 * schemas, config templates), downloaded to Go's module cache if it is not there, with the
 * binary's toolchain; $TEMPORAL_SERVER_SOURCE instead where there is no Go.
 */
export function moduleSource(b: Pick<GoBinary, 'module' | 'version' | 'toolchain'>, module: string, env: NodeJS.ProcessEnv = process.env): string {
  const { version } = b;
  if (env.TEMPORAL_SERVER_SOURCE) return env.TEMPORAL_SERVER_SOURCE;
  const go = onPath('go', env);
  if (!go) throw new GoBinaryError(`Go is needed to find ${module}@${version}'s schemas; or set TEMPORAL_SERVER_SOURCE to a checkout of it.`);
  const toolchain = b.toolchain && !env.GOTOOLCHAIN ? { GOTOOLCHAIN: b.toolchain } : {};
  const out = spawnSync(go, ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: homedir(), env: { ...env, GOFLAGS: '-mod=mod', ...toolchain } });
  const dir = out.status === 0 ? (JSON.parse(out.stdout) as { Dir?: string }).Dir : undefined;
  if (!dir) throw new GoBinaryError(`go mod download ${module}@${version} failed: ${out.stderr.trim() || out.stdout.trim()}`);
  return dir;
}

// Run directly (`tsx scripts/go-binaries.ts`): find or build every binary, one after another (two
// Go builds at once would share two cores), and print their paths.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    for (const b of [TEMPORAL_CLI, TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER]) process.stdout.write(`${b.cacheName}\t${await ensureGoBinary(b)}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}

import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../config/logger.js';
import { cachedBinaryPath, ensureGoBinary, findGoBinary, TEMPORAL_CLI } from './go-binaries.js';

/** Where a built CLI is kept: outside the work tree, so fresh clones reuse it. */
export const cachedCliPath = (env: NodeJS.ProcessEnv = process.env): string => cachedBinaryPath(TEMPORAL_CLI, env);

/** $TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cached build; null if none. */
export const findTemporalCli = (env: NodeJS.ProcessEnv = process.env): string | null => findGoBinary(TEMPORAL_CLI, env);

/** Finds the CLI or builds it with Go into the cache, showing progress while it builds. */
export const ensureTemporalCli = (env: NodeJS.ProcessEnv = process.env, log?: Logger): Promise<string> => ensureGoBinary(TEMPORAL_CLI, env, log);

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

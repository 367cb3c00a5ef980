import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { devServerArgs } from '../scripts/dev-server.js';
import { cachedCliPath, ensureTemporalCli, findTemporalCli } from '../scripts/temporal-cli.js';
import { cachedBinaryPath, ensureGoBinary, findGoBinary, TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER } from '../scripts/go-binaries.js';
import { createLogger } from '../config/logger.js';

function fakeExecutable(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho temporal version 0.0.0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('finding the Temporal CLI', () => {
  const home = () => mkdtempSync(join(tmpdir(), 'luodi-cli-'));

  test('$TEMPORAL_CLI_PATH first, then PATH, then the cache', () => {
    const h = home();
    const explicit = fakeExecutable(join(h, 'explicit', 'temporal'));
    const onPath = fakeExecutable(join(h, 'bin', 'temporal'));
    const env = { HOME: h, XDG_CACHE_HOME: join(h, 'cache') };
    const cached = fakeExecutable(cachedCliPath(env));
    expect(cached).toBe(join(h, 'cache', 'luodi', 'temporal-cli-v1.5.1', 'temporal'));
    expect(findTemporalCli({ ...env, TEMPORAL_CLI_PATH: explicit, PATH: join(h, 'bin') })).toBe(explicit);
    expect(findTemporalCli({ ...env, PATH: join(h, 'bin') })).toBe(onPath);
    expect(findTemporalCli({ ...env, PATH: join(h, 'nothing') })).toBe(cached);
  });

  test('a TEMPORAL_CLI_PATH that is not executable is named in the error', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: '/nonexistent/temporal', PATH: '' })).toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal/);
  });

  test('with neither a binary nor Go, the error says exactly what to install', async () => {
    const h = home();
    const env = { HOME: h, XDG_CACHE_HOME: join(h, 'cache'), PATH: join(h, 'empty') };
    expect(findTemporalCli(env)).toBeNull();
    await expect(ensureTemporalCli(env, createLogger('t', 'silent'))).rejects.toThrow(
      /install Go 1\.25 or newer .*github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1.*or install the Temporal CLI and set TEMPORAL_CLI_PATH/,
    );
  });

  test('the dev server is started with every search attribute, the UI or headless, and a state file', () => {
    const args = devServerArgs({ cliPath: 'temporal', port: 7233, namespace: 'default', uiPort: 8233, dbFile: '.data/t.db' });
    expect(args.join(' ')).toContain('--search-attribute ProjectStage=Keyword --search-attribute ProjectCity=Keyword');
    expect(args.join(' ')).toContain('--ui-port 8233');
    expect(args.join(' ')).toContain('--db-filename .data/t.db');
    const headless = devServerArgs({ cliPath: 'temporal', port: 7233, namespace: 'default', uiPort: null, dbFile: null });
    expect(headless).toContain('--headless');
    expect(headless).not.toContain('--db-filename');
  });
});

describe("finding Temporal's server and its tools", () => {
  test('each the same way as the CLI: its own variable, then its usual name on PATH, then its cache folder', () => {
    const h = mkdtempSync(join(tmpdir(), 'luodi-server-'));
    const env = { HOME: h, XDG_CACHE_HOME: join(h, 'cache') };
    expect(cachedBinaryPath(TEMPORAL_SERVER, env)).toBe(join(h, 'cache', 'luodi', 'temporal-server-v1.32.2', 'server'));
    expect(cachedBinaryPath(TEMPORAL_SQL_TOOL, env)).toBe(join(h, 'cache', 'luodi', 'temporal-sql-tool-v1.32.2', 'sql'));
    expect(cachedBinaryPath(TEMPORAL_UI_SERVER, env)).toBe(join(h, 'cache', 'luodi', 'temporal-ui-server-v2.54.1', 'server'));
    const cached = fakeExecutable(cachedBinaryPath(TEMPORAL_SERVER, env));
    const onPath = fakeExecutable(join(h, 'bin', 'temporal-server'));
    const explicit = fakeExecutable(join(h, 'explicit', 'server'));
    expect(findGoBinary(TEMPORAL_SERVER, { ...env, TEMPORAL_SERVER_PATH: explicit, PATH: join(h, 'bin') })).toBe(explicit);
    expect(findGoBinary(TEMPORAL_SERVER, { ...env, PATH: join(h, 'bin') })).toBe(onPath);
    expect(findGoBinary(TEMPORAL_SERVER, { ...env, PATH: join(h, 'nothing') })).toBe(cached);
    expect(findGoBinary(TEMPORAL_SQL_TOOL, { ...env, PATH: join(h, 'nothing') })).toBeNull();
  });

  test('with no Go, the error names the module and the variable', async () => {
    const h = mkdtempSync(join(tmpdir(), 'luodi-server-'));
    await expect(ensureGoBinary(TEMPORAL_SQL_TOOL, { HOME: h, XDG_CACHE_HOME: join(h, 'cache'), PATH: join(h, 'empty') }, createLogger('t', 'silent'))).rejects.toThrow(
      /go\.temporal\.io\/server\/cmd\/tools\/sql@v1\.32\.2.*TEMPORAL_SQL_TOOL_PATH=\/path\/to\/temporal-sql-tool/,
    );
  });
});

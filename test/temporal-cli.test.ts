import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { devServerArgs } from '../scripts/dev-server.js';
import { cachedCliPath, ensureTemporalCli, findTemporalCli } from '../scripts/temporal-cli.js';
import { createLogger } from '../config/logger.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

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

  test('docker-compose registers the same search attributes as the dev server', () => {
    const compose = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const args = devServerArgs({ cliPath: 'temporal', port: 7233, namespace: 'default', uiPort: null, dbFile: null });
    const pairs = args.filter((_, i) => args[i - 1] === '--search-attribute');
    expect(pairs).toHaveLength(SEARCH_ATTRIBUTES.length);
    for (const [name, type] of pairs.map((p) => p.split('='))) expect(compose).toContain(`--name ${name} --type ${type}`);
  });
});

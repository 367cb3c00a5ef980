import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { requireBrowser } from './browser.js';

/** On a machine without Chromium, the browser suite must say in one line what to install: no stack trace, no silent skip. */
describe('a missing browser', () => {
  test('is one line naming the install command', () => {
    let thrown: Error | undefined;
    try {
      requireBrowser('/nonexistent/chromium');
    } catch (err) {
      thrown = err as Error;
    }
    expect(thrown?.message).toBe(
      'The browser tests need Chromium, and there is none at /nonexistent/chromium: install it with `sudo apt-get install chromium fonts-noto-cjk` (or set CHROMIUM_PATH).',
    );
    expect(thrown?.stack).toBe(`BrowserMissing: ${thrown?.message}`);
    // A file that is there but cannot be run is no browser either.
    expect(() => requireBrowser(new URL('../package.json', import.meta.url).pathname)).toThrow(/apt-get install chromium fonts-noto-cjk/);
    expect(() => requireBrowser(process.execPath)).not.toThrow();
  });

  test('fails the browser suite at once, with that line and nothing else of its own', async () => {
    // A run of its own, as a newcomer would start it; vitest's variables of this run are left out.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
    const run = promisify(execFile)(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/pages.browser.test.ts'], {
      env: { ...env, CHROMIUM_PATH: '/nonexistent/chromium', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const failed = await run.then(
      () => null,
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    const output = `${failed!.stdout}\n${failed!.stderr}`;
    const ours = output.split('\n').filter((line) => line.includes('Chromium') || line.includes('chromium'));
    expect(ours).toEqual([
      'BrowserMissing: The browser tests need Chromium, and there is none at /nonexistent/chromium: install it with `sudo apt-get install chromium fonts-noto-cjk` (or set CHROMIUM_PATH).',
    ]);
    // No stack trace, and no test ran (nothing was skipped in silence either: the file failed).
    expect(output).not.toMatch(/^\s+(at |❯ )\S+\.(ts|js):\d+/m);
    expect(output).toMatch(/Test Files\s+1 failed/);
    expect(output).toMatch(/Tests\s+no tests/);
  });
});

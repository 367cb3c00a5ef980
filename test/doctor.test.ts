import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../scripts/dev-server.js';
import { checkNode } from '../scripts/doctor.js';

/**
 * `npm run doctor` on a machine that lacks one prerequisite at a time: it names the one, says what
 * to do, passes the rest, and exits 1.
 */
const run = promisify(execFile);
let emptyCache: string;
let held: Server;
let heldPort: number;
beforeAll(async () => {
  emptyCache = mkdtempSync(join(tmpdir(), 'luodi-doctor-'));
  heldPort = await freePort();
  // Something else holds the port, and hangs up on whoever connects (a PostgreSQL client, here).
  held = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => held.listen(heldPort, '127.0.0.1', resolve));
});
afterAll(async () => {
  rmSync(emptyCache, { recursive: true, force: true });
  await new Promise((resolve) => held.close(resolve));
});

/** The doctor as a newcomer runs it, with this machine's environment changed by `env`. */
async function doctor(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const ports = { PORT: String(await freePort()), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, TEMPORAL_UI_PORT: String(await freePort()) };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/doctor-main.ts'], { env: { ...process.env, ...ports, NO_COLOR: '1', ...env }, timeout: 30_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

describe('npm run doctor', () => {
  test('on this machine, everything is there', async () => {
    const { code, out } = await doctor({});
    expect(out).toMatch(/✓ PostgreSQL/);
    expect(out).toMatch(/✓ Chromium/);
    expect(code, out).toBe(0);
  });

  test('PostgreSQL not running: it says so, and how to start it', async () => {
    const { code, out } = await doctor({ DATABASE_URL: `postgres://postgres@127.0.0.1:${heldPort}/luodi` });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ PostgreSQL: not reachable at 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/→ start PostgreSQL .* or set DATABASE_URL/);
    expect(out).toMatch(/✓ Node\.js/);
    expect(out).toMatch(/1 to fix/);
  });

  test('no Chromium: it names the package to install', async () => {
    const { code, out } = await doctor({ CHROMIUM_PATH: join(emptyCache, 'chromium') });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ Chromium \(tests\): none at/);
    expect(out).toMatch(/→ sudo apt-get install chromium fonts-noto-cjk/);
  });

  test('no temporal binary and no Go: it says to install Go or the binary', async () => {
    const { code, out } = await doctor({ PATH: '/usr/bin:/bin', XDG_CACHE_HOME: emptyCache, TEMPORAL_CLI_PATH: '' });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ Temporal CLI: no temporal binary, and no Go to build one/);
    expect(out).toMatch(/→ install Go 1\.25 or newer/);
  });

  test('a port npm start needs is taken: it names the port and the variable', async () => {
    const { code, out } = await doctor({ PORT: String(heldPort) });
    expect(code).toBe(1);
    expect(out).toContain(`✗ Ports: in use: ${heldPort} (PORT)`);
  });

  test('an old Node is refused, naming the version to install', () => {
    expect(checkNode('18.19.0')).toMatchObject({ ok: false, fix: expect.stringMatching(/20\.3 or newer/) });
    expect(checkNode('20.3.0').ok).toBe(true);
    expect(checkNode('22.1.0').ok).toBe(true);
  });
});

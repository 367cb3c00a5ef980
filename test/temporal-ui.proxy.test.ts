import type { Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createApp } from '../api/app.js';
import { supervisorViews, temporalUiListPath } from '../api/temporal-views.js';
import { createLogger } from '../config/logger.js';
import { setPassword } from '../db/users.js';
import { spawnUiServer } from '../scripts/cluster.js';
import { freePort, startDevServer, stopProcess } from '../scripts/dev-server.js';
import { ensureGoBinary, TEMPORAL_UI_SERVER } from '../scripts/go-binaries.js';
import { launchBrowser } from './browser.js';
import { TEST_KEY_RING } from './keys.js';
import { bundle, eventually, newCode, signInPages, startStack, type Stack } from './stack.js';
import { testCertificates } from './temporal-target.js';

/**
 * The Temporal UI through luodi, against the real UI server: with `npm test` the dev server's
 * built-in UI (the run's shared dev server has none, so this file starts its own, with a UI under
 * /temporal: a second or two); with `npm run test:cluster` the UI server from
 * deploy/temporal-ui/cluster.yaml, read-only, against the run's cluster.
 */
const target = inject('temporalTarget');
const PASSWORD = 'correct horse battery';
const log = createLogger('test-temporal-ui', 'silent');

let stopUi: () => Promise<void> = async () => undefined;
let stack: Stack;
let server: Server;
let baseUrl: string;
let code: string;
/** The signed-in users' session cookies: a province supervisor, and two city users. */
const SIGNED_IN = ['supervisor', 'coordinatorShenyang', 'staffLand'] as const;
const cookie = {} as Record<(typeof SIGNED_IN)[number], string>;

/** Starts the UI server for luodi at `luodiUrl`; resolves with its address once it answers. */
async function startUi(uiPort: number, luodiUrl: string): Promise<{ address: string }> {
  if (target === 'dev') {
    const dev = await startDevServer({ cliPath: inject('temporalCliPath'), port: await freePort(), namespace: 'default', uiPort, dbFile: null, uiCodecEndpoint: `${luodiUrl}/temporal-codec` });
    stopUi = () => dev.stop();
    return { address: dev.address };
  }
  const address = inject('temporalAddress');
  const tls = testCertificates();
  const ui = spawnUiServer(await ensureGoBinary(TEMPORAL_UI_SERVER, process.env, log), { address, port: uiPort, luodiUrl, ...(tls ? { tls } : {}) });
  ui.exited.catch(() => undefined);
  stopUi = () => stopProcess(ui.process);
  await Promise.race([ui.exited, eventually(async () => ((await fetch(`http://127.0.0.1:${uiPort}/temporal/`).catch(() => null))?.ok ? true : undefined), 30_000)]);
  return { address };
}

beforeAll(async () => {
  const uiPort = await freePort();
  const luodiPort = await freePort();
  baseUrl = `http://127.0.0.1:${luodiPort}`;
  const { address } = await startUi(uiPort, baseUrl);
  stack = await startStack(await bundle(), { address });
  // luodi as api/main.ts makes it, with the real UI server as the upstream of /temporal/.
  const app = createApp({ client: stack.client, db: stack.db, keyRing: TEST_KEY_RING, log, taskQueue: stack.taskQueue, temporalUiUrl: `http://127.0.0.1:${uiPort}` });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(luodiPort, '127.0.0.1', () => resolve(s));
  });
  for (const user of SIGNED_IN) {
    await setPassword(stack.db, stack.userIds[user], PASSWORD);
    cookie[user] = (await signInPages(baseUrl, stack.userIds[user], PASSWORD)).cookie!;
  }
  code = newCode();
  expect((await stack.api('/api/projects', { body: { code, name: 'Temporal 界面测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed' } })).status).toBe(201);
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await stack?.close();
  await stopUi();
});

type Who = keyof typeof cookie | null;

function get(path: string, who: Who, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: { ...(who ? { cookie: cookie[who] } : {}), ...headers } });
}

const PAGE = { accept: 'text/html,application/xhtml+xml' };
const LIST = `/temporal/api/v1/namespaces/default/workflows`;

describe('who may open the Temporal UI', () => {
  test('signed out: a page goes to the sign-in page and back; the UI\'s own requests are 401', async () => {
    const page = await get('/temporal/namespaces/default/workflows', null, PAGE);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/signin?next=${encodeURIComponent('/temporal/namespaces/default/workflows')}`);
    const api = await get(LIST, null, { accept: 'application/json' });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test.each(['coordinatorShenyang', 'staffLand'] as const)('%s (a city user) is refused: a page that says why, and 403 for data', async (who) => {
    const page = await get('/temporal/', who, PAGE);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('只对省级督查人员和协调员开放');
    // A city coordinator has the stuck list instead; staff have none.
    expect(html.includes('href="/stuck"')).toBe(who === 'coordinatorShenyang');
    const api = await get(LIST, who);
    expect(api.status).toBe(403);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('a province supervisor gets the UI: its page under luodi\'s headers, and the workflow list as JSON', async () => {
    const page = await get('/temporal/', 'supervisor', PAGE);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/temporal/_app/');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-[^']+'/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

    const list = await eventually(async () => {
      const res = await get(`${LIST}?query=${encodeURIComponent(`WorkflowId = "${code}"`)}`, 'supervisor');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { executions?: { execution: { workflowId: string } }[] };
      return body.executions?.length ? body.executions : undefined;
    });
    expect(list.map((e) => e.execution.workflowId)).toEqual([code]);
  });
});

describe('read-only through luodi', () => {
  test('terminating a workflow through the UI is refused by luodi, and the workflow runs on', async () => {
    const res = await fetch(`${baseUrl}/temporal/api/v1/namespaces/default/workflows/${code}/terminate`, {
      method: 'POST',
      headers: { cookie: cookie.supervisor, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'through the proxy' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/read-only through luodi/);
    expect((await stack.client.workflow.getHandle(code).describe()).status.name).toBe('RUNNING');
  });

  test.each(['PUT', 'DELETE', 'PATCH'])('%s is refused', async (method) => {
    const res = await fetch(`${baseUrl}/temporal/api/v1/namespaces/default/workflows/${code}`, { method, headers: { cookie: cookie.supervisor } });
    expect(res.status).toBe(403);
  });

  test("a workflow query (a read) passes, with the UI's CSRF token; luodi's Authorization header does not reach the UI server", async () => {
    // The UI server sets its CSRF cookie on a GET, and checks it on every POST.
    const first = await get(`${LIST}?pageSize=1`, 'supervisor');
    const csrf = first.headers.getSetCookie().find((c) => c.startsWith('_csrf='))!.split(';')[0]!;
    const query = (headers: Record<string, string>) =>
      fetch(`${baseUrl}/temporal/api/v1/namespaces/default/workflows/${code}/query/getState`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ execution: { workflowId: code }, query: { queryType: 'getState' } }),
      });
    const answered = await query({ cookie: `${cookie.supervisor}; ${csrf}`, 'x-csrf-token': csrf.slice('_csrf='.length) });
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { queryResult?: { payloads: unknown[] } }).queryResult?.payloads).toHaveLength(1);
    // With an Authorization header the UI server skips its CSRF check (and forwards the header to
    // Temporal); luodi withholds it, so a POST without the CSRF token is still refused upstream.
    const withToken = await query({ cookie: cookie.supervisor, authorization: `Bearer ${stack.tokens.supervisor}` });
    expect(withToken.status).toBeGreaterThanOrEqual(400);
    expect(withToken.status).toBeLessThan(500);
    expect(withToken.headers.get('content-type') ?? '').not.toMatch(/problem\+json/);
  });

  test.runIf(target === 'cluster')("the UI server itself is read-only, with luodi's codec endpoint (deploy/temporal-ui/cluster.yaml)", async () => {
    const res = await get('/temporal/api/v1/settings', 'supervisor');
    expect(res.status).toBe(200);
    const settings = (await res.json()) as Record<string, unknown> & { Codec: { Endpoint: string; IncludeCredentials: boolean } };
    expect(settings).toMatchObject({
      DisableWriteActions: true,
      WorkflowTerminateDisabled: true,
      WorkflowCancelDisabled: true,
      WorkflowSignalDisabled: true,
      WorkflowUpdateDisabled: true,
      WorkflowResetDisabled: true,
      WorkflowPauseDisabled: true,
      BatchActionsDisabled: true,
      StartWorkflowDisabled: true,
    });
    expect(settings.Codec).toMatchObject({ Endpoint: `${baseUrl}/temporal-codec`, IncludeCredentials: true });
  });
});

describe("luodi's links to the Temporal UI", () => {
  const LINK = () => `href="/temporal/namespaces/default/workflows/${code}"`;

  test('a province supervisor sees the project\'s workflow link, and the UI in the menu', async () => {
    const html = await (await get(`/projects/${code}`, 'supervisor')).text();
    expect(html).toContain(LINK());
    expect(html).toContain('href="/temporal/"');
  });

  test('a city coordinator sees no link to the UI', async () => {
    const res = await get(`/projects/${code}`, 'coordinatorShenyang');
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('/temporal/');
    const stuck = await get('/stuck', 'coordinatorShenyang');
    expect(stuck.status).toBe(200);
    expect(await stuck.text()).not.toContain('/temporal/');
  });

  test('the stuck list gives a province supervisor the UI\'s list views with their queries set, and the UI\'s server takes each query', async () => {
    const html = await (await get('/stuck', 'supervisor')).text();
    const hrefs = [...html.matchAll(/href="(\/temporal\/namespaces\/default\/workflows\?query=[^"]+)"/g)].map(([, h]) => h!.replace(/&amp;/g, '&'));
    const views = supervisorViews();
    expect(hrefs).toEqual(views.map((v) => temporalUiListPath('default', v.query)));
    expect(views.map((v) => v.query)).toContain("WorkflowType = 'projectLanding' AND ExecutionStatus = 'Running' AND ProjectStuck = true AND ProjectCity = '沈阳'");
    // Each query is one Temporal's visibility accepts: the UI's own list request, through luodi.
    for (const v of views.slice(0, 3)) {
      const res = await get(`${LIST}?query=${encodeURIComponent(v.query)}`, 'supervisor');
      expect(res.status, `${v.query}: ${await res.clone().text()}`).toBe(200);
    }
  });
});

/** Runs `use` with a Chromium page signed in as the province supervisor; closes the browser after. */
async function asSupervisorInChromium(use: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const [name, value] = cookie.supervisor.split('=') as [string, string];
    await context.addCookies([{ name, value, url: baseUrl }]);
    await use(await context.newPage());
  } finally {
    await browser.close();
  }
}

test('the UI works in Chromium through luodi, under its Content-Security-Policy', async () => {
  await asSupervisorInChromium(async (page) => {
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
    });
    await page.goto(`${baseUrl}/temporal/namespaces/default/workflows`);
    await page.getByText(code).first().waitFor({ timeout: 30_000 });
    // The workflow's queries tab: the UI asks the workflow for its query types by a query (a POST,
    // with the UI's CSRF token), which luodi lets through.
    const { runId } = await stack.client.workflow.getHandle(code).describe();
    const queried = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/temporal/api/v1/namespaces/default/workflows/${code}/query/`));
    await page.goto(`${baseUrl}/temporal/namespaces/default/workflows/${encodeURIComponent(code)}/${runId}/query`);
    await page.getByText(code).first().waitFor({ timeout: 30_000 });
    expect((await queried).status()).toBe(200);
    expect(violations).toEqual([]);
  });
});

test('the UI shows a province supervisor the workflow\'s input decrypted by luodi\'s codec endpoint', async () => {
  await asSupervisorInChromium(async (page) => {
    // (The UI server of the cluster adds ?preserveStorageRefs=true.)
    const decoded = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/temporal-codec/decode');
    const { runId } = await stack.client.workflow.getHandle(code).describe();
    await page.goto(`${baseUrl}/temporal/namespaces/default/workflows/${encodeURIComponent(code)}/${runId}/history`);
    expect((await decoded).status()).toBe(200);
    // The project's name is in the workflow's input, which Temporal holds encrypted.
    await page.getByText('Temporal 界面测试').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: 'test-results/temporal-ui-decoded.png', fullPage: true });
  });
});

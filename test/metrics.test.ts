import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { addContact } from '../db/contacts.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { createLogger } from '../config/logger.js';
import { freePort } from '../scripts/dev-server.js';
import { createCoordinator, createProject, httpClient, killLeftoverProcesses, spawnApi, spawnEntry, WORKER_STARTED } from './fault-stack.js';
import { eventually, newCode } from './stack.js';

/**
 * The Prometheus endpoints of the real entry points, scraped: the API's request durations by route
 * pattern, the worker's SDK runtime telemetry (sticky cache, task latencies), and the dispatcher's
 * outcomes and outbox lag. Each listens on loopback, on the port its variable names.
 */
const address = inject('temporalAddress');
// A database of this file's own: its dispatcher must not deliver (or fail) other files' notifications.
const url = new URL(inject('databaseUrl'));
url.pathname = `${url.pathname}_metrics`;
const databaseUrl = url.toString();
let db: Db;
beforeAll(async () => {
  await prepareDatabase(databaseUrl, createLogger('test', 'warn'));
  db = createDb(databaseUrl);
});
afterAll(async () => {
  await killLeftoverProcesses();
  await db?.destroy();
  await dropDatabase(databaseUrl);
});

const scrape = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};

test('the API, the worker and the dispatcher each serve their metrics, and a scrape shows the work done', async () => {
  const taskQueue = `metrics-${randomUUID()}`;
  const [apiMetrics, workerMetrics, dispatcherMetrics] = [await freePort(), await freePort(), await freePort()];
  const env = { TEMPORAL_ADDRESS: address, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' };
  const worker = spawnEntry('worker/main.ts', { ...env, WORKER_METRICS_PORT: String(workerMetrics), WORKER_MAX_CACHED_WORKFLOWS: '50' });
  const dispatcher = spawnEntry('worker/dispatcher-main.ts', { ...env, DISPATCHER_METRICS_PORT: String(dispatcherMetrics), DISPATCH_POLL_MS: '100' });
  await worker.waitForLine(WORKER_STARTED);
  await dispatcher.waitForLine(/"msg":"dispatcher started"/);
  const { baseUrl } = await spawnApi({ ...env, LOG_LEVEL: 'warn', API_METRICS_PORT: String(apiMetrics) });
  const coordinator = await createCoordinator(db);
  const http = httpClient(baseUrl, coordinator.token);
  // The coordination department of 铁岭 is this coordinator: a blocker there is delivered to them in-app.
  await addContact(db, { city: '铁岭', department: null, audience: 'coordination', user_id: coordinator.id, webhook_id: null });

  const code = newCode();
  expect((await createProject(http, code, { city: '铁岭' })).status).toBe(201);
  expect((await http(`/api/projects/${code}/blockers`, { body: { category: 'land', description: '用地指标未下达' } })).status).toBe(201);

  const api = await scrape(apiMetrics);
  expect(api).toMatch(/luodi_http_request_duration_seconds_count\{method="POST",route="\/api\/projects",status="201"\} 1/);
  expect(api).toMatch(/luodi_http_request_duration_seconds_count\{method="POST",route="\/api\/projects\/:code\/blockers",status="201"\} 1/);
  expect(api).not.toContain(code);
  expect(api).toContain('luodi_api_process_resident_memory_bytes');

  // The SDK's runtime telemetry: the sticky cache holds the project's workflow.
  const sdk = await eventually(async () => {
    const text = await scrape(workerMetrics);
    return /temporal_sticky_cache_size\{[^}]*\} [1-9]/.test(text) ? text : undefined;
  });
  expect(sdk).toMatch(/temporal_workflow_task_execution_latency/);

  // The blocker's notification to the coordination department is delivered (in-app at least).
  const outcomes = await eventually(async () => {
    const text = await scrape(dispatcherMetrics);
    return /luodi_outbox_deliveries_total\{channel="in_app",outcome="delivered"\} [1-9]/.test(text) ? text : undefined;
  }, 30_000);
  expect(outcomes).toMatch(/luodi_outbox_lag_seconds \d/);
  expect(outcomes).toMatch(/luodi_outbox_due \d/);
});

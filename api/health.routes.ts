import { Router } from 'express';
import { ping } from '../db/connection.js';
import { safeMessage } from '../db/errors.js';
import type { RouteDeps } from './http.js';
import { RETRY_AFTER_SECONDS } from './problem.js';

/** How long a readiness probe waits for each dependency. */
const PROBE_MS = 2_000;

/**
 * `/healthz`: the process answers. `/readyz`: each dependency answers too (PostgreSQL, Temporal);
 * 503 with Retry-After and the one that is down, for a load balancer or a person.
 */
export function createHealthRouter(deps: RouteDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      probe(() => ping(deps.db)),
      probe(() => deps.client.withDeadline(Date.now() + PROBE_MS, () => deps.client.workflowService.getSystemInfo({}))),
    ]);
    const ok = postgres.up && temporal.up;
    if (!ok) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(ok ? 200 : 503).json({ ok, dependencies: { postgres, temporal } });
  });
  return router;
}

async function probe(check: () => Promise<unknown>): Promise<{ up: boolean; ms: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_MS} ms`)), PROBE_MS)))]);
    return { up: true, ms: Date.now() - started };
  } catch (err) {
    return { up: false, ms: Date.now() - started, error: safeMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

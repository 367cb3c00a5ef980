import express, { type Express } from 'express';
import type { TrustProxy } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import { createAdminRouter } from './admin.routes.js';
import { authenticate, tokenLookup } from './auth.js';
import { createDocsRouter } from './docs.routes.js';
import type { RouteDeps } from './http.js';
import { createFundsRouter } from './funds.routes.js';
import type { IdempotencyTimes } from '../db/idempotency-keys.js';
import { createHealthRouter } from './health.routes.js';
import { idempotency } from './idempotency.js';
import type { ApiMetrics } from './metrics.js';
import { createImportsRouter } from './imports.routes.js';
import { SHEET_TYPES } from './summit-import/sheet.js';
import { createPagesRouter } from './pages/pages.routes.js';
import { createStatisticsRouter } from './statistics.routes.js';
import { createReportsRouter } from './reports.routes.js';
import { createNotificationsRouter } from './notifications.routes.js';
import { notFound, problemHandler } from './problem.js';
import { createProjectActionsRouter } from './project-actions.routes.js';
import { createProjectsRouter } from './projects.routes.js';
import { createWorklistsRouter } from './worklists.routes.js';
import { securityHeaders } from './security-headers.js';
import { SignInGuard, type SignInLimits } from './signin-limits.js';
import { temporalUiProxy } from './temporal-ui.js';
import { createTemporalCodecRouter } from './temporal-codec.routes.js';
import { EncryptionCodec } from '../config/payload-codec.js';
import { createTokensRouter } from './tokens.routes.js';
import type { TokenCache } from './token-cache.js';

/** How long one request may wait on Temporal (an update waits for the worker too). */
export const TEMPORAL_DEADLINE_MS = 10_000;

export interface AppDeps extends RouteDeps {
  log: Logger;
  /** Idempotency-Key lease and lifetime; the defaults are documented in the README. */
  idempotency?: IdempotencyTimes;
  temporalDeadlineMs?: number;
  /** Express's `trust proxy` (TRUST_PROXY); by default no proxy is trusted. */
  trustProxy?: TrustProxy;
  signInLimits?: SignInLimits;
  /** Request durations by route, for Prometheus (API_METRICS_PORT). */
  metrics?: ApiMetrics;
  /** API tokens' users kept in memory (API_TOKEN_CACHE_SECONDS); without it each request reads them. */
  tokenCache?: TokenCache;
  /** luodi's address for people (PUBLIC_URL). */
  publicUrl?: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(securityHeaders());
  if (deps.metrics) app.use(deps.metrics.middleware);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.locals.log = deps.log;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const user = (res.locals.user as { id: string } | undefined)?.id;
      deps.log.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms), user }, 'request');
    });
    next();
  });
  app.use(createHealthRouter(deps));
  // Every Temporal call a request makes ends within the deadline: a 503, never a hanging request.
  app.use((_req, res, next) => {
    void deps.client.withDeadline(Date.now() + (deps.temporalDeadlineMs ?? TEMPORAL_DEADLINE_MS), () => new Promise<void>((resolve) => {
      res.once('close', resolve);
      next();
    }));
  });
  // The Temporal UI, for the signed-in: before the API's body parsers, so that its bodies pass untouched.
  app.use(temporalUiProxy({ db: deps.db, upstream: deps.temporalUiUrl, log: deps.log }));
  // Its codec endpoint: decrypts payloads for those who may open the UI, and no one else.
  app.use(createTemporalCodecRouter({ db: deps.db, codec: new EncryptionCodec(deps.keyRing), log: deps.log, ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}) }));
  const api = express.Router();
  api.use(createDocsRouter());
  api.use(authenticate(tokenLookup(deps.db, deps.tokenCache)));
  api.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  // Parsed before the idempotency check, so that a file is part of what a key stands for.
  api.use(express.raw({ type: Object.values(SHEET_TYPES), limit: '10mb' }));
  api.use(idempotency(deps.db, deps.idempotency));
  api.use('/projects', createProjectsRouter(deps));
  api.use('/projects', createProjectActionsRouter(deps));
  api.use('/projects', createFundsRouter(deps));
  api.use(createWorklistsRouter(deps));
  api.use(createImportsRouter(deps));
  api.use(createAdminRouter(deps));
  api.use(createTokensRouter(deps));
  api.use(createStatisticsRouter(deps));
  api.use(createReportsRouter(deps));
  api.use(createNotificationsRouter(deps));
  app.use('/api', api);
  app.use(createPagesRouter({ ...deps, signInGuard: new SignInGuard(deps.db, deps.signInLimits) }));
  app.use(notFound);
  app.use(problemHandler(deps.log));
  return app;
}

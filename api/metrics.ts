import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The API's Prometheus metrics: request duration by route (the route's pattern, never the raw path), and the process's own. */
export interface ApiMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'luodi_api_' });
  const duration = new Histogram({
    name: 'luodi_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The matched pattern (/api/projects/:code/stage), so that codes never become labels.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}`.replace(/(.)\/$/, '$1') : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}

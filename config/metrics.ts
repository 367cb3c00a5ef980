import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

/**
 * Serves a Prometheus registry at GET /metrics on loopback only (a scraper on the same host, or a
 * sidecar, reads it; nothing of it is public). Port 0 picks a free port.
 */
export async function serveMetrics(registry: Registry, port: number, log: Logger): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`Cannot serve metrics on 127.0.0.1:${port} (${err.message}); set the metrics port to a free one.`)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  log.info({ url }, 'metrics at');
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

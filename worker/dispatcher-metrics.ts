import { Counter, Gauge, Registry } from 'prom-client';
import type { Db } from '../db/connection.js';
import { outboxLag } from '../db/outbox.js';

/** The dispatcher's Prometheus metrics: outcomes by channel, and the outbox's lag read when scraped. */
export interface DispatcherMetrics {
  registry: Registry;
  outcomes: Counter<'channel' | 'outcome'>;
}

export function createDispatcherMetrics(db: Db): DispatcherMetrics {
  const registry = new Registry();
  const outcomes = new Counter({
    name: 'luodi_outbox_deliveries_total',
    help: 'Notification deliveries by channel and outcome (delivered, failed: retried later, dead)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const due = new Gauge({ name: 'luodi_outbox_due', help: 'Notifications due and not yet delivered', registers: [] });
  // One query per scrape sets both: the lag is collected first, and the count registered after it.
  new Gauge({
    name: 'luodi_outbox_lag_seconds',
    help: 'How long the oldest due notification has waited',
    registers: [registry],
    async collect(this: Gauge) {
      const lag = await outboxLag(db);
      this.set(lag.seconds);
      due.set(lag.due);
    },
  });
  registry.registerMetric(due);
  return { registry, outcomes };
}

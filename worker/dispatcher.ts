import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { claimBatch, markDelivered, markFailed, renewClaim, type OutboxRow } from '../db/outbox.js';
import type { Channel } from '../db/schema.js';
import type { Deliver } from './channels.js';
import type { DispatcherMetrics } from './dispatcher-metrics.js';

export interface DispatcherOptions {
  db: Db;
  log: Logger;
  /** In-app delivery is the outbox transaction itself; email and webhooks go out. */
  channels: Record<Exclude<Channel, 'in_app'>, Deliver>;
  batchSize?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
  /**
   * A row claimed by a dispatcher that died is claimed again after this long. It is renewed just
   * before each delivery, so it must outlast one delivery (webhooks time out after 10 s).
   */
  leaseMs?: number;
  /** A row claimed this many times without an outcome (it killed or hung its dispatcher each time) is dead. */
  maxOpenClaims?: number;
  /** Outcomes counted for Prometheus (DISPATCHER_METRICS_PORT). */
  metrics?: DispatcherMetrics;
}

const defaultBackoff = (attempt: number) => Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));

/** Delivers one batch of due notifications; returns how many rows it handled. */
export async function dispatchOnce(o: DispatcherOptions): Promise<number> {
  const { rows, dead } = await claimBatch(o.db, { limit: o.batchSize ?? 20, leaseMs: o.leaseMs ?? 300_000, maxOpenClaims: o.maxOpenClaims ?? 3 });
  for (const d of dead) o.metrics?.outcomes.inc({ channel: d.channel, outcome: 'dead' });
  for (const d of dead) o.log.error({ id: d.id, channel: d.channel, key: d.dedupe_key, claims: d.open_claims, err: d.last_error }, 'notification dead; an admin can re-drive it');
  for (const [i, row] of rows.entries()) {
    // Rows wait their turn in the batch: renewing the rest before each delivery keeps a slow batch
    // its rows, and a lost one (this dispatcher hung past the lease) is left to whoever holds it.
    if (!(await renewClaim(o.db, rows.slice(i))).has(row.id)) {
      o.log.warn({ id: row.id, channel: row.channel, key: row.dedupe_key }, 'lease lost before delivery: another dispatcher holds this notification; not sent');
      continue;
    }
    await deliverOne(o, row);
  }
  return rows.length + dead.length;
}

/**
 * Every change of the row's state checks this claim's token: a row whose lease ran out belongs
 * to whichever dispatcher claimed it since, and this one records nothing about it.
 */
async function deliverOne(o: DispatcherOptions, row: OutboxRow): Promise<void> {
  const about = { id: row.id, channel: row.channel, key: row.dedupe_key, attempt: row.attempts };
  let error: string | null = null;
  try {
    if (row.channel !== 'in_app') await o.channels[row.channel](row);
  } catch (err) {
    error = (err as Error).message;
  }
  if (error === null) {
    if (await markDelivered(o.db, row)) {
      o.metrics?.outcomes.inc({ channel: row.channel, outcome: 'delivered' });
      o.log.info(about, 'notification delivered');
    }
    else o.log.warn(about, 'delivered, but the lease was lost meanwhile: the outcome is not recorded, and the dispatcher that holds it may send it again');
    return;
  }
  const outcome = await markFailed(o.db, row, error, o.maxAttempts ?? 6, o.backoffMs ?? defaultBackoff);
  if (outcome !== 'lost') o.metrics?.outcomes.inc({ channel: row.channel, outcome: outcome === 'dead' ? 'dead' : 'failed' });
  if (outcome === 'lost') o.log.warn({ ...about, err: error }, 'failed, but the lease was lost meanwhile: the failure is not recorded');
  else if (outcome === 'dead') o.log.error({ ...about, err: error }, 'notification dead; an admin can re-drive it');
  else o.log.warn({ ...about, err: error }, 'notification will be retried');
}

/** Polls the outbox until stopped. */
export function startDispatcher(o: DispatcherOptions, pollMs = 1_000): { stop(): Promise<void> } {
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      try {
        if ((await dispatchOnce(o)) > 0) continue;
      } catch (err) {
        o.log.error({ err }, 'dispatch failed; trying again');
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}

import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { claimBatch, markDelivered, markFailed, type OutboxRow } from '../db/outbox.js';
import type { Channel } from '../db/schema.js';
import type { Deliver } from './channels.js';

export interface DispatcherOptions {
  db: Db;
  log: Logger;
  /** In-app delivery is the outbox transaction itself; email and webhooks go out. */
  channels: Record<Exclude<Channel, 'in_app'>, Deliver>;
  batchSize?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
  /** A row claimed by a dispatcher that died is claimed again after this long. */
  leaseMs?: number;
}

const defaultBackoff = (attempt: number) => Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));

/** Delivers one batch of due notifications; returns how many it handled. */
export async function dispatchOnce(o: DispatcherOptions): Promise<number> {
  const rows = await claimBatch(o.db, o.batchSize ?? 20, o.leaseMs ?? 300_000);
  for (const row of rows) await deliverOne(o, row);
  return rows.length;
}

async function deliverOne(o: DispatcherOptions, row: OutboxRow): Promise<void> {
  try {
    if (row.channel !== 'in_app') await o.channels[row.channel](row);
    await markDelivered(o.db, row);
    o.log.info({ id: row.id, channel: row.channel, key: row.dedupe_key }, 'notification delivered');
  } catch (err) {
    const outcome = await markFailed(o.db, row, (err as Error).message, o.maxAttempts ?? 6, o.backoffMs ?? defaultBackoff);
    o.log[outcome === 'dead' ? 'error' : 'warn']({ id: row.id, channel: row.channel, key: row.dedupe_key, attempt: row.attempts, err: (err as Error).message }, outcome === 'dead' ? 'notification dead; an admin can re-drive it' : 'notification will be retried');
  }
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

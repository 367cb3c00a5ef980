import type { Insertable, Selectable } from 'kysely';
import { isSealedWithActive, openText, sealText, type KeyRing } from '../config/key-ring.js';
import type { Db } from './connection.js';
import type { WebhookEndpointTable } from './schema.js';

export type NewWebhookEndpoint = Insertable<WebhookEndpointTable>;
export type WebhookEndpoint = Selectable<WebhookEndpointTable>;

/** What a webhook secret is sealed for (authenticated with it: a sealed secret cannot be moved to another use). */
export const WEBHOOK_SECRET = 'webhook-secret';

export async function webhookEndpointExists(db: Db, id: string): Promise<boolean> {
  return Boolean(await db.selectFrom('webhook_endpoints').select('id').where('id', '=', id).executeTakeFirst());
}

/** Saves a webhook endpoint with its signing secret sealed by the key ring; returns its id. */
export async function addWebhookEndpoint(db: Db, keyRing: KeyRing, endpoint: NewWebhookEndpoint): Promise<string> {
  const row = await db
    .insertInto('webhook_endpoints')
    .values({ ...endpoint, secret: sealText(keyRing, endpoint.secret, WEBHOOK_SECRET) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One endpoint with its signing secret opened (a secret stored before sealing is read as it is). */
export async function webhookEndpointForDelivery(db: Db, keyRing: KeyRing, id: string): Promise<WebhookEndpoint> {
  const endpoint = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { ...endpoint, secret: openText(keyRing, endpoint.secret, WEBHOOK_SECRET) };
}

/** Every webhook endpoint, without its signing secret. */
export async function listWebhookEndpoints(db: Db) {
  return db.selectFrom('webhook_endpoints').select(['id', 'name', 'url', 'format']).orderBy('id').execute();
}

/**
 * Seals every webhook secret with the ring's active key (plain ones from before sealing, and ones
 * under an older key), in one transaction; returns how many it changed. A secret that no key in
 * the ring opens stops it, and nothing is changed.
 */
export async function rewrapWebhookSecrets(db: Db, keyRing: KeyRing): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('webhook_endpoints').select(['id', 'secret']).orderBy('id').forUpdate().execute();
    let changed = 0;
    for (const row of rows) {
      if (isSealedWithActive(keyRing, row.secret)) continue;
      let secret: string;
      try {
        secret = openText(keyRing, row.secret, WEBHOOK_SECRET);
      } catch (err) {
        throw new Error(`webhook endpoint ${row.id}: ${(err as Error).message}`, { cause: err });
      }
      await trx.updateTable('webhook_endpoints').set({ secret: sealText(keyRing, secret, WEBHOOK_SECRET) }).where('id', '=', row.id).execute();
      changed++;
    }
    return changed;
  });
}

import type { Insertable } from 'kysely';
import type { Db } from './connection.js';
import type { WebhookEndpointTable } from './schema.js';

export type NewWebhookEndpoint = Insertable<WebhookEndpointTable>;

export async function webhookEndpointExists(db: Db, id: string): Promise<boolean> {
  return Boolean(await db.selectFrom('webhook_endpoints').select('id').where('id', '=', id).executeTakeFirst());
}

/** Saves a webhook endpoint (with its signing secret); returns its id. */
export async function addWebhookEndpoint(db: Db, endpoint: NewWebhookEndpoint): Promise<string> {
  const row = await db.insertInto('webhook_endpoints').values(endpoint).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Every webhook endpoint, without its signing secret. */
export async function listWebhookEndpoints(db: Db) {
  return db.selectFrom('webhook_endpoints').select(['id', 'name', 'url', 'format']).orderBy('id').execute();
}

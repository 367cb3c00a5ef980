import { sql } from 'kysely';
import { PROVINCE_WIDE, type NotificationRequest } from '../workflows/contract.js';
import type { Db } from './connection.js';
import type { Channel, OutboxTable } from './schema.js';
import type { Selectable } from 'kysely';
import { renderNotification } from './notification-text.js';

export type OutboxRow = Selectable<OutboxTable>;

interface Recipient {
  key: string;
  userId: string | null;
  email: string | null;
  webhookId: string | null;
  channels: Channel[];
}

/** Everyone a request reaches, with the channels each receives it on. */
async function recipientsOf(db: Db, r: NotificationRequest): Promise<Recipient[]> {
  let userIds: string[] = [];
  let webhookIds: string[] = [];
  if (r.audience === 'liaison') {
    const liaison = typeof r.payload.liaison === 'string' ? r.payload.liaison : null;
    if (liaison) userIds = [liaison];
  } else {
    const city = r.audience === 'provincial_group' ? PROVINCE_WIDE : r.city;
    const rows = await db
      .selectFrom('contacts')
      .select(['user_id', 'webhook_id'])
      .where('audience', '=', r.audience)
      .where('city', '=', city)
      .where((eb) => (r.department ? eb.or([eb('department', '=', r.department), eb('department', 'is', null)]) : eb('department', 'is', null)))
      .execute();
    userIds = rows.flatMap((c) => (c.user_id ? [c.user_id] : []));
    webhookIds = rows.flatMap((c) => (c.webhook_id ? [c.webhook_id] : []));
  }
  const users = userIds.length
    ? await db
        .selectFrom('users')
        .leftJoin('user_channels as inapp', (j) => j.onRef('inapp.user_id', '=', 'users.id').on('inapp.channel', '=', 'in_app'))
        .leftJoin('user_channels as mail', (j) => j.onRef('mail.user_id', '=', 'users.id').on('mail.channel', '=', 'email'))
        .select(['users.id', 'users.email', 'inapp.enabled as in_app', 'mail.enabled as mail'])
        .where('users.id', 'in', userIds)
        .where('users.disabled_at', 'is', null)
        .execute()
    : [];
  return [
    ...users.map((u) => ({
      key: `user:${u.id}`,
      userId: u.id,
      email: u.email,
      webhookId: null,
      channels: [...(u.in_app !== false ? (['in_app'] as const) : []), ...(u.email && u.mail !== false ? (['email'] as const) : [])],
    })),
    ...webhookIds.map((id) => ({ key: `webhook:${id}`, userId: null, email: null, webhookId: id, channels: ['webhook' as const] })),
  ];
}

/**
 * One outbox row per request, recipient and channel, keyed by (project, task, rung, audience,
 * recipient, channel): a retried activity inserts nothing twice.
 */
export async function enqueueNotifications(db: Db, requests: NotificationRequest[], publicUrl: string): Promise<number> {
  let added = 0;
  for (const r of requests) {
    const text = renderNotification(r, publicUrl);
    for (const recipient of await recipientsOf(db, r)) {
      for (const channel of recipient.channels) {
        const result = await db
          .insertInto('outbox')
          .values({
            dedupe_key: `${r.dedupeKey}/${recipient.key}/${channel}`,
            project_code: r.projectCode,
            kind: r.kind,
            audience: r.audience,
            channel,
            user_id: recipient.userId,
            email: channel === 'email' ? recipient.email : null,
            webhook_id: recipient.webhookId,
            subject: text.subject,
            body: text.body,
            link: text.link,
            payload: JSON.stringify(r.payload),
          })
          .onConflict((oc) => oc.column('dedupe_key').doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
    }
  }
  return added;
}

/** Claims due rows for one dispatcher; a row claimed by a dispatcher that died is claimed again after the lease. */
export async function claimBatch(db: Db, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return db
    .updateTable('outbox')
    .set({ status: 'sending', claimed_at: sql<string>`now()`, attempts: sql<number>`attempts + 1` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where((w) =>
          w.or([
            w.and([w('status', '=', 'pending'), w('next_attempt_at', '<=', sql<Date>`now()`)]),
            w.and([w('status', '=', 'sending'), w('claimed_at', '<', sql<Date>`now() - ${`${leaseMs} milliseconds`}::interval`)]),
          ]),
        )
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

/** Delivered: the row and its attempt, and for in-app the notice itself, in one transaction (so exactly once). */
export async function markDelivered(db: Db, row: OutboxRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (row.channel === 'in_app') {
      await trx
        .insertInto('in_app_notifications')
        .values({ outbox_id: row.id, user_id: row.user_id!, subject: row.subject, body: row.body, link: row.link })
        .onConflict((oc) => oc.column('outbox_id').doNothing())
        .execute();
    }
    await trx.updateTable('outbox').set({ status: 'delivered', delivered_at: sql<string>`now()`, last_error: null }).where('id', '=', row.id).execute();
    await trx.insertInto('outbox_attempts').values({ outbox_id: row.id, ok: true, error: null }).execute();
  });
}

/** A failed attempt: retried later with exponential backoff, or dead after the last attempt. */
export async function markFailed(db: Db, row: OutboxRow, error: string, maxAttempts: number, backoffMs: (attempt: number) => number): Promise<'retry' | 'dead'> {
  const dead = row.attempts >= maxAttempts;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ status: dead ? 'dead' : 'pending', last_error: error.slice(0, 2000), next_attempt_at: new Date(Date.now() + backoffMs(row.attempts)).toISOString() })
      .where('id', '=', row.id)
      .execute();
    await trx.insertInto('outbox_attempts').values({ outbox_id: row.id, ok: false, error: error.slice(0, 2000) }).execute();
  });
  return dead ? 'dead' : 'retry';
}

/** An admin sends a dead notification again (after fixing an address or a receiver). */
export async function redrive(db: Db, id: string): Promise<boolean> {
  const result = await db.updateTable('outbox').set({ status: 'pending', attempts: 0, next_attempt_at: sql<string>`now()` }).where('id', '=', id).where('status', '=', 'dead').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

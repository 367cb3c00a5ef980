import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Transaction, type UpdateObject } from 'kysely';
import { PROVINCE_WIDE } from '../workflows/reference.js';
import { type NotificationRequest } from '../workflows/state.js';
import type { Db } from './connection.js';
import type { Channel, Database, OutboxStatus, OutboxTable } from './schema.js';
import { renderNotification } from './notification-text.js';

export type OutboxRow = Selectable<OutboxTable>;
type OutboxUpdate = UpdateObject<Database, 'outbox'>;

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

export interface ClaimOptions {
  limit: number;
  /** A row claimed by a dispatcher that died (or hangs) is claimed again after this long. */
  leaseMs: number;
  /** A row claimed this many times without a recorded outcome is dead instead of claimed again. */
  maxOpenClaims: number;
}

/** One claim: the rows it holds, each carrying the claim's token, and the rows it found dead instead. */
export interface Claim {
  token: string;
  rows: OutboxRow[];
  dead: Pick<OutboxRow, 'id' | 'dedupe_key' | 'channel' | 'open_claims' | 'last_error'>[];
}

/** Thrown inside a transaction to undo it: the claim no longer holds the row. */
class ClaimLost extends Error {}

/**
 * Claims due rows for one dispatcher, with a fresh token. A row whose lease ran out is claimed
 * again; one already claimed `maxOpenClaims` times without an outcome (it killed or hung its
 * dispatcher each time) goes dead with the reason instead, for an admin to re-drive.
 */
export async function claimBatch(db: Db, { limit, leaseMs, maxOpenClaims }: ClaimOptions): Promise<Claim> {
  const token = randomUUID();
  const leaseRanOut = sql<Date>`now() - ${`${leaseMs} milliseconds`}::interval`;
  return db.transaction().execute(async (trx) => {
    const reason = `claimed ${maxOpenClaims} times without an outcome: its dispatcher died or hung while delivering it each time`;
    const dead = await trx
      .updateTable('outbox')
      .set({ status: 'dead', claim_token: null, last_error: reason })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where('status', '=', 'sending')
          .where('claimed_at', '<', leaseRanOut)
          .where('open_claims', '>=', maxOpenClaims)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'dedupe_key', 'channel', 'open_claims', 'last_error'])
      .execute();
    const rows = await trx
      .updateTable('outbox')
      .set({ status: 'sending', claimed_at: sql<string>`now()`, claim_token: token, attempts: sql<number>`attempts + 1`, open_claims: sql<number>`open_claims + 1` })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where((w) =>
            w.or([
              w.and([w('status', '=', 'pending'), w('next_attempt_at', '<=', sql<Date>`now()`)]),
              w.and([w('status', '=', 'sending'), w('claimed_at', '<', leaseRanOut), w('open_claims', '<', maxOpenClaims)]),
            ]),
          )
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
    // A claim that ended without an outcome is an attempt too: the row's history says so.
    const unfinished = [
      ...dead.map((d) => ({ outbox_id: d.id, ok: false, error: reason })),
      ...rows.filter((r) => r.open_claims > 1).map((r) => ({ outbox_id: r.id, ok: false, error: 'no outcome: the lease of the previous claim ran out (its dispatcher died or hung)' })),
    ];
    if (unfinished.length) await trx.insertInto('outbox_attempts').values(unfinished).execute();
    return { token, rows: rows.sort((a, b) => Number(a.id) - Number(b.id)), dead };
  });
}

/** Sets a row's state only if this claim still holds it; false when another claim (or none) does. */
async function updateHeld(trx: Db | Transaction<Database>, row: OutboxRow, set: OutboxUpdate): Promise<boolean> {
  if (!row.claim_token) throw new Error(`outbox row ${row.id} was not claimed`);
  const result = await trx.updateTable('outbox').set(set).where('id', '=', row.id).where('status', '=', 'sending').where('claim_token', '=', row.claim_token).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Renews the lease of rows this claim still holds (all carry its token), before each delivery of
 * a batch; returns their ids. A row missing from the answer was lost: its lease ran out and
 * another dispatcher claimed it, or it went dead.
 */
export async function renewClaim(db: Db, rows: OutboxRow[]): Promise<Set<string>> {
  const token = rows[0]?.claim_token;
  if (!token) return new Set();
  const held = await db
    .updateTable('outbox')
    .set({ claimed_at: sql<string>`now()` })
    .where('id', 'in', rows.map((r) => r.id))
    .where('status', '=', 'sending')
    .where('claim_token', '=', token)
    .returning('id')
    .execute();
  return new Set(held.map((r) => r.id));
}

/**
 * Delivered: the row and its attempt, and for in-app the notice itself, in one transaction (so
 * exactly once). Refused (false, nothing written) when the claim no longer holds the row.
 */
export async function markDelivered(db: Db, row: OutboxRow): Promise<boolean> {
  return heldOrLost(() =>
    db.transaction().execute(async (trx) => {
      if (!(await updateHeld(trx, row, { status: 'delivered', delivered_at: sql<string>`now()`, last_error: null, claim_token: null, open_claims: 0 }))) throw new ClaimLost();
      if (row.channel === 'in_app') {
        await trx
          .insertInto('in_app_notifications')
          .values({ outbox_id: row.id, user_id: row.user_id!, subject: row.subject, body: row.body, link: row.link })
          .onConflict((oc) => oc.column('outbox_id').doNothing())
          .execute();
      }
      await trx.insertInto('outbox_attempts').values({ outbox_id: row.id, ok: true, error: null }).execute();
    }),
  );
}

/**
 * A failed attempt: retried later with exponential backoff, or dead after the last attempt.
 * Refused ('lost', nothing written) when the claim no longer holds the row.
 */
export async function markFailed(db: Db, row: OutboxRow, error: string, maxAttempts: number, backoffMs: (attempt: number) => number): Promise<'retry' | 'dead' | 'lost'> {
  const dead = row.attempts >= maxAttempts;
  const held = await heldOrLost(() =>
    db.transaction().execute(async (trx) => {
      const set = { status: dead ? 'dead' : 'pending', claim_token: null, open_claims: 0, last_error: error.slice(0, 2000), next_attempt_at: new Date(Date.now() + backoffMs(row.attempts)).toISOString() } as const;
      if (!(await updateHeld(trx, row, set))) throw new ClaimLost();
      await trx.insertInto('outbox_attempts').values({ outbox_id: row.id, ok: false, error: error.slice(0, 2000) }).execute();
    }),
  );
  if (!held) return 'lost';
  return dead ? 'dead' : 'retry';
}

async function heldOrLost(change: () => Promise<void>): Promise<boolean> {
  try {
    await change();
    return true;
  } catch (err) {
    if (err instanceof ClaimLost) return false;
    throw err;
  }
}

/** The newest outbox rows (at most 200) in one status; with a city, only those about that city's projects. */
export async function outboxRows(db: Db, { status, city }: { status: OutboxStatus; city: string | null }): Promise<OutboxRow[]> {
  let q = db.selectFrom('outbox').selectAll('outbox').where('status', '=', status);
  if (city) q = q.where('project_code', 'in', db.selectFrom('projects').select('code').where('city', '=', city));
  return q.orderBy('id', 'desc').limit(200).execute();
}

/** An admin sends a dead notification again (after fixing an address or a receiver). */
export async function redrive(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, open_claims: 0, claim_token: null, next_attempt_at: sql<string>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** What a test delivery to a webhook endpoint says, and who asked for it. */
export interface WebhookTest {
  webhookId: string;
  /** The request that asked for it: asking again with the same request sends nothing twice. */
  requestId: string;
  subject: string;
  body: string;
  link: string;
}

/**
 * Queues a test message to one webhook endpoint as an ordinary outbox row, so that the dispatcher
 * delivers and signs it like any notification. Returns the row's id.
 */
export async function enqueueWebhookTest(db: Db, test: WebhookTest): Promise<string> {
  const dedupeKey = `webhook-test/${test.webhookId}/${test.requestId}`;
  await db
    .insertInto('outbox')
    .values({
      dedupe_key: dedupeKey,
      project_code: '',
      kind: 'webhook_test',
      audience: 'admin',
      channel: 'webhook',
      webhook_id: test.webhookId,
      subject: test.subject,
      body: test.body,
      link: test.link,
      payload: JSON.stringify({ test: true }),
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
  return (await db.selectFrom('outbox').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirstOrThrow()).id;
}

/** How long the oldest due notification has waited (seconds; 0 when none is due), and how many wait: the dispatcher's lag. */
export async function outboxLag(db: Db): Promise<{ seconds: number; due: number }> {
  const { rows } = await sql<{ seconds: string | null; due: string }>`
    select extract(epoch from now() - min(next_attempt_at)) as seconds, count(*) as due
    from outbox where status = 'pending' and next_attempt_at <= now()`.execute(db);
  return { seconds: Math.max(0, Number(rows[0]?.seconds ?? 0)), due: Number(rows[0]?.due ?? 0) };
}

import { Router } from 'express';
import { z } from 'zod';
import { addContact, deleteContact, listContacts } from '../db/contacts.js';
import { inAppNotifications, markNotificationRead, unreadNotificationCount } from '../db/notifications.js';
import type { Db } from '../db/connection.js';
import { enqueueWebhookTest, outboxRows, redrive } from '../db/outbox.js';
import { setUserChannel, userChannels } from '../db/user-channels.js';
import { userEmail, userExists, type User } from '../db/users.js';
import { addWebhookEndpoint, listWebhookEndpoints, webhookEndpointExists } from '../db/webhooks.js';
import { CITIES, CONTACT_AUDIENCES, DEPARTMENTS, PROVINCE_WIDE } from '../workflows/reference.js';
import { currentUser } from './auth.js';
import { notFound, parse, requestIdOf, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { safeText } from '../workflows/input.js';
import { Problem } from './problem.js';

const id = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a number') });

export const contactBody = z
  .strictObject({
    city: z.enum([PROVINCE_WIDE, ...CITIES], `must be ${PROVINCE_WIDE} or a city`),
    department: z.enum(DEPARTMENTS).nullable().default(null),
    audience: z.enum(CONTACT_AUDIENCES),
    userId: safeText(100).nullable().default(null),
    webhookId: z.string().regex(/^\d{1,18}$/).nullable().default(null),
  })
  .refine((c) => (c.userId === null) !== (c.webhookId === null), { message: 'give either userId or webhookId', path: ['userId'] });

export const channelsBody = z.strictObject({ in_app: z.boolean('must be true or false').optional(), email: z.boolean('must be true or false').optional() });

export const webhookBodySchema = z.strictObject({
  name: safeText(100),
  url: safeText(2000).pipe(z.url('must be a URL').refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')),
  format: z.enum(['generic', 'wecom', 'dingtalk']).default('generic'),
  secret: safeText(200).pipe(z.string().min(16, 'must be at least 16 characters')),
});

/** Saves a contact; a user or webhook endpoint that does not exist is a 400 naming the field. Returns its id. */
export async function saveContact(db: Db, c: z.output<typeof contactBody>): Promise<string> {
  if (c.userId && !(await userExists(db, c.userId))) {
    throw new Problem(400, 'Invalid request', `There is no user ${c.userId}.`, [{ field: 'userId', reason: 'no such user' }]);
  }
  if (c.webhookId && !(await webhookEndpointExists(db, c.webhookId))) {
    throw new Problem(400, 'Invalid request', `There is no webhook endpoint ${c.webhookId}.`, [{ field: 'webhookId', reason: 'no such webhook endpoint' }]);
  }
  return addContact(db, { city: c.city, department: c.department, audience: c.audience, user_id: c.userId, webhook_id: c.webhookId });
}

/**
 * Queues a test message to a webhook endpoint in the outbox: the dispatcher sends and signs it as
 * it does every notification, so a test that arrives proves the whole path. Returns the row's id.
 */
export async function queueWebhookTest(db: Db, admin: User, webhookId: string, requestId: string): Promise<string> {
  if (!(await webhookEndpointExists(db, webhookId))) throw notFound(`webhook endpoint ${webhookId}`);
  return enqueueWebhookTest(db, {
    webhookId,
    requestId,
    subject: 'luodi 测试消息',
    body: `这是 ${admin.id} 发送的测试消息：收到即说明本通道可用。\nA test message sent by ${admin.id}: receiving it shows that this channel works.`,
    link: '/admin/notifications',
  });
}

/** In-app notifications for everyone; the outbox, contacts and webhook endpoints for admins. */
export function createNotificationsRouter(deps: RouteDeps): Router {
  const router = Router();
  const { db, keyRing } = deps;

  router.get('/notifications', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const items = await inAppNotifications(db, user.id);
    const unread = await unreadNotificationCount(db, user.id);
    res.json({
      unread,
      items: items.map((n) => ({ id: n.id, subject: n.subject, body: n.body, link: n.link, createdAt: n.created_at.toISOString(), readAt: n.read_at?.toISOString() ?? null })),
    });
  });

  router.post('/notifications/:id/read', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    if (!(await markNotificationRead(db, user.id, parse(id, req.params, 'path').id))) throw notFound('such notification of yours');
    res.json({ ok: true });
  });

  /** Each user chooses the channels they receive notifications on (webhooks are set per contact). */
  router.get('/me/channels', async (_req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const rows = await userChannels(db, user.id);
    const email = await userEmail(db, user.id);
    const enabled = Object.fromEntries(rows.map((r) => [r.channel, r.enabled]));
    res.json({ in_app: enabled.in_app ?? true, email: email ? (enabled.email ?? true) : false, emailAddress: email });
  });

  router.post('/me/channels', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const prefs = parse(channelsBody, req.body, 'body');
    for (const [channel, enabled] of Object.entries(prefs) as ['in_app' | 'email', boolean][]) await setUserChannel(db, user.id, channel, enabled);
    res.json(prefs);
  });

  router.get('/outbox', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.manage');
    const { status } = parse(z.object({ status: z.enum(['pending', 'sending', 'delivered', 'dead']).default('dead') }), req.query, 'query');
    // An admin for one city sees the notifications about that city's projects only.
    const rows = await outboxRows(db, { status, city: user.city });
    res.json({ items: rows.map((r) => ({ id: r.id, dedupeKey: r.dedupe_key, channel: r.channel, userId: r.user_id, email: r.email, webhookId: r.webhook_id, subject: r.subject, status: r.status, attempts: r.attempts, lastError: r.last_error })) });
  });

  router.post('/outbox/:id/redrive', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    if (!(await redrive(db, parse(id, req.params, 'path').id))) throw new Problem(409, 'Not dead', 'Only a dead notification is re-driven.');
    res.json({ ok: true });
  });

  router.get('/contacts', async (_req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.manage');
    res.json({ items: await listContacts(db, user.city) });
  });

  router.post('/contacts', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    const c = parse(contactBody, req.body, 'body');
    res.status(201).json({ id: await saveContact(db, c), ...c });
  });

  router.delete('/contacts/:id', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    if (!(await deleteContact(db, parse(id, req.params, 'path').id))) throw notFound('such contact');
    res.status(204).end();
  });

  router.post('/webhooks', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    const w = parse(webhookBodySchema, req.body, 'body');
    const endpointId = await addWebhookEndpoint(db, keyRing, w);
    res.status(201).json({ id: endpointId, name: w.name, url: w.url, format: w.format });
  });

  router.get('/webhooks', async (_req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    res.json({ items: await listWebhookEndpoints(db) });
  });

  router.post('/webhooks/:id/test', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'notifications.manage');
    const webhookId = parse(id, req.params, 'path').id;
    const outboxId = await queueWebhookTest(db, admin, webhookId, requestIdOf(res, admin));
    res.status(202).json({ webhookId, outboxId });
  });

  return router;
}

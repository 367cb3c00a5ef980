import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { redrive } from '../db/outbox.js';
import { CITIES, PROVINCE_WIDE } from '../workflows/contract.js';
import { DEPARTMENTS } from '../workflows/templates.js';
import { currentUser } from './auth.js';
import { notFound, parse, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { safeText } from './input.js';
import { Problem } from './problem.js';

const id = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a number') });

export const contactBody = z
  .strictObject({
    city: z.enum([PROVINCE_WIDE, ...CITIES], `must be ${PROVINCE_WIDE} or a city`),
    department: z.enum(DEPARTMENTS).nullable().default(null),
    audience: z.enum(['department', 'department_head', 'city_bureau', 'city_leader', 'provincial_group', 'coordination', 'supervisors']),
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

/** In-app notifications for everyone; the outbox, contacts and webhook endpoints for admins. */
export function createNotificationsRouter(deps: RouteDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get('/notifications', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const items = await db.selectFrom('in_app_notifications').selectAll().where('user_id', '=', user.id).orderBy('id', 'desc').limit(100).execute();
    const unread = await db.selectFrom('in_app_notifications').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', user.id).where('read_at', 'is', null).executeTakeFirstOrThrow();
    res.json({
      unread: Number(unread.n),
      items: items.map((n) => ({ id: n.id, subject: n.subject, body: n.body, link: n.link, createdAt: n.created_at.toISOString(), readAt: n.read_at?.toISOString() ?? null })),
    });
  });

  router.post('/notifications/:id/read', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const result = await db.updateTable('in_app_notifications').set({ read_at: sql<string>`coalesce(read_at, now())` }).where('id', '=', parse(id, req.params, 'path').id).where('user_id', '=', user.id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('such notification of yours');
    res.json({ ok: true });
  });

  /** Each user chooses the channels they receive notifications on (webhooks are set per contact). */
  router.get('/me/channels', async (_req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const rows = await db.selectFrom('user_channels').select(['channel', 'enabled']).where('user_id', '=', user.id).execute();
    const email = await db.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow();
    const enabled = Object.fromEntries(rows.map((r) => [r.channel, r.enabled]));
    res.json({ in_app: enabled.in_app ?? true, email: email.email ? (enabled.email ?? true) : false, emailAddress: email.email });
  });

  router.post('/me/channels', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.read');
    const prefs = parse(channelsBody, req.body, 'body');
    for (const [channel, enabled] of Object.entries(prefs) as ['in_app' | 'email', boolean][]) {
      await db
        .insertInto('user_channels')
        .values({ user_id: user.id, channel, enabled })
        .onConflict((oc) => oc.columns(['user_id', 'channel']).doUpdateSet({ enabled }))
        .execute();
    }
    res.json(prefs);
  });

  router.get('/outbox', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'notifications.manage');
    const { status } = parse(z.object({ status: z.enum(['pending', 'sending', 'delivered', 'dead']).default('dead') }), req.query, 'query');
    let query = db.selectFrom('outbox').selectAll('outbox').where('status', '=', status);
    // An admin for one city sees the notifications about that city's projects only.
    if (user.city) query = query.where('project_code', 'in', db.selectFrom('projects').select('code').where('city', '=', user.city));
    const rows = await query.orderBy('id', 'desc').limit(200).execute();
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
    let query = db.selectFrom('contacts').selectAll();
    if (user.city) query = query.where('city', '=', user.city);
    res.json({ items: await query.orderBy('city').orderBy('audience').execute() });
  });

  router.post('/contacts', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    const c = parse(contactBody, req.body, 'body');
    if (c.userId && !(await db.selectFrom('users').select('id').where('id', '=', c.userId).executeTakeFirst())) {
      throw new Problem(400, 'Invalid request', `There is no user ${c.userId}.`, [{ field: 'userId', reason: 'no such user' }]);
    }
    if (c.webhookId && !(await db.selectFrom('webhook_endpoints').select('id').where('id', '=', c.webhookId).executeTakeFirst())) {
      throw new Problem(400, 'Invalid request', `There is no webhook endpoint ${c.webhookId}.`, [{ field: 'webhookId', reason: 'no such webhook endpoint' }]);
    }
    const row = await db.insertInto('contacts').values({ city: c.city, department: c.department, audience: c.audience, user_id: c.userId, webhook_id: c.webhookId }).returning('id').executeTakeFirstOrThrow();
    res.status(201).json({ id: row.id, ...c });
  });

  router.delete('/contacts/:id', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    const result = await db.deleteFrom('contacts').where('id', '=', parse(id, req.params, 'path').id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('such contact');
    res.status(204).end();
  });

  router.post('/webhooks', async (req, res) => {
    authorize(currentUser(res), 'notifications.manage');
    const w = parse(webhookBodySchema, req.body, 'body');
    const row = await db.insertInto('webhook_endpoints').values(w).returning('id').executeTakeFirstOrThrow();
    res.status(201).json({ id: row.id, name: w.name, url: w.url, format: w.format });
  });

  return router;
}

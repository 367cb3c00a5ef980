import { Router } from 'express';
import { z } from 'zod';
import { apiTokenOwner, createApiToken, listApiTokens, revokeApiToken, userExists } from '../db/users.js';
import type { Db } from '../db/connection.js';
import { currentUser } from './auth.js';
import { notFound, parse, type RouteDeps } from './http.js';
import { safeText } from '../workflows/input.js';
import { authorize } from './policy.js';

const tokenParams = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a number') });
const userParams = z.object({ id: z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'must be a login name') });

export const newTokenBody = z.strictObject({
  label: safeText(100).default('api'),
  /** Null or absent: valid until revoked. */
  expiresAt: z.iso
    .datetime({ offset: true, error: 'must be a date and time with its offset, e.g. 2027-01-01T00:00:00+08:00' })
    .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
    .nullable()
    .default(null),
});

/** A new API token for a user (shown once: only its hash is kept). */
export function issueToken(db: Db, userId: string, body: z.output<typeof newTokenBody>): Promise<string> {
  return createApiToken(db, userId, body.label, body.expiresAt ? new Date(body.expiresAt) : null);
}

/** API tokens: admins create, list and revoke anyone's; every user lists and revokes their own. */
export function createTokensRouter(deps: RouteDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get('/users/:id/tokens', async (req, res) => {
    authorize(currentUser(res), 'users.manage');
    const { id } = parse(userParams, req.params, 'path');
    if (!(await userExists(db, id))) throw notFound(`user ${id}`);
    res.json({ items: await listApiTokens(db, id) });
  });

  router.post('/users/:id/tokens', async (req, res) => {
    authorize(currentUser(res), 'users.manage');
    const { id } = parse(userParams, req.params, 'path');
    const body = parse(newTokenBody, req.body, 'body');
    if (!(await userExists(db, id))) throw notFound(`user ${id}`);
    const token = await issueToken(db, id, body);
    res.status(201).json({ userId: id, label: body.label, expiresAt: body.expiresAt, token });
  });

  router.get('/me/tokens', async (_req, res) => {
    const user = currentUser(res);
    authorize(user, 'account.manage');
    res.json({ items: await listApiTokens(db, user.id) });
  });

  router.post('/tokens/:id/revoke', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'account.manage');
    const { id } = parse(tokenParams, req.params, 'path');
    const owner = await apiTokenOwner(db, id);
    // Another user's token is as unknown as one that does not exist, except to admins.
    if (!owner || (owner !== user.id && user.role !== 'admin')) throw notFound(`API token ${id} of yours`);
    await revokeApiToken(db, id, user.id);
    res.json({ id, revoked: true });
  });

  return router;
}

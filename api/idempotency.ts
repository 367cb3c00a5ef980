import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/connection.js';
import { currentUser } from './auth.js';
import { Problem } from './problem.js';
import { idempotencyKey } from './schemas.js';

interface StoredResponse {
  body: unknown;
  contentType: string | null;
  location: string | null;
}

/**
 * Every POST honours `Idempotency-Key`: the first response is kept, and a repeat of the same
 * request with the same key gets it back without anything else happening. The same key with a
 * different request is refused (422); a repeat while the first is still running gets 409.
 */
export function idempotency(db: Db): RequestHandler {
  return async (req, res, next) => {
    const raw = req.get('Idempotency-Key');
    if (req.method !== 'POST' || raw === undefined) return next();
    if (!idempotencyKey.safeParse(raw).success) {
      throw new Problem(400, 'Invalid request', 'Idempotency-Key must be 1 to 200 visible ASCII characters.', [
        { field: 'Idempotency-Key', reason: 'must be 1 to 200 visible ASCII characters' },
      ]);
    }
    const user = currentUser(res);
    // A file (an import) is hashed as its bytes; anything else as its JSON.
    const payload = Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body ?? null);
    const requestHash = createHash('sha256').update(`${req.method} ${req.originalUrl}\n`).update(payload).digest('hex');
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ user_id: user.id, key: raw, method: req.method, path: req.originalUrl, request_hash: requestHash, status: null, response: null })
      .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) {
      const first = await db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', user.id).where('key', '=', raw).executeTakeFirstOrThrow();
      if (first.request_hash !== requestHash) {
        throw new Problem(422, 'Idempotency-Key reused', 'This Idempotency-Key was used for a different request; use a new key for a new request.', [
          { field: 'Idempotency-Key', reason: 'already used for a different request' },
        ]);
      }
      if (first.status === null) throw new Problem(409, 'Request in progress', 'The first request with this Idempotency-Key is still running; retry shortly.');
      return replay(res, first.status, first.response as StoredResponse);
    }
    res.locals.idempotencyKey = raw;
    keepResponse(db, res, user.id, raw);
    next();
  };
}

function replay(res: Response, status: number, stored: StoredResponse): void {
  if (stored.location) res.location(stored.location);
  res.status(status).set('Idempotent-Replayed', 'true');
  if (stored.contentType) res.type(stored.contentType);
  res.send(JSON.stringify(stored.body));
}

/**
 * Stores the response before sending it, so that a retry arriving right after sees it. A server
 * error frees the key instead, so that a retry can try again.
 */
function keepResponse(db: Db, res: Response, userId: string, key: string): void {
  const send = res.json.bind(res);
  const row = () => db.updateTable('idempotency_keys').where('user_id', '=', userId).where('key', '=', key);
  res.json = (body: unknown) => {
    // res.json sets its own Content-Type later; a problem has set one already.
    const stored: StoredResponse = { body, contentType: res.get('Content-Type') ?? 'application/json', location: res.get('Location') ?? null };
    const write =
      res.statusCode >= 500
        ? db.deleteFrom('idempotency_keys').where('user_id', '=', userId).where('key', '=', key).execute()
        : row().set({ status: res.statusCode, response: JSON.stringify(stored) }).execute();
    // If the response cannot be kept, the key is freed rather than left "in progress" forever.
    write
      .catch(() => db.deleteFrom('idempotency_keys').where('user_id', '=', userId).where('key', '=', key).execute())
      .catch(() => undefined)
      .finally(() => send(body));
    return res;
  };
}

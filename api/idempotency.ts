import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/connection.js';
import { claimKey, forgetKey, keepOutcome, type IdempotencyTimes } from '../db/idempotency-keys.js';
import { currentUser } from './auth.js';
import { Problem } from './problem.js';
import { idempotencyKey } from './schemas.js';

interface StoredResponse {
  body: unknown;
  contentType: string | null;
  location: string | null;
}

/** How long a first request holds its key, and how long a key is kept (IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_HOURS). */
export const IDEMPOTENCY_DEFAULTS: IdempotencyTimes = { leaseMs: 30_000, ttlMs: 24 * 3600_000 };

/**
 * Every POST honours `Idempotency-Key`: the first response is kept, and a repeat of the same
 * request with the same key gets it back without anything else happening. The same key with a
 * different request is refused (422). While the first request runs it holds a lease: a repeat
 * then gets 409 with Retry-After. If the first request's process died, the lease lapses and the
 * repeat runs it again; its workflow update carries the key as its id, so Temporal gives back the
 * first outcome instead of applying it twice. Keys expire after `ttlMs`.
 */
export function idempotency(db: Db, times: IdempotencyTimes = IDEMPOTENCY_DEFAULTS): RequestHandler {
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
    const claim = await claimKey(db, { userId: user.id, key: raw, method: req.method, path: req.originalUrl, requestHash }, times);
    switch (claim.outcome) {
      case 'mismatch':
        throw new Problem(422, 'Idempotency-Key reused', 'This Idempotency-Key was used for a different request; use a new key for a new request.', [
          { field: 'Idempotency-Key', reason: 'already used for a different request' },
        ]);
      case 'running':
        res.set('Retry-After', String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000))));
        throw new Problem(409, 'Request in progress', 'The first request with this Idempotency-Key is still running; retry after the time in Retry-After.');
      case 'done':
        return replay(res, claim.status, claim.response as StoredResponse);
      case 'claimed':
        res.locals.idempotencyKey = raw;
        keepResponse(db, res, user.id, raw);
        return next();
    }
  };
}

function replay(res: Response, status: number, stored: StoredResponse): void {
  if (stored.location) res.location(stored.location);
  res.status(status).set('Idempotent-Replayed', 'true');
  if (stored.contentType) res.type(stored.contentType);
  res.send(JSON.stringify(stored.body));
}

/** Fields whose values are secrets (a new API token): never stored; a replay says so instead. */
const SECRET_FIELDS = new Set(['token', 'secret', 'password']);

export function withoutSecrets(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutSecrets);
  if (body === null || typeof body !== 'object') return body;
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, SECRET_FIELDS.has(k) && typeof v === 'string' ? '(shown once, in the first response only)' : withoutSecrets(v)]),
  );
}

/**
 * Stores the response before sending it, so that a retry arriving right after sees it. A server
 * error frees the key instead, so that a retry can try again. If neither can be written (the
 * database is gone), the lease lapses by itself.
 */
function keepResponse(db: Db, res: Response, userId: string, key: string): void {
  const send = res.json.bind(res);
  res.json = (body: unknown) => {
    // res.json sets its own Content-Type later; a problem has set one already.
    const stored: StoredResponse = { body: withoutSecrets(body), contentType: res.get('Content-Type') ?? 'application/json', location: res.get('Location') ?? null };
    const write = res.statusCode >= 500 ? forgetKey(db, userId, key) : keepOutcome(db, userId, key, res.statusCode, stored);
    write
      .catch(() => forgetKey(db, userId, key))
      .catch(() => undefined)
      .finally(() => send(body));
    return res;
  };
}

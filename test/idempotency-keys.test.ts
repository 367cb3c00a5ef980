import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { withoutSecrets } from '../api/idempotency.js';
import { createDb, type Db } from '../db/connection.js';
import { claimKey, keepOutcome, purgeExpiredKeys, type KeyRequest } from '../db/idempotency-keys.js';

/** An Idempotency-Key never sticks: its lease lapses, it expires, and it never keeps a secret. */
let db: Db;
beforeAll(() => {
  db = createDb(inject('databaseUrl'));
});
afterAll(async () => {
  await db?.destroy();
});

const request = (over: Partial<KeyRequest> = {}): KeyRequest => ({ userId: `u-${randomUUID()}`, key: 'k1', method: 'POST', path: '/api/x', requestHash: 'h1', ...over });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Idempotency-Key leases', () => {
  test('a first request that died holds its key only until its lease lapses; then a repeat runs', async () => {
    const r = request();
    const times = { leaseMs: 300, ttlMs: 3600_000 };
    expect(await claimKey(db, r, times)).toEqual({ outcome: 'claimed' });
    const running = await claimKey(db, r, times);
    expect(running.outcome).toBe('running');
    expect(running.outcome === 'running' && running.retryAfterMs).toBeGreaterThan(0);
    await sleep(400);
    expect(await claimKey(db, r, times)).toEqual({ outcome: 'claimed' });
    await keepOutcome(db, r.userId, r.key, 201, { body: { id: 'B1' }, contentType: 'application/json', location: null });
    expect(await claimKey(db, r, times)).toEqual({ outcome: 'done', status: 201, response: { body: { id: 'B1' }, contentType: 'application/json', location: null } });
    expect(await claimKey(db, { ...r, requestHash: 'other' }, times)).toEqual({ outcome: 'mismatch' });
  });

  test('a different request never takes over a lapsed lease', async () => {
    const r = request();
    const times = { leaseMs: 100, ttlMs: 3600_000 };
    await claimKey(db, r, times);
    await sleep(150);
    expect(await claimKey(db, { ...r, requestHash: 'other' }, times)).toEqual({ outcome: 'mismatch' });
  });

  test('keys expire: an expired key is used afresh, and purging deletes it', async () => {
    const r = request();
    await claimKey(db, r, { leaseMs: 100, ttlMs: 50 });
    await keepOutcome(db, r.userId, r.key, 200, {});
    await sleep(100);
    expect(await claimKey(db, { ...r, requestHash: 'new' }, { leaseMs: 100, ttlMs: 3600_000 })).toEqual({ outcome: 'claimed' });
    const old = request();
    await claimKey(db, old, { leaseMs: 100, ttlMs: 1 });
    await sleep(20);
    expect(await purgeExpiredKeys(db)).toBeGreaterThanOrEqual(1);
    const left = await db.selectFrom('idempotency_keys').select('key').where('user_id', '=', old.userId).execute();
    expect(left).toHaveLength(0);
  });

  test('a key left "in progress" by an older version (no lease) is free again', async () => {
    const r = request();
    await sql`insert into idempotency_keys (user_id, key, method, path, request_hash) values (${r.userId}, ${r.key}, 'POST', '/api/x', ${r.requestHash})`.execute(db);
    expect(await claimKey(db, r, { leaseMs: 1000, ttlMs: 3600_000 })).toEqual({ outcome: 'claimed' });
  });

  test('a response that holds a secret is stored without it', () => {
    expect(withoutSecrets({ user: { id: 'a' }, token: 'luodi_secret', items: [{ secret: 'x', name: 'n' }] })).toEqual({
      user: { id: 'a' },
      token: '(shown once, in the first response only)',
      items: [{ secret: '(shown once, in the first response only)', name: 'n' }],
    });
  });
});

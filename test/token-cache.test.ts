import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createApp } from '../api/app.js';
import { TokenCache } from '../api/token-cache.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { createApiToken, createUser, tokenHolder, type TokenHolder } from '../db/users.js';
import { TEST_KEY_RING } from './keys.js';
import { eventually } from './stack.js';
import { TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';

/**
 * The API's token cache (api/token-cache.ts) against the real PostgreSQL: a token is read once,
 * and every change to tokens or users reaches each cache on commit, however it is made. The
 * caches here trust an entry for ten minutes, so only a notification can make a change seen.
 */
const log = createLogger('api', 'silent');
const TEN_MINUTES = 600_000;
let db: Db;
let connection: Connection;
let seq = 0;

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  connection = await Connection.connect(testEndpoint(inject('temporalAddress')));
});
afterAll(async () => {
  await connection?.close();
  await db?.destroy();
});

/** A cache that counts what it reads from PostgreSQL, and the API in front of it. */
async function cachedApi(o: { databaseUrl?: string; load?: (token: string) => Promise<TokenHolder | undefined> } = {}) {
  const loads = { count: 0 };
  const load = o.load ?? ((token: string) => tokenHolder(db, token));
  const cache = new TokenCache(db, o.databaseUrl ?? inject('databaseUrl'), {
    ttlMs: TEN_MINUTES,
    log,
    load: (token) => {
      loads.count++;
      return load(token);
    },
  });
  const app = createApp({ client: new Client({ connection, dataConverter: TEST_DATA_CONVERTER }), db, keyRing: TEST_KEY_RING, log, taskQueue: 'unused', temporalUiUrl: 'http://temporal-ui.test', tokenCache: cache });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cache,
    loads,
    /** The status of GET /api/inbox (staff only) with this token. */
    inbox: async (token: string) => (await fetch(`${baseUrl}/api/inbox`, { headers: { authorization: `Bearer ${token}` } })).status,
    close: async () => {
      await new Promise((r) => server.close(r));
      await cache.close();
    },
  };
}

async function newStaff(): Promise<{ id: string; token: string }> {
  const id = `cache.${Date.now()}.${++seq}`;
  await createUser(db, { id, name: '缓存', role: 'staff', city: '沈阳', department: 'natural_resources' });
  return { id, token: await createApiToken(db, id, 'cache test') };
}

/** Another connection, as a script or an operator's psql would be. */
async function byHand(statement: ReturnType<typeof sql>): Promise<void> {
  const other = createDb(inject('databaseUrl'));
  try {
    await statement.execute(other);
  } finally {
    await other.destroy();
  }
}

describe('the API token cache', () => {
  test('reads a token from PostgreSQL once, then answers from memory; an unknown token is never kept', async () => {
    const api = await cachedApi();
    try {
      await eventually(async () => api.cache.active || undefined);
      const { token } = await newStaff();
      for (let i = 0; i < 5; i++) expect(await api.inbox(token)).toBe(200);
      expect(api.loads.count).toBe(1);
      for (let i = 0; i < 3; i++) expect(await api.inbox('luodi_unknown')).toBe(401);
      expect(api.loads.count).toBe(4);
    } finally {
      await api.close();
    }
  });

  test('a revocation, a disabled user or a new role made on another connection takes effect without waiting for the cache to expire', async () => {
    const api = await cachedApi();
    try {
      await eventually(async () => api.cache.active || undefined);
      const revoked = await newStaff();
      const disabled = await newStaff();
      const moved = await newStaff();
      for (const u of [revoked, disabled, moved]) expect(await api.inbox(u.token)).toBe(200);
      const loaded = api.loads.count;
      for (const u of [revoked, disabled, moved]) expect(await api.inbox(u.token)).toBe(200);
      expect(api.loads.count).toBe(loaded); // all three cached

      await byHand(sql`update api_tokens set revoked_at = now(), revoked_by = 'admin' where user_id = ${revoked.id}`);
      await eventually(async () => ((await api.inbox(revoked.token)) === 401 ? true : undefined), 5_000);
      await byHand(sql`update users set disabled_at = now() where id = ${disabled.id}`);
      await eventually(async () => ((await api.inbox(disabled.token)) === 401 ? true : undefined), 5_000);
      // A supervisor has no inbox: the new role is the one that counts.
      await byHand(sql`update users set role = 'supervisor', department = null where id = ${moved.id}`);
      await eventually(async () => ((await api.inbox(moved.token)) === 403 ? true : undefined), 5_000);
    } finally {
      await api.close();
    }
  });

  test('a lookup that read the token before a change and finished after its notification is not kept', async () => {
    let release: () => void = () => undefined;
    let gated = false;
    const api = await cachedApi({
      load: async (token) => {
        const holder = await tokenHolder(db, token);
        if (gated) await new Promise<void>((r) => (release = r));
        return holder;
      },
    });
    try {
      await eventually(async () => api.cache.active || undefined);
      const u = await newStaff();
      gated = true;
      const first = api.inbox(u.token);
      await eventually(async () => (api.loads.count === 1 ? true : undefined));
      await byHand(sql`update api_tokens set revoked_at = now() where user_id = ${u.id}`);
      // Loopback delivers the notification in far less than this; the lookup still holds the old row.
      await new Promise((r) => setTimeout(r, 500));
      gated = false;
      release();
      expect(await first).toBe(200); // it read the token before the revocation, as without a cache
      expect(await api.inbox(u.token)).toBe(401);
    } finally {
      await api.close();
    }
  });

  test('while it cannot listen for changes, nothing is cached and every request reads PostgreSQL', async () => {
    const url = new URL(inject('databaseUrl'));
    url.pathname = '/luodi_no_such_database';
    const api = await cachedApi({ databaseUrl: url.toString() });
    try {
      const { token } = await newStaff();
      for (let i = 0; i < 3; i++) expect(await api.inbox(token)).toBe(200);
      expect(api.cache.active).toBe(false);
      expect(api.loads.count).toBe(3);
    } finally {
      await api.close();
    }
  });

  test('when its connection is cut it listens again, and forgets what changed in between', async () => {
    const api = await cachedApi();
    try {
      await eventually(async () => api.cache.active || undefined);
      const u = await newStaff();
      expect(await api.inbox(u.token)).toBe(200);
      await byHand(sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'listen "luodi_auth_changed"'`);
      await eventually(async () => (api.cache.active ? undefined : true));
      // Made while nobody listens (unless it is already back, when the notification arrives instead).
      await byHand(sql`update api_tokens set revoked_at = now() where user_id = ${u.id}`);
      expect(await api.inbox(u.token)).toBe(401);
      await eventually(async () => api.cache.active || undefined);
      expect(await api.inbox(u.token)).toBe(401);
      const again = await newStaff();
      const loaded = api.loads.count;
      expect([await api.inbox(again.token), await api.inbox(again.token)]).toEqual([200, 200]);
      expect(api.loads.count).toBe(loaded + 1); // cached again
    } finally {
      await api.close();
    }
  });
});

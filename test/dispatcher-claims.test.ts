import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { claimBatch, markDelivered, markFailed, redrive, renewClaim, type OutboxRow } from '../db/outbox.js';
import { dispatchOnce } from '../worker/dispatcher.js';

/**
 * Claim tokens and the claims-without-outcome rule, on PostgreSQL. A database of its own, so that
 * no other test's dispatcher claims these rows.
 */
const url = new URL(inject('databaseUrl'));
url.pathname = `${url.pathname}_claims`;
const databaseUrl = url.toString();
let db: Db;

beforeAll(async () => {
  await prepareDatabase(databaseUrl, createLogger('claims-test', 'silent'));
  db = createDb(databaseUrl);
});
afterAll(async () => {
  await db?.destroy();
  await dropDatabase(databaseUrl);
});
beforeEach(async () => {
  await sql`truncate outbox, outbox_attempts, in_app_notifications`.execute(db);
});

const LEASE = { limit: 10, leaseMs: 60_000, maxOpenClaims: 3 };
const backoff = () => 0;

async function addRow(channel: 'in_app' | 'email' = 'in_app'): Promise<string> {
  const { id } = await db
    .insertInto('outbox')
    .values({
      dedupe_key: `claims/${Math.random()}/${channel}`,
      project_code: 'LN-CLAIMS',
      kind: 'escalation',
      audience: 'department',
      channel,
      user_id: 'u1',
      email: channel === 'email' ? 'u1@example.test' : null,
      webhook_id: null,
      subject: '测试',
      body: '测试',
      link: 'http://luodi.test',
      payload: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** As if the dispatcher holding the row had hung or died for longer than its lease. */
async function expireLease(id: string): Promise<void> {
  await db.updateTable('outbox').set({ claimed_at: sql<string>`now() - interval '1 hour'` }).where('id', '=', id).execute();
}

const rowOf = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const attemptsOf = (id: string) => db.selectFrom('outbox_attempts').select(['ok', 'error']).where('outbox_id', '=', id).orderBy('id').execute();
const noticesOf = (id: string) => db.selectFrom('in_app_notifications').select('id').where('outbox_id', '=', id).execute();

describe('claim tokens', () => {
  test("a stale claim's delivery and failure are refused; the claim that holds the row records its outcome once", async () => {
    const id = await addRow('in_app');
    const stale = await claimBatch(db, LEASE);
    expect(stale.rows.map((r) => r.id)).toEqual([id]);
    expect(stale.rows[0]!.claim_token).toBe(stale.token);

    await expireLease(id);
    const current = await claimBatch(db, LEASE);
    expect(current.rows.map((r) => r.id)).toEqual([id]);
    expect(current.token).not.toBe(stale.token);

    const staleRow = stale.rows[0]!;
    expect(await renewClaim(db, [staleRow])).toEqual(new Set());
    expect(await markDelivered(db, staleRow)).toBe(false);
    expect(await markFailed(db, staleRow, 'stale', 6, backoff)).toBe('lost');
    // Nothing of the stale claim was written: not the notice, not an attempt, not the state.
    expect(await noticesOf(id)).toEqual([]);
    expect(await rowOf(id)).toMatchObject({ status: 'sending', claim_token: current.token, attempts: 2, open_claims: 2 });

    expect(await renewClaim(db, current.rows)).toEqual(new Set([id]));
    expect(await markDelivered(db, current.rows[0]!)).toBe(true);
    expect(await rowOf(id)).toMatchObject({ status: 'delivered', claim_token: null, open_claims: 0 });
    expect(await noticesOf(id)).toHaveLength(1);

    // A delivered row never turns back: neither claim may change it any more.
    expect(await markFailed(db, staleRow, 'late failure', 6, backoff)).toBe('lost');
    expect(await markFailed(db, current.rows[0]!, 'late failure', 6, backoff)).toBe('lost');
    expect(await markDelivered(db, current.rows[0]!)).toBe(false);
    expect(await rowOf(id)).toMatchObject({ status: 'delivered' });
    expect(await noticesOf(id)).toHaveLength(1);
    expect(await attemptsOf(id)).toEqual([
      { ok: false, error: 'no outcome: the lease of the previous claim ran out (its dispatcher died or hung)' },
      { ok: true, error: null },
    ]);
  });

  test('a failure recorded by the claim that holds the row makes it pending again; the stale claim cannot deliver it then', async () => {
    const id = await addRow('email');
    const stale = await claimBatch(db, LEASE);
    await expireLease(id);
    const current = await claimBatch(db, LEASE);
    expect(await markFailed(db, current.rows[0]!, 'the receiver answered 503', 6, backoff)).toBe('retry');
    expect(await rowOf(id)).toMatchObject({ status: 'pending', claim_token: null, open_claims: 0, last_error: 'the receiver answered 503' });
    expect(await markDelivered(db, stale.rows[0]!)).toBe(false);
    expect(await rowOf(id)).toMatchObject({ status: 'pending' });
  });
});

describe('a dispatcher that hangs past its lease', () => {
  test('sends none of the rows another dispatcher claimed meanwhile, and its late outcome is refused', async () => {
    const ids = [await addRow('email'), await addRow('email'), await addRow('email')];
    const sent: string[] = [];
    let other: OutboxRow[] = [];
    const hangingEmail = async (row: OutboxRow) => {
      sent.push(row.id);
      // The first send hangs past the lease: another dispatcher claims the whole batch meanwhile.
      if (sent.length === 1) {
        for (const id of ids) await expireLease(id);
        other = (await claimBatch(db, LEASE)).rows;
      }
    };
    const log = createLogger('dispatcher', 'silent');
    expect(await dispatchOnce({ db, log, channels: { email: hangingEmail, webhook: async () => undefined }, leaseMs: LEASE.leaseMs })).toBe(3);

    expect(sent).toEqual([ids[0]]);
    expect(other.map((r) => r.id)).toEqual(ids);
    // The hung dispatcher's delivery is not recorded: the row stays with the claim that holds it.
    for (const id of ids) expect(await rowOf(id)).toMatchObject({ status: 'sending', claim_token: other[0]!.claim_token, open_claims: 2 });
    for (const id of ids) expect((await attemptsOf(id)).filter((a) => a.ok)).toEqual([]);
  });
});

describe('a row that keeps killing its dispatcher', () => {
  test('claimed N times without an outcome, it is dead with the reason; an admin re-drives it and it is delivered', async () => {
    const id = await addRow('email');
    for (let claim = 1; claim <= 3; claim++) {
      const { rows, dead } = await claimBatch(db, LEASE);
      expect(rows.map((r) => r.id)).toEqual([id]);
      expect(dead).toEqual([]);
      expect(rows[0]!.open_claims).toBe(claim);
      // The dispatcher dies while delivering it: no outcome is recorded, and the lease runs out.
      await expireLease(id);
    }
    const fourth = await claimBatch(db, LEASE);
    expect(fourth.rows).toEqual([]);
    const reason = 'claimed 3 times without an outcome: its dispatcher died or hung while delivering it each time';
    expect(fourth.dead).toEqual([{ id, dedupe_key: expect.any(String), channel: 'email', open_claims: 3, last_error: reason }]);
    expect(await rowOf(id)).toMatchObject({ status: 'dead', claim_token: null, last_error: reason });
    expect((await attemptsOf(id)).map((a) => a.error)).toEqual([
      'no outcome: the lease of the previous claim ran out (its dispatcher died or hung)',
      'no outcome: the lease of the previous claim ran out (its dispatcher died or hung)',
      reason,
    ]);
    // Dead stays dead: nothing claims it again.
    expect(await claimBatch(db, LEASE)).toMatchObject({ rows: [], dead: [] });

    expect(await redrive(db, id)).toBe(true);
    expect(await rowOf(id)).toMatchObject({ status: 'pending', attempts: 0, open_claims: 0, claim_token: null });
    const again = await claimBatch(db, LEASE);
    expect(again.rows.map((r) => r.open_claims)).toEqual([1]);
    expect(await markDelivered(db, again.rows[0]!)).toBe(true);
    expect(await rowOf(id)).toMatchObject({ status: 'delivered' });
  });

  test('a recorded outcome starts the count again: failures in between never add up to N', async () => {
    const id = await addRow('email');
    for (let round = 0; round < 3; round++) {
      await claimBatch(db, LEASE);
      await expireLease(id);
      const { rows } = await claimBatch(db, LEASE);
      expect(rows[0]!.open_claims).toBe(2);
      expect(await markFailed(db, rows[0]!, 'the receiver answered 503', 50, backoff)).toBe('retry');
    }
    expect(await rowOf(id)).toMatchObject({ status: 'pending', open_claims: 0, attempts: 6 });
  });
});

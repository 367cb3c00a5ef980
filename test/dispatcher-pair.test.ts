import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { messageIdOf } from '../worker/channels.js';
import { TEST_KEY_ENV } from './keys.js';
import { eventually } from './stack.js';
import { escalationOutboxRows } from './outbox-rows.js';

/**
 * Two dispatcher processes at once on one outbox, one killed with SIGKILL in the middle of a
 * batch. Each has its own loopback SMTP server, so every message received is known to come from
 * one of them. A database of its own, so that they deliver nothing of the other tests'.
 */
const url = new URL(inject('databaseUrl'));
url.pathname = `${url.pathname}_pair`;
const databaseUrl = url.toString();
let db: Db;
const run = `pair-${Date.now().toString(36)}`;
const COUNT = 40;
const LEASE_MS = 2_500;

type Sender = 'killed' | 'survivor';
/** Every message received: whose SMTP server, its Message-ID, and when its data began to arrive. */
const received: { by: Sender; messageId: string; at: number }[] = [];
const servers: SMTPServer[] = [];
const connectionErrors: NodeJS.ErrnoException[] = [];
/** Set to the process to kill while it sends its next message. */
let killWhileSending: ChildProcess | null = null;
let killedAt = 0;

async function smtpServerFor(by: Sender): Promise<string> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const at = Date.now();
      simpleParser(stream)
        .then((m) => {
          received.push({ by, messageId: m.messageId ?? '', at });
          // Killed with the whole message received but not yet acknowledged: it is sent, and the
          // dispatcher cannot know it.
          if (by === 'killed' && killWhileSending) {
            killWhileSending.kill('SIGKILL');
            killedAt = Date.now();
            killWhileSending = null;
            callback();
            return;
          }
          setTimeout(callback, 40);
        })
        .catch(callback);
    },
  });
  server.on('error', (err: NodeJS.ErrnoException) => connectionErrors.push(err));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  await prepareDatabase(databaseUrl, createLogger('pair-test', 'silent'));
  db = createDb(databaseUrl);
  await db.insertInto('outbox').values(escalationOutboxRows(run, COUNT)).execute();
});
afterAll(async () => {
  for (const server of servers) await new Promise((r) => server.close(() => r(undefined)));
  await db?.destroy();
  await dropDatabase(databaseUrl);
});

function startDispatcher(smtpUrl: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'worker/dispatcher-main.ts'], {
    env: { ...process.env, ...TEST_KEY_ENV, DATABASE_URL: databaseUrl, SMTP_URL: smtpUrl, DISPATCH_POLL_MS: '50', DISPATCH_LEASE_MS: String(LEASE_MS), LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
}

const statuses = async () => db.selectFrom('outbox').select(['id', 'status']).where('project_code', '=', run).execute();

test('two dispatchers at once, one killed mid-batch: no row sent by both while alive, none undone, every row ends', async () => {
  // Watch every row's state throughout: once delivered, a row must never be seen otherwise.
  const deliveredOnce = new Set<string>();
  const undone: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const r of await statuses()) {
        if (r.status === 'delivered') deliveredOnce.add(r.id);
        else if (deliveredOnce.has(r.id)) undone.push(`${r.id}: delivered, then ${r.status}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  const killed = startDispatcher(await smtpServerFor('killed'));
  const survivor = startDispatcher(await smtpServerFor('survivor'));
  const exited = new Promise((r) => killed.once('exit', r));
  try {
    // Both are sending before one of them dies, in the middle of a send and so of a batch.
    await eventually(async () => (received.some((m) => m.by === 'killed') && received.some((m) => m.by === 'survivor') && received.length >= 8 ? true : undefined), 30_000);
    killWhileSending = killed;
    await exited;
    // The survivor takes over the dead one's claims once their lease runs out.
    await eventually(async () => ((await statuses()).every((r) => r.status === 'delivered' || r.status === 'dead') ? true : undefined), 60_000);
  } finally {
    survivor.kill('SIGTERM');
    await new Promise((r) => survivor.once('exit', r));
    watching = false;
    await watcher;
  }

  expect(undone).toEqual([]);
  const final = await statuses();
  expect(final).toHaveLength(COUNT * 2);
  expect(final.filter((r) => r.status !== 'delivered' && r.status !== 'dead')).toEqual([]);

  // Each row's outcome is recorded once, and nothing is recorded after it was delivered.
  const attempts = await db
    .selectFrom('outbox_attempts')
    .innerJoin('outbox', 'outbox.id', 'outbox_attempts.outbox_id')
    .select(['outbox_attempts.outbox_id', 'outbox_attempts.ok'])
    .where('outbox.project_code', '=', run)
    .orderBy('outbox_attempts.id')
    .execute();
  for (const { id } of final) {
    const mine = attempts.filter((a) => a.outbox_id === id);
    expect(mine.filter((a) => a.ok).length).toBeLessThanOrEqual(1);
    if (mine.some((a) => a.ok)) expect(mine.at(-1)!.ok).toBe(true);
  }

  // Nothing failed here, so every row ends delivered; in-app exactly once.
  expect(final.filter((r) => r.status !== 'delivered')).toEqual([]);
  const inApp = await db.selectFrom('in_app_notifications').innerJoin('outbox', 'outbox.id', 'in_app_notifications.outbox_id').select('outbox.id').where('outbox.project_code', '=', run).execute();
  expect(inApp).toHaveLength(COUNT);
  expect(new Set(inApp.map((r) => r.id)).size).toBe(COUNT);

  // Email: every one arrived, and no dispatcher sent one twice.
  const expected = new Set(Array.from({ length: COUNT }, (_, i) => messageIdOf(`${run}/task/t${i}/rung/1/department/user:u${i}/email`)));
  expect(received.every((m) => expected.has(m.messageId))).toBe(true);
  expect(new Set(received.map((m) => m.messageId)).size).toBe(COUNT);
  for (const by of ['killed', 'survivor'] as const) {
    const theirs = received.filter((m) => m.by === by).map((m) => m.messageId);
    expect(new Set(theirs).size).toBe(theirs.length);
  }
  // Exactly one came twice: the one on the wire when the killed dispatcher died, sent again by the
  // survivor only after that death and the lease, never while both were alive.
  const byKilled = received.filter((m) => m.by === 'killed').sort((a, b) => a.at - b.at);
  const both = received.filter((m) => m.by === 'survivor' && byKilled.some((k) => k.messageId === m.messageId));
  expect(both.map((m) => m.messageId)).toEqual([byKilled.at(-1)!.messageId]);
  // (The lease was renewed just before that send, so it ran out at most one send before kill + lease.)
  expect(both[0]!.at).toBeGreaterThan(killedAt + LEASE_MS / 2);
  // Its history says so: a claim that ended without an outcome, then one delivery.
  const emails = await db.selectFrom('outbox').select(['id', 'dedupe_key']).where('project_code', '=', run).where('channel', '=', 'email').execute();
  const repeated = emails.find((r) => messageIdOf(r.dedupe_key) === both[0]!.messageId)!;
  expect(attempts.filter((a) => a.outbox_id === repeated.id).map((a) => a.ok)).toEqual([false, true]);
  expect(received.length - COUNT).toBe(both.length);
  expect(connectionErrors.map((e) => e.code).filter((c) => c !== 'ECONNRESET' && c !== 'EPIPE')).toEqual([]);
});

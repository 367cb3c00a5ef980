import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { messageIdOf } from '../worker/channels.js';
import { TEST_KEY_ENV } from './keys.js';
import { eventually } from './stack.js';
import { escalationOutboxRows } from './outbox-rows.js';

/**
 * The dispatcher as its own process, killed with SIGKILL in the middle of a batch, then started
 * again. It gets a database of its own, so that it delivers nothing of the other tests'.
 */
const url = new URL(inject('databaseUrl'));
url.pathname = `${url.pathname}_kill`;
const databaseUrl = url.toString();
let db: Db;
const received: string[] = [];
let smtp: SMTPServer;
/** Socket errors seen by the SMTP server: a client killed mid-transaction resets its connection. */
const connectionErrors: NodeJS.ErrnoException[] = [];
let smtpUrl: string;
const run = `kill-${Date.now().toString(36)}`;
const COUNT = 30;

beforeAll(async () => {
  await prepareDatabase(databaseUrl, createLogger('kill-test', 'silent'));
  db = createDb(databaseUrl);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => setTimeout(() => {
          received.push(m.messageId ?? '');
          callback();
        }, 40))
        .catch(callback);
    },
  });
  smtp.on('error', (err: NodeJS.ErrnoException) => connectionErrors.push(err));
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  await db.insertInto('outbox').values(escalationOutboxRows(run, COUNT)).execute();
});
afterAll(async () => {
  await new Promise((r) => smtp?.close(() => r(undefined)));
  await db?.destroy();
  await dropDatabase(databaseUrl);
});

function startDispatcher(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'worker/dispatcher-main.ts'], {
    env: { ...process.env, ...TEST_KEY_ENV, DATABASE_URL: databaseUrl, SMTP_URL: smtpUrl, DISPATCH_POLL_MS: '50', DISPATCH_LEASE_MS: '1500', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
}

const delivered = async () =>
  Number((await db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('project_code', '=', run).where('status', '=', 'delivered').executeTakeFirstOrThrow()).n);

test('a dispatcher killed mid-batch resumes: in-app exactly once, email only repeated with the same Message-ID', async () => {
  const first = startDispatcher();
  await eventually(async () => (received.length >= 5 ? true : undefined), 30_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = await delivered();
  expect(atKill).toBeLessThan(COUNT * 2);

  const second = startDispatcher();
  try {
    await eventually(async () => ((await delivered()) === COUNT * 2 ? true : undefined), 60_000);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }

  const inApp = await db
    .selectFrom('in_app_notifications')
    .innerJoin('outbox', 'outbox.id', 'in_app_notifications.outbox_id')
    .select('outbox.dedupe_key')
    .where('outbox.project_code', '=', run)
    .execute();
  expect(inApp).toHaveLength(COUNT);
  expect(new Set(inApp.map((r) => r.dedupe_key)).size).toBe(COUNT);

  const expected = new Set(Array.from({ length: COUNT }, (_, i) => messageIdOf(`${run}/task/t${i}/rung/1/department/user:u${i}/email`)));
  const ours = received.filter((m) => expected.has(m));
  expect(new Set(ours).size).toBe(COUNT);
  // Only what was on the wire when the process died may come twice; a repeat carries the same Message-ID.
  expect(ours.length - COUNT).toBeLessThanOrEqual(1);
  expect(received.length).toBe(ours.length);
  // The only connection errors are those of the killed process's socket.
  expect(connectionErrors.map((e) => e.code).filter((c) => c !== 'ECONNRESET' && c !== 'EPIPE')).toEqual([]);
});

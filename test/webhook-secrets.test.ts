/**
 * Webhook signing secrets at rest: PostgreSQL holds them sealed with the key ring, the dispatcher
 * still signs with the real secret, a row from before sealing keeps working, and
 * `npm run keys -- rewrap` seals every secret with the active key in one go.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteDeps } from '../api/http.js';
import { createNotificationsRouter } from '../api/notifications.routes.js';
import { problemHandler } from '../api/problem.js';
import { newKeyLine, parseKeyRing, type KeyRing } from '../config/key-ring.js';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import type { OutboxRow } from '../db/outbox.js';
import type { User } from '../db/users.js';
import { addWebhookEndpoint } from '../db/webhooks.js';
import { webhookChannel, webhookSignature } from '../worker/channels.js';
import { TEST_KEY_LINE, TEST_KEY_RING } from './keys.js';
import { ownDatabase } from './stack.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'a-webhook-secret-of-some-length';
const LEGACY_SECRET = 'a-plain-secret-from-before-sealing';
const log = createLogger('test', 'silent');

let database: { databaseUrl: string; drop(): Promise<void> };
let db: Db;
let receiver: Server;
let receiverUrl: string;
/** What the receiver got: path, and whether the signature checks out with each secret. */
const deliveries: { path: string; signature: string; timestamp: string; body: string }[] = [];

beforeAll(async () => {
  // A database of the file's own: rewrap seals every row there is.
  database = await ownDatabase('webhook_secrets');
  db = createDb(database.databaseUrl);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      deliveries.push({ path: req.url ?? '', signature: String(req.headers['x-luodi-signature']), timestamp: String(req.headers['x-luodi-timestamp']), body });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await db?.destroy();
  await database?.drop();
});

const storedSecret = async (id: string) => (await db.selectFrom('webhook_endpoints').select('secret').where('id', '=', id).executeTakeFirstOrThrow()).secret;

/** Delivers a test notification to the endpoint through the real webhook channel; returns what arrived. */
async function deliver(ring: KeyRing, webhookId: string) {
  const path = `/${webhookId}/${deliveries.length}`;
  await db.updateTable('webhook_endpoints').set({ url: receiverUrl + path }).where('id', '=', webhookId).execute();
  const row = { dedupe_key: `test/${path}`, kind: 'webhook_test', audience: null, project_code: null, subject: 'luodi 测试消息', body: 'test', link: null, payload: {}, webhook_id: webhookId } as unknown as OutboxRow;
  await webhookChannel(db, ring)(row);
  const arrived = deliveries.find((d) => d.path === path);
  if (!arrived) throw new Error(`nothing arrived at ${path}`);
  return arrived;
}

const signedWith = (secret: string, d: { signature: string; timestamp: string; body: string }) => d.signature === webhookSignature(secret, d.timestamp, d.body);

/** The admin API's notification routes alone, as an admin (no Temporal call is made by them). */
async function adminApi(keyRing: KeyRing) {
  const admin: User = { id: 'admin.webhooks', name: 'admin', role: 'admin', city: null, department: null };
  const app = express();
  app.use(express.json());
  app.use((_req, res, next) => {
    res.locals.user = admin;
    next();
  });
  app.use('/api', createNotificationsRouter({ db, keyRing } as Pick<RouteDeps, 'db' | 'keyRing'> as RouteDeps));
  app.use(problemHandler(log));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    post: (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** `npm run keys -- <command>` with the given keys, against this file's database. */
async function keysCommand(command: string, encryptionKeys: string) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', command], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.databaseUrl, ENCRYPTION_KEYS: encryptionKeys, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('webhook secrets at rest', () => {
  let sealedId: string;
  let legacyId: string;

  test('a webhook added through the API is stored sealed, and deliveries are signed with the real secret', async () => {
    const api = await adminApi(TEST_KEY_RING);
    try {
      const res = await api.post('/webhooks', { name: '沈阳招商局群机器人', url: `${receiverUrl}/hook`, format: 'generic', secret: SECRET });
      expect(res.status).toBe(201);
      sealedId = ((await res.json()) as { id: string }).id;
    } finally {
      await api.close();
    }
    const stored = await storedSecret(sealedId);
    expect(stored).toMatch(/^enc:v1:test-key:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 16));

    const arrived = await deliver(TEST_KEY_RING, sealedId);
    expect(signedWith(SECRET, arrived)).toBe(true);
    expect(signedWith(stored, arrived)).toBe(false);
  });

  test('the repository function seals too', async () => {
    const id = await addWebhookEndpoint(db, TEST_KEY_RING, { name: 'direct', url: `${receiverUrl}/direct`, format: 'wecom', secret: SECRET });
    expect(await storedSecret(id)).toMatch(/^enc:v1:test-key:/);
    expect(signedWith(SECRET, await deliver(TEST_KEY_RING, id))).toBe(true);
  });

  test('a plain secret stored before sealing still signs deliveries', async () => {
    legacyId = (await db.insertInto('webhook_endpoints').values({ name: 'legacy', url: `${receiverUrl}/legacy`, format: 'generic', secret: LEGACY_SECRET }).returning('id').executeTakeFirstOrThrow()).id;
    expect(signedWith(LEGACY_SECRET, await deliver(TEST_KEY_RING, legacyId))).toBe(true);
  });

  test('keys rewrap seals the plain secret with the active key, and the signature is unchanged', async () => {
    const before = await storedSecret(sealedId);
    const run = await keysCommand('rewrap', TEST_KEY_LINE);
    expect(run).toMatchObject({ code: 0, stdout: "Re-sealed 1 webhook secret(s) with key 'test-key'.\n" });
    const legacy = await storedSecret(legacyId);
    expect(legacy).toMatch(/^enc:v1:test-key:/);
    expect(legacy).not.toContain(LEGACY_SECRET);
    expect(await storedSecret(sealedId)).toBe(before); // already under the active key: left alone
    expect(signedWith(LEGACY_SECRET, await deliver(TEST_KEY_RING, legacyId))).toBe(true);
  });

  test('after rotation, rewrap moves every secret to the new key; signatures stay the same', async () => {
    const newLine = newKeyLine('k-rotated');
    const rotated = parseKeyRing(`${newLine}\n${TEST_KEY_LINE}`, 'test');
    const count = Number((await db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

    // Before the rewrap the rotated ring still opens what the old key sealed.
    expect(signedWith(SECRET, await deliver(rotated, sealedId))).toBe(true);
    const run = await keysCommand('rewrap', `${newLine},${TEST_KEY_LINE}`);
    expect(run).toMatchObject({ code: 0, stdout: `Re-sealed ${count} webhook secret(s) with key 'k-rotated'.\n` });
    expect(await storedSecret(sealedId)).toMatch(/^enc:v1:k-rotated:/);
    expect(await storedSecret(legacyId)).toMatch(/^enc:v1:k-rotated:/);
    expect(signedWith(SECRET, await deliver(rotated, sealedId))).toBe(true);
    expect(signedWith(LEGACY_SECRET, await deliver(rotated, legacyId))).toBe(true);
    // The old key alone can no longer open them, and says which key is missing.
    await expect(deliver(TEST_KEY_RING, sealedId)).rejects.toThrow(/'k-rotated' which is not in the key ring/);
  });

  test('rewrap without a key that opens a secret changes nothing and says which', async () => {
    const before = await storedSecret(sealedId);
    const run = await keysCommand('rewrap', newKeyLine('k-unrelated'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Nothing was changed: webhook endpoint \d+: cannot open a sealed webhook-secret: encrypted with key 'k-rotated' which is not in the key ring/);
    expect(await storedSecret(sealedId)).toBe(before);
  });

  test('keys list prints the ids, never the keys; a bad command prints the usage, exit 2', async () => {
    const newLine = newKeyLine('k-listed');
    const list = await keysCommand('list', `${newLine}\n${TEST_KEY_LINE}`);
    expect(list).toMatchObject({ code: 0, stdout: 'k-listed (encrypts)\ntest-key\n' });
    const bad = await keysCommand('rotat', TEST_KEY_LINE);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command: rotat\nusage: npm run keys/);
  });
});

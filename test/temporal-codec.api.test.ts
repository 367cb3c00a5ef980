/**
 * The Temporal UI's codec endpoint (api/temporal-codec.routes.ts) on the real PostgreSQL: only a
 * province-level supervisor or coordinator signed in to luodi's pages, from luodi's own origin,
 * has payloads decrypted; each decode is logged with who asked; encode is not served.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { problemHandler } from '../api/problem.js';
import { createTemporalCodecRouter } from '../api/temporal-codec.routes.js';
import { newKeyLine, parseKeyRing } from '../config/key-ring.js';
import { EncryptionCodec } from '../config/payload-codec.js';
import { createDb, type Db } from '../db/connection.js';
import { createSession } from '../db/sessions.js';
import { createUser } from '../db/users.js';
import { TEST_KEY_RING } from './keys.js';
import { TEST_USERS, type TestUser } from './stack.js';

const USERS = ['supervisor', 'coordinator', 'coordinatorShenyang', 'supervisorDalian', 'staffLand', 'admin'] as const satisfies readonly TestUser[];
const codec = new EncryptionCodec(TEST_KEY_RING);
const suffix = Math.random().toString(36).slice(2, 10);

let db: Db;
let server: ReturnType<express.Express['listen']>;
let baseUrl: string;
const cookies = {} as Record<(typeof USERS)[number], string>;
const userIds = {} as Record<(typeof USERS)[number], string>;
/** The audit trail: every log line the router writes. */
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  for (const key of USERS) {
    userIds[key] = `codec.${key.toLowerCase()}.${suffix}`;
    await createUser(db, { id: userIds[key], name: key, ...TEST_USERS[key] });
    cookies[key] = `luodi_session=${(await createSession(db, userIds[key])).token}`;
  }
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const app = express();
  app.use(createTemporalCodecRouter({ db, codec, log }));
  app.use(problemHandler(log));
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.destroy();
});

/** A payload in the proto3 JSON form the UI sends and expects: bytes as base64. */
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** What the Temporal UI (served from luodi's origin) sends to `${endpoint}/decode`. */
function decode(body: unknown, { as, headers = {}, path = '/temporal-codec/decode' }: { as?: (typeof USERS)[number]; headers?: Record<string, string>; path?: string } = {}) {
  return fetch(baseUrl + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-namespace': 'default',
      'sec-fetch-site': 'same-origin',
      origin: baseUrl,
      ...(as ? { cookie: cookies[as] } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const project = { code: 'LN-2018-SY-0042', name: '沈阳机器人产业园', contracted: { amountMinor: '1250000000000', currency: 'CNY' } };

async function encryptedBody(...values: unknown[]) {
  return { payloads: (await codec.encode(values.map((v) => defaultPayloadConverter.toPayload(v)))).map(toJson) };
}

describe('POST /temporal-codec/decode', () => {
  test('a province-level supervisor gets the original json/plain payloads back', async () => {
    const body = await encryptedBody(project, null, '字符串');
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const res = await decode(body, { as: 'supervisor' });
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(payloads).toHaveLength(3);
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString('utf8'))).toEqual(project);
    const back = payloads.map((p) => defaultPayloadConverter.fromPayload({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') }));
    expect(back).toEqual([project, null, '字符串']);
  });

  test('a province-level coordinator may too; payloads that were never encrypted come back as they were', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload({ stage: 'signed' }));
    const res = await decode({ payloads: [plain] }, { as: 'coordinator' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [plain] });
  });

  test('each decode is logged with the user and the number of payloads', async () => {
    logLines.length = 0;
    expect((await decode(await encryptedBody(1, 2), { as: 'supervisor' })).status).toBe(200);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'temporal payloads decoded', user: userIds.supervisor, payloads: 2, namespace: 'default' }));
  });

  test('without a session: 401 problem', async () => {
    const res = await decode(await encryptedBody(project));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 401, detail: expect.stringMatching(/Sign in/) });
    const forged = await decode(await encryptedBody(project), { headers: { cookie: 'luodi_session=not-a-session' } });
    expect(forged.status).toBe(401);
  });

  test.each(['coordinatorShenyang', 'supervisorDalian', 'staffLand', 'admin'] as const)('%s: 403, nothing decoded', async (user) => {
    logLines.length = 0;
    const res = await decode(await encryptedBody(project), { as: user });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(await res.json())).not.toContain('沈阳机器人产业园');
    expect(logLines.filter((l) => l.msg === 'temporal payloads decoded')).toEqual([]);
  });

  test('a cross-site request is refused, even with a supervisor session', async () => {
    const body = await encryptedBody(project);
    const crossSite: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }];
    for (const headers of crossSite) {
      const res = await decode(body, { as: 'supervisor', headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.stringify(await res.json())).not.toContain('沈阳机器人产业园');
    }
  });

  test('a malformed body is a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'payloads'],
      [{ payloads: 'x' }, 'payloads'],
      [{ payloads: [{ data: 'not base64!' }] }, 'payloads.0.data'],
      [{ payloads: [{ metadata: { encoding: 42 } }] }, 'payloads.0.metadata.encoding'],
    ];
    for (const [body, field] of cases) {
      const res = await decode(body, { as: 'supervisor' });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    const notJson = await decode('{"payloads": [', { as: 'supervisor' });
    expect(notJson.status).toBe(400);
  });

  test('a body over 4 MB is a 413', async () => {
    const res = await decode({ payloads: [{ data: 'A'.repeat(4.5 * 1024 * 1024) }] }, { as: 'supervisor' });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ detail: expect.stringMatching(/4 MB/) });
  });

  test('a payload under a key the server lacks is a 422 that names no key and no path; the log names the key', async () => {
    const foreign = new EncryptionCodec(parseKeyRing(newKeyLine('k-elsewhere'), 'test'));
    const body = { payloads: (await foreign.encode([defaultPayloadConverter.toPayload(project)])).map(toJson) };
    const res = await decode(body, { as: 'supervisor' });
    expect(res.status).toBe(422);
    const detail = ((await res.json()) as { detail: string }).detail;
    expect(detail).not.toMatch(/k-elsewhere|test-key|\//);
    expect(logLines.some((l) => String(l.err).includes("'k-elsewhere' which is not in the key ring"))).toBe(true);
  });

  test('behind a reverse proxy that rewrites Host, the browser\'s Origin is luodi\'s public address, and is taken', async () => {
    const app = express();
    app.use(createTemporalCodecRouter({ db, codec, log: pino({ level: 'silent' }), publicUrl: 'https://luodi.example.gov.cn' }));
    app.use(problemHandler(pino({ level: 'silent' })));
    const proxied = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(proxied.address() as AddressInfo).port}/temporal-codec/decode`;
      const body = JSON.stringify(await encryptedBody(project));
      const post = (origin: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', origin, cookie: cookies.supervisor }, body });
      expect((await post('https://luodi.example.gov.cn')).status).toBe(200);
      expect((await post('http://luodi.example.gov.cn')).status).toBe(403);
      expect((await post('https://evil.example')).status).toBe(403);
    } finally {
      await new Promise((resolve) => proxied.close(resolve));
    }
  });
});

test('/temporal-codec/encode is not served: the UI is read-only', async () => {
  const res = await decode({ payloads: [toJson(defaultPayloadConverter.toPayload(project))] }, { as: 'supervisor', path: '/temporal-codec/encode' });
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
});

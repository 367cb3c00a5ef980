import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { FRONTEND_NAME, type CertificateSet } from '../config/cert-files.js';
import { loadConfig } from '../config/index.js';
import { createSession } from '../db/sessions.js';
import { makeAuthority, makeLeaf, writePair } from '../scripts/certs.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';
import { testCertificates } from './temporal-target.js';

/**
 * Only luodi reaches Temporal, and Temporal keeps no confidential name: on the cluster, the
 * frontend (gRPC and HTTP) refuses a client without a certificate its CA signed, so a verifyFunds
 * forged from outside never reaches the workflow; and on either Temporal, a codename project's real
 * name and investor are in no history and no visibility record in plaintext (on the cluster, looked
 * for in every column of both of its PostgreSQL databases), while a province supervisor reads
 * them through luodi's codec endpoint.
 */
const cluster = inject('temporalTarget') === 'cluster';
const run = promisify(execFile);
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

interface Confidential {
  code: string;
  codename: string;
  realName: string;
  investor: string;
  blocker: string;
}

/** A codename project with a funds entry entered by the coordinator, and a blocker reported. */
async function confidentialProject(): Promise<Confidential> {
  const code = newCode();
  const mark = randomUUID().slice(0, 8);
  const p = { code, codename: `代号${mark}`, realName: `绝密新材料基地${mark}`, investor: `某跨国材料集团${mark}`, blocker: `用地指标未落实${mark}` };
  const created = await stack.api('/api/projects', {
    body: { code, name: p.realName, codename: p.codename, city: '沈阳', investor: p.investor, capitalType: 'foreign', stage: 'signed', contracted: { amountMinor: '1000000000', currency: 'CNY' } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await stack.api(`/api/projects/${code}/funds`, { body: { amountMinor: '250000000', currency: 'CNY', receivedOn: '2018-07-10', evidence: `ZZ-${mark}` } })).status).toBe(201);
  expect((await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'land', description: p.blocker } })).status).toBe(201);
  // A refusal by the workflow (no such blocker) of a request that carries a secret: its failure
  // (which Temporal stores unencrypted, where it stores one) must not carry it.
  const refused = await stack.api(`/api/projects/${code}/blockers/B99/resolve`, { body: { resolution: p.blocker } });
  expect(refused.status, JSON.stringify(refused.body)).toBeGreaterThanOrEqual(400);
  expect(JSON.stringify(refused.body)).not.toContain(p.blocker);
  await eventually(async () => ((await stack.db.selectFrom('blockers').select('blocker_id').where('project_code', '=', code).executeTakeFirst()) ? true : undefined));
  return p;
}

/** Whether the bytes hold the text, UTF-8 encoded. */
const holds = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(Buffer.from(text, 'utf8'));

/** The UI's JSON form of a payload (proto3 JSON: bytes in base64). */
const uiJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

describe('a confidential project in Temporal', () => {
  let p: Confidential;
  beforeAll(async () => {
    p = await confidentialProject();
  });

  test('its history, its description and its search attributes hold neither its real name, its investor nor its blocker in plaintext', async () => {
    // What anyone reading Temporal without the key sees: the raw events, no codec.
    const raw = new Client({ connection: stack.client.connection, namespace: 'default' });
    const history = await raw.workflow.getHandle(p.code).fetchHistory();
    const historyBytes = proto.temporal.api.history.v1.History.encode(history).finish();
    const described = await stack.client.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: p.code } });
    const describedBytes = proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish();
    for (const bytes of [historyBytes, describedBytes]) {
      // The look-up finds what is there in plaintext: the workflow's task queue and its code.
      expect(holds(bytes, stack.taskQueue)).toBe(true);
      for (const secret of [p.realName, p.investor, p.blocker]) expect(holds(bytes, secret)).toBe(false);
    }
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(Buffer.from(started?.input?.payloads?.[0]?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    // Search attributes stay in plaintext (Temporal filters on them): the city is there to read.
    expect(holds(describedBytes, '沈阳')).toBe(true);
    // The static summary goes through the same codec (the SDK encodes user metadata with it), and
    // even decrypted it names the project by its codename only.
    expect(Buffer.from(history.events?.[0]?.userMetadata?.summary?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    const summary = (await (await stack.client.workflow.getHandle(p.code).describe()).staticSummary()) ?? '';
    expect(summary).toContain(p.codename);
    for (const secret of [p.realName, p.investor]) expect(summary).not.toContain(secret);
  });

  test('luodi\'s codec endpoint decrypts them for a province supervisor, and for no one else', async () => {
    const raw = new Client({ connection: stack.client.connection, namespace: 'default' });
    const history = await raw.workflow.getHandle(p.code).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const decode = async (userId: string | null) => {
      const cookie = userId ? `luodi_session=${(await createSession(stack.db, userId)).token}` : '';
      return fetch(`${stack.baseUrl}/temporal-codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ payloads: [uiJson(input)] }),
      });
    };
    const supervisor = await decode(stack.userIds.supervisor);
    expect(supervisor.status).toBe(200);
    const [decoded] = ((await supervisor.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    expect(Buffer.from(decoded!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    const args = JSON.parse(Buffer.from(decoded!.data, 'base64').toString('utf8')) as { name: string; investor: string };
    expect(args).toMatchObject({ name: p.realName, investor: p.investor });

    expect((await decode(null)).status).toBe(401);
    expect((await decode(stack.userIds.coordinatorShenyang)).status).toBe(403);
    expect((await decode(stack.userIds.staffLand)).status).toBe(403);
  });

  test.runIf(cluster)('neither the history store nor the visibility store, read in PostgreSQL, holds its real name, its investor or its blocker', async () => {
    const databases = inject('temporalDatabases')!;
    const hits = async (database: string, needles: string[]) => {
      const url = new URL(loadConfig().DATABASE_URL);
      url.pathname = `/${database}`;
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      try {
        const { rows: columns } = await db.query<{ table_name: string; column_name: string; data_type: string }>(
          `select table_name, column_name, data_type from information_schema.columns
            where table_schema = 'public' and data_type in ('bytea', 'text', 'character varying', 'jsonb', 'json')`,
        );
        const found: Record<string, string[]> = {};
        for (const needle of needles) {
          found[needle] = [];
          for (const c of columns) {
            const column = `${pg.escapeIdentifier(c.table_name)}.${pg.escapeIdentifier(c.column_name)}`;
            const asBytes = c.data_type === 'bytea' ? column : `convert_to(${column}::text, 'UTF8')`;
            const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${pg.escapeIdentifier(c.table_name)} where position(convert_to($1, 'UTF8') in ${asBytes}) > 0`, [needle]);
            if (rows[0]!.n) found[needle].push(`${c.table_name}.${c.column_name}`);
          }
        }
        return found;
      } finally {
        await db.end();
      }
    };
    // Visibility is written a moment after the history: wait until it has the project's latest.
    await eventually(async () => ((await hits(databases.visibility, [p.code]))[p.code]!.length ? true : undefined));
    const secrets = [p.realName, p.investor, p.blocker];
    const persistence = await hits(databases.persistence, [stack.taskQueue, ...secrets]);
    const visibility = await hits(databases.visibility, [p.code, ...secrets]);
    // The look-up works: it finds the task queue in the history's blobs, and the code in visibility.
    expect(persistence[stack.taskQueue]).toContain('history_node.data');
    expect(visibility[p.code]!.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(persistence[secret], `${secret} in the history store`).toEqual([]);
      expect(visibility[secret], `${secret} in the visibility store`).toEqual([]);
    }
  });
});

describe.runIf(cluster)('Temporal\'s frontend takes only luodi\'s certificate', () => {
  let certs: CertificateSet;
  let rogueDir: string;
  let rogue: { cert: string; key: string };
  const address = () => inject('temporalAddress');
  beforeAll(async () => {
    certs = testCertificates()!;
    // A certificate from an authority of its own, with luodi's name on it: not the cluster's CA.
    rogueDir = mkdtempSync(join(tmpdir(), 'luodi-rogue-'));
    rogue = { cert: join(rogueDir, 'rogue.pem'), key: join(rogueDir, 'rogue-key.pem') };
    const ca = await makeAuthority('luodi development CA');
    await writePair(rogue, await makeLeaf(ca, { commonName: 'luodi', client: true }));
  });
  afterAll(() => {
    if (rogueDir) rmSync(rogueDir, { recursive: true, force: true });
  });

  const systemInfo = async (tls: TLSConfig | null) => {
    const connection = await Connection.connect({ address: address(), connectTimeout: 3_000, ...(tls ? { tls } : {}) });
    try {
      return await connection.workflowService.getSystemInfo({});
    } finally {
      await connection.close();
    }
  };

  test('a client without a certificate, or with one from another authority, is refused on gRPC', async () => {
    const ca = readFileSync(certs.ca.cert);
    await expect(systemInfo(null)).rejects.toThrow();
    await expect(systemInfo({ serverRootCACertificate: ca, serverNameOverride: FRONTEND_NAME })).rejects.toThrow();
    await expect(systemInfo({ serverRootCACertificate: ca, serverNameOverride: FRONTEND_NAME, clientCertPair: { crt: readFileSync(rogue.cert), key: readFileSync(rogue.key) } })).rejects.toThrow();
    // luodi's own certificate is taken.
    await expect(systemInfo({ serverRootCACertificate: ca, serverNameOverride: FRONTEND_NAME, clientCertPair: { crt: readFileSync(certs.client.cert), key: readFileSync(certs.client.key) } })).resolves.toBeDefined();
  });

  test('the frontend\'s HTTP API refuses a client without a certificate too', async () => {
    const port = Number(address().split(':')[1]) + 10;
    const get = (cert?: { cert: string; key: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/api/v1/namespaces', servername: FRONTEND_NAME, ca: readFileSync(certs.ca.cert), ...(cert ? { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } : {}), timeout: 5_000 },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.end();
      });
    await expect(get()).rejects.toThrow();
    await expect(get(rogue)).rejects.toThrow();
    expect(await get(certs.client)).toBe(200);
  });

  test('a verifyFunds forged with the Temporal CLI from outside luodi never reaches the workflow', async () => {
    const code = newCode();
    expect((await stack.api('/api/projects', { body: { code, name: '到资测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', contracted: { amountMinor: '1000000000', currency: 'CNY' } } })).status).toBe(201);
    expect((await stack.api(`/api/projects/${code}/funds`, { body: { amountMinor: '250000000', currency: 'CNY', receivedOn: '2018-07-10', evidence: 'ZZ-FORGED' } })).status).toBe(201);
    // Verified "by" someone other than who entered it: four-eyes would pass, were it to arrive.
    const forged = JSON.stringify({ requestId: `forged-${randomUUID()}`, entryId: 'F1', actor: { id: 'someone.else', department: null, city: null } });
    // From outside: none of luodi's settings (the CLI, too, reads TEMPORAL_TLS_CA, _CERT and _KEY).
    const outside = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
    const update = (...tls: string[]) =>
      run(inject('temporalCliPath'), ['workflow', 'update', 'execute', '--address', address(), '--namespace', 'default', '-w', code, '--name', 'verifyFunds', '--input', forged, '--command-timeout', '10s', ...tls], { timeout: 30_000, env: outside });
    const server = ['--tls', '--tls-ca-path', certs.ca.cert, '--tls-server-name', FRONTEND_NAME];
    await expect(update()).rejects.toThrow();
    await expect(update(...server)).rejects.toThrow();
    await expect(update(...server, '--tls-cert-path', rogue.cert, '--tls-key-path', rogue.key)).rejects.toThrow();

    const entry = async () => ((await stack.api(`/api/projects/${code}`, { as: 'supervisor' })).body as { funds: { id: string; verifiedAt: string | null }[] }).funds.find((f) => f.id === 'F1');
    expect(await entry()).toMatchObject({ id: 'F1', verifiedAt: null });
    const history = await stack.client.workflow.getHandle(code).fetchHistory();
    expect(history.events!.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'verifyFunds')).toBe(false);

    // The command itself is sound: with luodi's own certificate it gets through. That certificate's
    // key is therefore a secret on a par with the database's password (README: Who can reach what).
    // (The CLI then cannot read the answer, which the worker encrypted: it exits non-zero.)
    await update(...server, '--tls-cert-path', certs.client.cert, '--tls-key-path', certs.client.key).catch((err: Error) => expect(err.message).toContain('binary/encrypted'));
    await eventually(async () => ((await entry())?.verifiedAt ? true : undefined));
  });
});

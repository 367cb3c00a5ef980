import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getState, reportBlocker, type Actor } from '../workflows/messages.js';
import { createApiToken, createUser } from '../db/users.js';
import { bundle, eventually, newCode, startStack, type Stack, type TestUser } from './stack.js';

/**
 * The adversarial suite: generated bad and edge inputs for every route and every task-form field
 * type, more than 10,000 requests a run. No answer is a 5xx or slower than 5 s; a refused request
 * writes nothing (the audit log counts exactly the accepted changes); afterwards every project
 * still takes a valid update within 5 s and none has an activity retrying.
 */
let stack: Stack;
/** Projects that every project route is tried on; the last one is also withdrawn (or not) by the tries. */
const projects: string[] = [];
let withdrawable = '';
/** A duplicate that the tries may mark merged into the first project. */
let duplicate = '';
/** A project still in talks (意向), whose stage can move by hand. */
let early = '';

const SEED = Number(process.env.ADVERSARIAL_SEED ?? 20261122);
const REQUESTS_PER_ROUTE = Number(process.env.ADVERSARIAL_PER_ROUTE ?? 420);
const IN_FLIGHT = 8;
const SLOW_MS = 5_000;

/** The suite's projects are in 抚顺 (no other test file uses it), with 抚顺 staff and verifier of its own, so that the entries it leaves do not crowd other files' 沈阳 queues. */
const CITY = '抚顺';
type Who = TestUser | 'localStaffLand' | 'localStaffRegistration' | 'localVerifier';
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  stack = await startStack(await bundle());
  Object.assign(tokens, stack.tokens);
  const suffix = randomUUID().slice(0, 8);
  for (const [who, role, department] of [['localStaffLand', 'staff', 'natural_resources'], ['localStaffRegistration', 'staff', 'market_regulation'], ['localVerifier', 'verifier', null]] as const) {
    const id = `adv.${who.toLowerCase()}.${suffix}`;
    await createUser(stack.db, { id, name: who, role, city: CITY, department });
    tokens[who] = await createApiToken(stack.db, id, 'test');
  }
  for (let i = 0; i < 4; i++) projects.push(await signedProject());
  withdrawable = await signedProject();
  duplicate = await signedProject();
  early = newCode();
  expect((await stack.api('/api/projects', { body: { code: early, name: '意向项目', city: CITY, investor: '某公司', capitalType: 'domestic' } })).status).toBe(201);
  // Something to resolve, verify, void and reverse on each project.
  for (const code of [...projects, withdrawable]) {
    expect((await stack.api(`/api/projects/${code}/blockers`, { body: { category: 'land', description: '待解决' } })).status).toBe(201);
    expect((await stack.api(`/api/projects/${code}/funds`, { body: { amountMinor: '100', currency: 'CNY', receivedOn: '2018-07-10', evidence: 'E-1' } })).status).toBe(201);
    expect((await stack.api(`/api/projects/${code}/funds`, { body: { amountMinor: '200', currency: 'CNY', receivedOn: '2018-07-11', evidence: 'E-2' } })).status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

async function signedProject(): Promise<string> {
  const code = newCode();
  const res = await stack.api('/api/projects', { body: { code, name: '对抗测试项目', city: CITY, investor: '某公司', capitalType: 'domestic', stage: 'signed', contracted: { amountMinor: '1000000', currency: 'CNY' } } });
  expect(res.status).toBe(201);
  return code;
}

// ---- What an adversary sends -------------------------------------------------------------

const nasty = fc.oneof(
  fc.constantFrom(
    'a\u0000b',
    '\u0000',
    '\ud800',
    'x\udc00y',
    'bell\u0007',
    'esc\u001b[2J',
    'del\u007f',
    'c1\u0085\u009f',
    '\u202eevil\u202c',
    'مرحبا بالعالم',
    'שלום',
    '沈阳🚀🏭👷‍♀️',
    '\ufeffBOM',
    '\u200b\u200d',
    '  ',
    '',
    '\r\n\r\n',
    'line\nbreak',
    'tab\there',
    "'; drop table projects; --",
    '<script>alert(1)</script>',
    '%00%ff',
    '../../etc/passwd',
    'x'.repeat(10_000),
    '测'.repeat(2_001),
    'e\u0301',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const dates = fc.constantFrom('0000-01-01', '2018-02-30', '9999-12-31', '1989-12-31', '2101-01-01', '2018-2-3', '2018-02-03T00:00:00Z', '2018-07-10', '1990-01-01', '2100-12-31', '', 'today');
const amounts = fc.oneof(
  fc.constantFrom('0', '-1', '10000000000000000000', '1e3', '1.5', ' 1', '01', 'abc', '', '1000000000000001', '1000000000000000', '99'),
  fc.constantFrom(0, -1, 1e19, 1.5, Number.MAX_SAFE_INTEGER, null, true),
);
const anything = fc.oneof(nasty, dates, amounts, fc.constantFrom(null, true, 42, -0, [], {}, [1, 2], { nested: { deep: '\u0000' } }));

/** A valid body with one field (or a new one) replaced by something nasty, or left valid. */
function mutate(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(valid);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(valid) },
    { weight: 6, arbitrary: keys.length ? fc.tuple(fc.constantFrom(...keys), anything).map(([k, v]) => ({ ...valid, [k]: v })) : fc.constant(valid) },
    { weight: 1, arbitrary: fc.tuple(nasty, anything).map(([k, v]) => ({ ...valid, [k || 'x']: v })) },
    { weight: 1, arbitrary: fc.constantFrom<Record<string, unknown>>({}, { ...valid, __proto__: { admin: true } } as Record<string, unknown>) },
  );
}

interface Route {
  name: string;
  as: Who;
  method: 'GET' | 'POST';
  /** A path for a project (some routes ignore it). */
  path: (code: string) => string;
  valid?: Record<string, unknown>;
  /** Accepted, it adds exactly one audit record to the project. */
  audited?: boolean;
  /** Tried only on this project (by default, on the signed ones). */
  on?: 'withdrawable' | 'early' | 'duplicate';
  /** Query parameters instead of a body. */
  query?: Record<string, string>;
  /** The body is a CSV sheet of one row (columns → cells) instead of JSON. */
  csv?: boolean;
}

const project = (c: string) => `/api/projects/${c}`;
/** Every route that takes input, with a valid request to start from (built once the stack exists). */
const routes = (): Route[] => [
  { name: 'create a project', as: 'coordinator', method: 'POST', path: () => '/api/projects', valid: { code: 'LN-ADV-SY-0001', name: '新项目', city: CITY, investor: '某公司', capitalType: 'domestic', stage: 'intention', liaison: 'l.wang', contracted: { amountMinor: '100', currency: 'CNY' }, signingEvent: '峰会', signedOn: '2018-07-10' } },
  { name: 'move the stage', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/stage`, valid: { to: 'negotiating', reason: '原因' }, audited: true, on: 'early' },
  { name: 'complete the land task (every form field type)', as: 'localStaffLand', method: 'POST', path: (c) => `${project(c)}/tasks/land/complete`, valid: { data: { parcel: 'SY-1', area_mu: 12.5, land_payment: { amountMinor: '100', currency: 'CNY' }, payment_voucher: 'V-1' } }, audited: true },
  { name: 'complete the registration task (text, date, money)', as: 'localStaffRegistration', method: 'POST', path: (c) => `${project(c)}/tasks/registration/complete`, valid: { data: { credit_code: '91210100', registered_on: '2018-07-10', registered_capital: { amountMinor: '1', currency: 'CNY' } } }, audited: true },
  { name: 'report a blocker', as: 'localStaffLand', method: 'POST', path: (c) => `${project(c)}/blockers`, valid: { category: 'land', description: '征地' }, audited: true },
  { name: 'resolve a blocker', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/blockers/B1/resolve`, valid: { resolution: '已解决' }, audited: true },
  { name: 'reassign the liaison', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/liaison`, valid: { liaison: 'liaison.li', reason: null }, audited: true },
  { name: 'record funds', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/funds`, valid: { amountMinor: '100', currency: 'CNY', receivedOn: '2018-07-10', evidence: 'E-9' }, audited: true },
  { name: 'verify funds', as: 'localVerifier', method: 'POST', path: (c) => `${project(c)}/funds/F1/verify`, valid: {}, audited: true },
  { name: 'void funds', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/funds/F2/void`, valid: { reason: '重复' }, audited: true },
  { name: 'reverse funds', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/funds/F1/reverse`, valid: { reason: '冲正' }, audited: true },
  { name: 'increase capital', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/capital-increases`, valid: { amountMinor: '100', currency: 'CNY', agreedOn: '2018-07-10' }, audited: true },
  { name: 'withdraw', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/withdraw`, valid: { reason: '撤回' }, audited: true, on: 'withdrawable' },
  { name: 'mark merged', as: 'coordinator', method: 'POST', path: (c) => `${project(c)}/merge`, valid: { into: projects[0], reason: '重复签约' }, audited: true, on: 'duplicate' },
  { name: 'import a summit batch (CSV cells)', as: 'coordinator', method: 'POST', path: () => '/api/imports', csv: true, valid: { 项目编号: 'LN-ADV-SY-0001', 项目名称: '峰会项目', 投资方: '某公司', 城市: CITY, 资本类型: '内资', 省外项目: '否', '签约额（万元）': '12.5', 币种: '人民币', 签约活动: '峰会', 签约日期: '2018-07-10', 对接人: 'l.wang' } },
  { name: 'add a user', as: 'admin', method: 'POST', path: () => '/api/users', valid: { id: 'adv.user', name: '用户', role: 'coordinator', city: CITY, department: null, email: 'a@b.cn' } },
  { name: 'set a calendar day', as: 'admin', method: 'POST', path: () => '/api/calendar/days', valid: { day: '2030-01-02', kind: 'holiday', name: '假日' } },
  { name: 'set a target', as: 'admin', method: 'POST', path: () => '/api/targets', valid: { year: 2030, city: CITY, category: 'domestic', amountMinor: '100', currency: 'CNY' } },
  { name: 'add a webhook', as: 'admin', method: 'POST', path: () => '/api/webhooks', valid: { name: 'hook', url: 'https://example.test/hook', format: 'generic', secret: '0123456789abcdef' } },
  { name: 'add a contact', as: 'admin', method: 'POST', path: () => '/api/contacts', valid: { city: CITY, department: null, audience: 'coordination', userId: stack.userIds.coordinator, webhookId: null } },
  { name: 'save a template', as: 'admin', method: 'POST', path: () => '/api/templates', valid: { projectType: 'adv_type', name: { zh: '类型', en: 'Type' }, tasks: [{ key: 't1', department: 'commerce', title: { zh: '任务', en: 'Task' }, dueWorkingDays: 5, fields: [{ key: 'f', label: { zh: '字段', en: 'Field' }, type: 'text', required: true }] }] } },
  { name: 'set my channels', as: 'coordinator', method: 'POST', path: () => '/api/me/channels', valid: { in_app: true, email: false } },
  { name: 'list projects', as: 'coordinator', method: 'GET', path: () => '/api/projects', query: { city: CITY, stage: 'landing', stuck: 'true', q: '项目', liaison: 'l.wang', limit: '10', offset: '0' } },
  { name: 'statistics', as: 'supervisor', method: 'GET', path: () => '/api/statistics', query: { from: '2018-01-01', to: '2018-12-31', signingEvent: '峰会' } },
  { name: 'targets', as: 'supervisor', method: 'GET', path: () => '/api/targets', query: { year: '2030' } },
  { name: 'the inbox', as: 'staffLand', method: 'GET', path: () => '/api/inbox', query: { limit: '5', offset: '0' } },
  { name: 'the stuck list', as: 'supervisor', method: 'GET', path: () => '/api/stuck', query: { limit: '5' } },
  { name: 'the outbox', as: 'admin', method: 'GET', path: () => '/api/outbox', query: { status: 'dead' } },
  { name: 'notifications', as: 'coordinator', method: 'GET', path: () => '/api/notifications', query: {} },
];

interface Sent {
  route: Route;
  code: string;
  path: string;
  init: { method: string; headers: Record<string, string>; body?: string };
}

const CONTENT_TYPES = ['application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data', 'application/merge-patch+json'];

/** Requests for one route: nasty bodies or queries, wrong content types, broken JSON, odd keys. */
function requestsFor(route: Route, codes: string[], n: number, seed: number): Sent[] {
  const body = mutate(route.valid ?? {});
  const queryArb = route.query
    ? fc.oneof(fc.constant(route.query), fc.tuple(fc.constantFrom(...Object.keys(route.query), 'unknown'), nasty).map(([k, v]) => ({ ...route.query, [k]: v })))
    : fc.constant({});
  const shape = fc.record({
    code: fc.constantFrom(...codes),
    body,
    query: queryArb,
    contentType: fc.constantFrom(...CONTENT_TYPES),
    broken: fc.constantFrom(false, false, false, false, false, false, false, true),
    key: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('with space', '\u00e9', 'k'.repeat(201), 'fixed-key')), { nil: undefined, freq: 3 }),
  });
  return fc.sample(shape, { numRuns: n, seed }).map((s) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens[route.as]}` };
    if (s.key !== undefined) headers['idempotency-key'] = encodeURIComponent(s.key).slice(0, 250);
    let path = route.path(s.code);
    if (route.method === 'GET') {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(s.query)) params.set(k, String(v));
      path += `?${params.toString()}`;
      return { route, code: s.code, path, init: { method: 'GET', headers } };
    }
    // A fresh code for most project creations, so that valid ones start new projects.
    const json = s.body.code === 'LN-ADV-SY-0001' ? { ...s.body, code: newCode() } : s.body['项目编号'] === 'LN-ADV-SY-0001' ? { ...s.body, 项目编号: newCode() } : s.body;
    if (route.csv) {
      headers['content-type'] = s.contentType === 'application/json' ? 'text/csv' : s.contentType;
      const cell = (v: unknown) => `"${(typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(/"/g, '""')}"`;
      const sheet = `${Object.keys(json).map(cell).join(',')}\n${Object.values(json).map(cell).join(',')}\n`;
      return { route, code: s.code, path, init: { method: 'POST', headers, body: s.broken ? sheet.slice(0, -4) : sheet } };
    }
    headers['content-type'] = s.contentType;
    const text = JSON.stringify(json);
    return { route, code: s.code, path, init: { method: 'POST', headers, body: s.broken ? text.slice(0, Math.max(1, text.length - 3)) + '\u0000' : text } };
  });
}

/** Odd characters in paths. */
function oddPaths(codes: string[]): Sent[] {
  const code = codes[0]!;
  const weird = ['%', '%E0%A4%A', '%00', '%ff%fe', '..%2F..%2Fetc', encodeURIComponent('\u0000'), encodeURIComponent('沈阳'), 'LN-%2F-1', 'a'.repeat(3000), '%25', '%ud800', ';', '@', '~', '%0d%0a'];
  const templates = [
    (w: string) => `/api/projects/${w}`,
    (w: string) => `/api/projects/${w}/blockers`,
    (w: string) => `/api/projects/${code}/blockers/${w}/resolve`,
    (w: string) => `/api/projects/${code}/tasks/${w}/complete`,
    (w: string) => `/api/projects/${code}/funds/${w}/verify`,
    (w: string) => `/api/reports/${w}`,
    (w: string) => `/api/calendar/${w}`,
    (w: string) => `/api/templates/${w}`,
    (w: string) => `/api/notifications/${w}/read`,
    (w: string) => `/projects/${w}`,
    (w: string) => `/projects/${code}/tasks/${w}`,
  ];
  const sent: Sent[] = [];
  for (const t of templates) {
    for (const w of weird) {
      for (const method of ['GET', 'POST']) {
        const headers: Record<string, string> = { authorization: `Bearer ${stack.tokens.coordinator}`, 'content-type': 'application/json' };
        sent.push({ route: { name: 'odd path', as: 'coordinator', method: method as 'GET', path: () => '' }, code, path: t(w), init: { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) } });
      }
    }
  }
  return sent;
}

interface Outcome {
  sent: Sent;
  status: number;
  ms: number;
  replayed: boolean;
  /** For a 400: the fields the problem names. */
  fields: string[];
}

async function send(s: Sent): Promise<Outcome> {
  const started = Date.now();
  const res = await fetch(stack.baseUrl + s.path, { ...s.init, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let fields: string[] = [];
  if (res.status === 400) {
    try {
      fields = ((JSON.parse(text) as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);
    } catch {
      fields = [];
    }
  }
  return { sent: s, status: res.status, ms: Date.now() - started, replayed: res.headers.get('idempotent-replayed') === 'true', fields };
}

async function sendAll(requests: Sent[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) outcomes.push(await send(requests[next++]!));
    }),
  );
  return outcomes;
}

function describeFailure(o: Outcome): string {
  return `${o.status} in ${o.ms} ms: ${o.sent.route.name} ${o.sent.init.method} ${o.sent.path.slice(0, 200)} ${(o.sent.init.body ?? '').slice(0, 300)}`;
}

describe('the adversarial suite', () => {
  test('10,000+ generated requests: no 5xx, none slower than 5 s, a refused request writes nothing, every project still answers', async () => {
    const auditBefore = await auditCounts();

    const requests: Sent[] = [];
    const tried = routes();
    tried.forEach((route, i) => {
      const codes = route.on === 'withdrawable' ? [withdrawable] : route.on === 'early' ? [early] : route.on === 'duplicate' ? [duplicate] : projects;
      requests.push(...requestsFor(route, codes, REQUESTS_PER_ROUTE, SEED + i));
    });
    requests.push(...oddPaths(projects));
    // Interleave routes, so that updates to one project arrive together from several routes.
    const shuffled = fc.sample(fc.shuffledSubarray(requests, { minLength: requests.length, maxLength: requests.length }), { numRuns: 1, seed: SEED })[0]!;
    expect(shuffled.length).toBeGreaterThanOrEqual(10_000);

    const outcomes = await sendAll(shuffled);
    const serverErrors = outcomes.filter((o) => o.status >= 500);
    expect(serverErrors.map(describeFailure)).toEqual([]);
    const slow = outcomes.filter((o) => o.ms > SLOW_MS);
    expect(slow.map(describeFailure)).toEqual([]);
    // Every 400 names what to fix: validation caught it, not the database.
    const unnamed = outcomes.filter((o) => o.status === 400 && o.sent.path.startsWith('/api/') && o.fields.length === 0);
    expect(unnamed.map(describeFailure)).toEqual([]);
    // Every route both refused bad input and accepted good input: the suite reaches past validation.
    for (const route of tried) {
      const statuses = outcomes.filter((o) => o.sent.route === route).map((o) => o.status);
      expect({ route: route.name, refused: statuses.some((s) => s >= 400 && s < 500), accepted: statuses.some((s) => s < 300) }).toEqual({ route: route.name, refused: true, accepted: true });
    }

    // Nothing written for a refused request, nothing doubled for an accepted one: each project's
    // audit log grew by exactly its accepted changes.
    const accepted = new Map<string, number>();
    for (const o of outcomes) {
      if (o.sent.route.audited && o.status < 300 && !o.replayed) accepted.set(o.sent.code, (accepted.get(o.sent.code) ?? 0) + 1);
    }
    const auditAfter = await eventually(async () => {
      const counts = await auditCounts();
      return [...projects, withdrawable, duplicate, early].every((c) => (counts.get(c) ?? 0) === (auditBefore.get(c) ?? 0) + (accepted.get(c) ?? 0)) ? counts : undefined;
    }, 30_000).catch(async () => auditCounts());
    for (const c of [...projects, withdrawable, duplicate, early]) {
      expect({ project: c, audit: auditAfter.get(c) ?? 0 }).toEqual({ project: c, audit: (auditBefore.get(c) ?? 0) + (accepted.get(c) ?? 0) });
    }

    // Every project touched still takes a valid update within 5 s, and none has an activity retrying.
    const actor: Actor = { id: stack.userIds.coordinator, department: null, city: null };
    for (const code of projects) {
      const started = Date.now();
      const state = await stack.client.workflow.getHandle(code).query(getState);
      if (state.blockers.length < 1_000) {
        await stack.client.workflow.getHandle(code).executeUpdate(reportBlocker, { args: [{ requestId: randomUUID(), category: 'other', description: '仍然响应', actor }] });
      }
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    for (const code of [...projects, withdrawable, early]) {
      const d = await stack.client.workflow.getHandle(code).describe();
      expect({ code, pending: d.raw.pendingActivities ?? [] }).toEqual({ code, pending: [] });
    }
    const failures = await stack.db.selectFrom('write_failures').select(['project_code', 'message']).where('project_code', 'in', [...projects, withdrawable, early]).execute();
    expect(failures).toEqual([]);
  }, 540_000);
});

async function auditCounts(): Promise<Map<string, number>> {
  const rows = await stack.db
    .selectFrom('audit_log')
    .select(['project_code', (eb) => eb.fn.countAll<string>().as('n')])
    .where('project_code', 'in', [...projects, withdrawable, duplicate, early])
    .groupBy('project_code')
    .execute();
  return new Map(rows.map((r) => [r.project_code, Number(r.n)]));
}

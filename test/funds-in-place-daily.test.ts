import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createLogger } from '../config/logger.js';
import { createDb, type Db } from '../db/connection.js';
import { dropDatabase, prepareDatabase } from '../db/migrator.js';
import { fundsFigures, type Period } from '../db/statistics.js';

/**
 * The sums the dispatch figures read (funds_in_place_daily, and funds_verified_by_project for a
 * cohort) equal the ledger's own figures after random histories: entries entered, verified,
 * voided and reversed; projection rows that arrive late, move city, change capital type or
 * origin, are merged, written again as the projection writes them, or removed; and
 * verifications racing merges on other connections.
 */
// A database of this file's own: the comparison is over the whole ledger.
const url = new URL(inject('databaseUrl'));
url.pathname = `${url.pathname}_daily`;
const databaseUrl = url.toString();
let db: Db;
beforeAll(async () => {
  await prepareDatabase(databaseUrl, createLogger('test', 'warn'));
  db = createDb(databaseUrl);
});
afterAll(async () => {
  await db?.destroy();
  await dropDatabase(databaseUrl);
});

const CITIES = ['沈阳', '大连', '鞍山'] as const;
const DAYS = ['2018-01-01', '2018-01-02', '2018-03-31', '2018-04-01', '2017-02-28'] as const;

type Op =
  | { op: 'project'; p: number; city: number; foreign: boolean; outOfProvince: boolean }
  | { op: 'enter'; p: number; amount: number; usd: boolean; day: number }
  | { op: 'verify'; e: number }
  | { op: 'void'; e: number }
  | { op: 'reverse'; e: number; verify: boolean }
  | { op: 'merge'; p: number }
  | { op: 'restage'; p: number }
  | { op: 'move'; p: number; city: number; foreign: boolean; outOfProvince: boolean }
  | { op: 'remove'; p: number };

const project = fc.integer({ min: 0, max: 3 });
const entry = fc.nat({ max: 40 });
const projectOp = fc.record({ op: fc.constant('project' as const), p: project, city: fc.nat({ max: 2 }), foreign: fc.boolean(), outOfProvince: fc.boolean() });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  projectOp,
  { arbitrary: fc.record({ op: fc.constant('enter' as const), p: project, amount: fc.integer({ min: 1, max: 1_000_000 }), usd: fc.boolean(), day: fc.nat({ max: DAYS.length - 1 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('verify' as const), e: entry }), weight: 4 },
  fc.record({ op: fc.constant('void' as const), e: entry }),
  fc.record({ op: fc.constant('reverse' as const), e: entry, verify: fc.boolean() }),
  fc.record({ op: fc.constant('merge' as const), p: project }),
  fc.record({ op: fc.constant('restage' as const), p: project }),
  fc.record({ op: fc.constant('move' as const), p: project, city: fc.nat({ max: 2 }), foreign: fc.boolean(), outOfProvince: fc.boolean() }),
  fc.record({ op: fc.constant('remove' as const), p: project }),
);

let run = 0;

/** Writes one projection row as the projection activity does: inserted, or written again over the one there. */
function upsertProject(code: string, o: { city: string; foreign: boolean; outOfProvince: boolean; stage?: string }) {
  const now = new Date().toISOString();
  const row = { city: o.city, capital_type: o.foreign ? ('foreign' as const) : ('domestic' as const), out_of_province: o.outOfProvince, stage: o.stage ?? 'landing', updated_at: now };
  return db
    .insertInto('projects')
    .values({ code, name: '项目', codename: null, investor: '某公司', version: 1, started_at: now, signed_on: '2018-01-01', stuck: false, stuck_reasons: [], overdue_tasks: 0, escalation_rung: 0, ...row })
    .onConflict((c) => c.column('code').doUpdateSet(row))
    .execute();
}

/** Plays a history; a step the ledger's own rules refuse (verifying a voided entry, reversing an unverified one...) is skipped. */
async function play(ops: Op[]): Promise<void> {
  const prefix = `D${run++}-${Date.now().toString(36)}`;
  const code = (p: number) => `${prefix}-P${p}`;
  const entries: { id: string; code: string; amount: number; currency: 'CNY' | 'USD'; day: string; verified: boolean; voided: boolean; reversed: boolean }[] = [];
  const verify = (id: string) => db.insertInto('funds_verifications').values({ entry_id: id, verified_by: 'verifier', verified_at: new Date().toISOString() }).execute();
  for (const o of ops) {
    // The n-th of the entries the step can apply to (unverified ones to verify or void, verified tranches to reverse).
    const applicable = entries.filter((x) => (o.op === 'reverse' ? x.verified && x.amount > 0 && !x.reversed : !x.verified && !x.voided));
    const e = 'e' in o ? applicable[o.e % Math.max(applicable.length, 1)] : undefined;
    switch (o.op) {
      case 'project':
      case 'move':
        if (o.op === 'move' && !(await db.selectFrom('projects').select('code').where('code', '=', code(o.p)).executeTakeFirst())) break;
        await upsertProject(code(o.p), { city: CITIES[o.city]!, foreign: o.foreign, outOfProvince: o.outOfProvince });
        break;
      case 'enter': {
        const id = `${prefix}-F${entries.length}`;
        const currency = o.usd ? 'USD' : 'CNY';
        await db.insertInto('funds_entries').values({ entry_id: id, project_code: code(o.p), kind: 'tranche', amount_minor: String(o.amount), currency, received_on: DAYS[o.day]!, evidence: 'E', entered_by: 'coordinator', entered_at: new Date().toISOString(), reverses: null, reason: null }).execute();
        entries.push({ id, code: code(o.p), amount: o.amount, currency, day: DAYS[o.day]!, verified: false, voided: false, reversed: false });
        break;
      }
      case 'verify':
        if (e && !e.verified && !e.voided) {
          await verify(e.id);
          e.verified = true;
        }
        break;
      case 'void':
        if (e && !e.verified && !e.voided) {
          await db.insertInto('funds_voids').values({ entry_id: e.id, voided_by: 'coordinator', voided_at: new Date().toISOString(), reason: '录错' }).execute();
          e.voided = true;
        }
        break;
      case 'reverse':
        if (e && e.verified && e.amount > 0 && !e.reversed) {
          const id = `${prefix}-F${entries.length}`;
          await db.insertInto('funds_entries').values({ entry_id: id, project_code: e.code, kind: 'reversal', amount_minor: String(-e.amount), currency: e.currency, received_on: e.day, evidence: 'R', entered_by: 'coordinator', entered_at: new Date().toISOString(), reverses: e.id, reason: '冲正' }).execute();
          e.reversed = true;
          const reversal = { id, code: e.code, amount: -e.amount, currency: e.currency, day: e.day, verified: false, voided: false, reversed: true };
          entries.push(reversal);
          if (o.verify) {
            await verify(id);
            reversal.verified = true;
          }
        }
        break;
      case 'merge':
      case 'restage':
        await db.updateTable('projects').set({ stage: o.op === 'merge' ? 'merged' : 'operating' }).where('code', '=', code(o.p)).execute();
        break;
      case 'remove':
        await db.deleteFrom('projects').where('code', '=', code(o.p)).execute();
        break;
    }
  }
}

/** The ledger's own figures, by the definition: verified entries of projects in the projection, merged duplicates left out. */
async function fromLedger(area: string | null, p: Period) {
  const { rows } = await sql<{ cny: string; usd: string; domestic: string; foreign: string; oop: string }>`
    select coalesce(sum(e.amount_minor) filter (where e.currency = 'CNY'), 0) as cny,
           coalesce(sum(e.amount_minor) filter (where e.currency = 'USD'), 0) as usd,
           coalesce(sum(e.amount_minor) filter (where e.currency = 'CNY' and p.capital_type = 'domestic'), 0) as domestic,
           coalesce(sum(e.amount_minor) filter (where e.currency = 'USD' and p.capital_type = 'foreign'), 0) as foreign,
           coalesce(sum(e.amount_minor) filter (where e.currency = 'CNY' and p.capital_type = 'domestic' and p.out_of_province), 0) as oop
    from funds_entries e join funds_verifications v on v.entry_id = e.entry_id join projects p on p.code = e.project_code
    where e.received_on between ${p.from} and ${p.to} and p.stage <> 'merged' ${area ? sql`and p.city = ${area}` : sql``}`.execute(db);
  const r = rows[0]!;
  return { CNY: BigInt(r.cny), USD: BigInt(r.usd), byCategory: { domestic: BigInt(r.domestic), foreign: BigInt(r.foreign), out_of_province: BigInt(r.oop) } };
}

const PERIODS: Period[] = [
  { from: '2018-01-01', to: '2018-03-31' },
  { from: '2018-01-02', to: '2018-04-01' },
  { from: '2017-01-01', to: '2017-12-31' },
  { from: '2018-04-01', to: '2018-04-01' },
];

async function expectSameFigures(): Promise<void> {
  // Each project's verified funds, as the cohort reads them, against the ledger's.
  const { rows: byProject } = await sql<{ project_code: string; currency: string; amount: string; kept: string | null }>`
    select l.project_code, l.currency, l.amount, b.amount_minor::text as kept
    from (select e.project_code, e.currency, sum(e.amount_minor)::text as amount from funds_entries e join funds_verifications v on v.entry_id = e.entry_id group by 1, 2) l
    full join funds_verified_by_project b on b.project_code = l.project_code and b.currency = l.currency
    where l.amount is distinct from b.amount_minor::text`.execute(db);
  expect(byProject).toEqual([]);
  for (const area of [null, ...CITIES]) {
    const daily = await fundsFigures(db, area, PERIODS);
    for (const [i, p] of PERIODS.entries()) expect(daily[i], `${area ?? '全省'} ${p.from}..${p.to}`).toEqual(await fromLedger(area, p));
  }
}

test('the daily sums equal the ledger after random histories', async () => {
  await fc.assert(
    // Most projects are in the projection before their funds; the rest arrive later, among the other steps.
    fc.asyncProperty(fc.array(projectOp, { maxLength: 4 }), fc.array(opArb, { minLength: 10, maxLength: 80 }), async (first, then) => {
      await play([...first, ...then]);
      await expectSameFigures();
    }),
    { numRuns: 60 },
  );
}, 120_000);

test('the daily sums hold while entries are verified on other connections as their projects merge and move', async () => {
  const prefix = `R-${Date.now().toString(36)}`;
  const codes = Array.from({ length: 4 }, (_, i) => `${prefix}-P${i}`);
  for (const code of codes) await upsertProject(code, { city: '沈阳', foreign: false, outOfProvince: false });
  const ids: { id: string; code: string }[] = [];
  for (const [i, code] of codes.entries()) {
    for (let n = 0; n < 30; n++) {
      const id = `${code}-F${n}`;
      await db.insertInto('funds_entries').values({ entry_id: id, project_code: code, kind: 'tranche', amount_minor: String(100 + n + i), currency: 'CNY', received_on: '2018-01-02', evidence: 'E', entered_by: 'coordinator', entered_at: new Date().toISOString(), reverses: null, reason: null }).execute();
      ids.push({ id, code });
    }
  }
  // Each verification and each projection change in a transaction of its own, all at once, on a pool of connections.
  const pool = createDb(databaseUrl);
  try {
    const verifications = ids.map(({ id }) =>
      pool.transaction().execute(async (trx) => {
        await trx.insertInto('funds_verifications').values({ entry_id: id, verified_by: 'verifier', verified_at: new Date().toISOString() }).execute();
        await sql`select pg_sleep(0.002)`.execute(trx);
      }),
    );
    const changes = [
      pool.updateTable('projects').set({ stage: 'merged' }).where('code', '=', codes[0]!).execute(),
      pool.updateTable('projects').set({ city: '大连' }).where('code', '=', codes[1]!).execute(),
      pool.updateTable('projects').set({ capital_type: 'foreign' }).where('code', '=', codes[2]!).execute(),
      pool.deleteFrom('projects').where('code', '=', codes[3]!).execute(),
    ];
    await Promise.all([...verifications, ...changes]);
  } finally {
    await pool.destroy();
  }
  await expectSameFigures();
}, 60_000);

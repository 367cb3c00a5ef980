import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { growth, percent, points, yearElapsed } from '../workflows/figures.js';
import { formatMinor, toYi } from '../workflows/money.js';
import type { Db } from '../db/connection.js';
import { completeTask, increaseCapital } from '../workflows/messages.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

/** 1 亿 = 10^8 of the currency = 10^10 minor units. */
const yi = (tenthsOfYi: number) => (BigInt(tenthsOfYi) * 1_000_000_000n).toString();

interface SeedProject {
  city: string;
  capital: 'domestic' | 'foreign';
  outOfProvince?: boolean;
  signedOn: string;
}

/** Projection rows and verified ledger entries, as the workflows' activities would have written them. */
async function seedProjects(db: Db, count: number, p: SeedProject): Promise<string[]> {
  const codes = Array.from({ length: count }, () => newCode('SD'));
  const now = new Date().toISOString();
  for (let i = 0; i < codes.length; i += 200) {
    await db
      .insertInto('projects')
      .values(
        codes.slice(i, i + 200).map((code) => ({
          code,
          name: '种子项目',
          codename: null,
          city: p.city,
          investor: '某公司',
          capital_type: p.capital,
          out_of_province: p.outOfProvince ?? false,
          stage: 'landing',
          version: 1,
          started_at: now,
          updated_at: now,
          signed_on: p.signedOn,
          stuck: false,
          stuck_reasons: [],
          overdue_tasks: 0,
          escalation_rung: 0,
        })),
      )
      .execute();
  }
  return codes;
}

async function seedFunds(db: Db, code: string, amountMinor: string, currency: 'CNY' | 'USD', receivedOn: string): Promise<void> {
  const entry = `${code}:F${Math.random().toString(36).slice(2, 8)}`;
  await db
    .insertInto('funds_entries')
    .values({ entry_id: entry, project_code: code, kind: 'tranche', amount_minor: amountMinor, currency, received_on: receivedOn, evidence: 'SEED', entered_by: 'coordinator.seed', entered_at: new Date().toISOString(), reverses: null, reason: null })
    .execute();
  await db.insertInto('funds_verifications').values({ entry_id: entry, verified_by: 'verifier.seed', verified_at: new Date().toISOString() }).execute();
}

describe('exact figures', () => {
  test('亿 with one decimal, percentages half-up, schedule points', () => {
    expect(toYi(6_285_000_000_000n)).toBe('628.5');
    expect(toYi(6_284_950_000_000n)).toBe('628.5');
    expect(toYi(6_284_499_999_999n)).toBe('628.4');
    expect(growth(116n, 88n)).toBe('31.8');
    expect(percent(541n, 2404n)).toBe('22.5');
    expect(percent(1n, 0n)).toBeNull();
    expect(yearElapsed('2017-04-30')).toBe('32.9');
    expect(yearElapsed('2016-12-31')).toBe('100.0');
    expect(points('22.5', '32.9')).toBe('-10.4');
    expect(formatMinor(120000050n)).toBe('1200000.50');
    expect(formatMinor(-250n)).toBe('-2.50');
  });
});

describe('the seed figures (DOMAIN.md) are reproduced from suitable data', () => {
  beforeAll(async () => {
    const db = stack.db;
    // Liaoning, Q1 2017 (signed in other cities than 丹东, so that 丹东's April does not mix in).
    const domestic = await seedProjects(db, 458, { city: '沈阳', capital: 'domestic', signedOn: '2017-02-15' });
    const foreign = await seedProjects(db, 90, { city: '大连', capital: 'foreign', signedOn: '2017-03-01' });
    const older = await seedProjects(db, 2, { city: '鞍山', capital: 'domestic', signedOn: '2015-06-01' });
    const olderForeign = await seedProjects(db, 1, { city: '营口', capital: 'foreign', signedOn: '2015-06-01' });
    await seedFunds(db, domestic[0]!, yi(4000), 'CNY', '2017-01-20');
    await seedFunds(db, domestic[1]!, yi(2285), 'CNY', '2017-03-31');
    await seedFunds(db, foreign[0]!, yi(116), 'USD', '2017-02-28');
    // Q1 2016, for the growth: 596.9 亿元 and 8.81 亿美元.
    await seedFunds(db, older[0]!, yi(5969), 'CNY', '2016-02-10');
    await seedFunds(db, olderForeign[0]!, (881n * 100_000_000n).toString(), 'USD', '2016-03-10');
    // Outside the period: not counted.
    await seedFunds(db, older[1]!, yi(999), 'CNY', '2017-04-01');

    // 丹东, January–April 2017: 101 domestic projects, 84 of them from outside the province.
    const inProvince = await seedProjects(db, 17, { city: '丹东', capital: 'domestic', signedOn: '2017-04-10' });
    const outOfProvince = await seedProjects(db, 84, { city: '丹东', capital: 'domestic', outOfProvince: true, signedOn: '2017-04-12' });
    await seedFunds(db, outOfProvince[0]!, yi(498), 'CNY', '2017-04-15');
    await seedFunds(db, inProvince[0]!, yi(43), 'CNY', '2017-04-20');
    for (const [category, tenths] of [['domestic', 2404], ['out_of_province', 2101]] as const) {
      const res = await stack.api('/api/targets', { as: 'admin', body: { year: 2017, city: '丹东', category, amountMinor: yi(tenths), currency: 'CNY' } });
      expect(res.status).toBe(201);
    }
  });

  test('Liaoning, Q1 2017: 458 domestic projects, 628.5 亿元 (+5.3%); 90 foreign projects, 11.6 亿美元 (+31.7%)', async () => {
    const res = await stack.api('/api/statistics?quarter=2017Q1', { as: 'supervisor' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      area: '全省',
      period: { from: '2017-01-01', to: '2017-03-31' },
      signed: { domestic: 458, foreign: 90 },
      fundsInPlace: { CNY: { yi: '628.5', growthPercent: '5.3', previous: { yi: '596.9' } }, USD: { yi: '11.6', growthPercent: '31.7' } },
    });
  });

  test('丹东, January–April 2017: 101 projects, 54.1 亿元 = 22.5% of the target; 84 out-of-province projects, 49.8 亿元 = 23.7%', async () => {
    const res = await stack.api(`/api/statistics?city=${encodeURIComponent('丹东')}&ytd=2017-04-30`, { as: 'supervisor' });
    expect(res.body).toMatchObject({
      area: '丹东',
      signed: { domestic: 101, outOfProvince: 84 },
      targets: {
        domestic: { yearToDate: { yi: '54.1' }, target: { yi: '240.4' }, completionPercent: '22.5', yearElapsedPercent: '32.9', schedulePoints: '-10.4', schedule: 'behind' },
        out_of_province: { yearToDate: { yi: '49.8' }, target: { yi: '210.1' }, completionPercent: '23.7' },
      },
    });
  });
});

describe('counting rules, through the workflows', () => {
  async function start(city: string, signedOn: string, tenthsOfYi: number): Promise<string> {
    const code = newCode('CY');
    const res = await stack.api('/api/projects', {
      body: { code, name: '计数规则', city, investor: '某公司', capitalType: 'domestic', stage: 'signed', signedOn, contracted: { amountMinor: yi(tenthsOfYi), currency: 'CNY' } },
    });
    expect(res.status).toBe(201);
    await eventually(async () => ((await stack.db.selectFrom('projects').select('code').where('code', '=', code).executeTakeFirst()) ? true : undefined));
    return code;
  }

  test('a project counts once, at its first signing; a capital increase counts only the increment, when agreed', async () => {
    const code = await start('朝阳', '2019-03-01', 1000);
    await stack.client.workflow.getHandle(code).executeUpdate(increaseCapital, {
      args: [{ requestId: `inc-${code}`, amountMinor: yi(200), currency: 'CNY', agreedOn: '2019-05-10', actor: { id: stack.userIds.coordinator, department: null, city: null } }],
    });
    await eventually(async () => stack.db.selectFrom('capital_increases').select('increase_id').where('project_code', '=', code).executeTakeFirst());
    const q1 = await stack.api(`/api/statistics?city=${encodeURIComponent('朝阳')}&quarter=2019Q1`, { as: 'supervisor' });
    expect(q1.body.signed).toMatchObject({ domestic: 1, contracted: { CNY: { yi: '100.0' } } });
    const q2 = await stack.api(`/api/statistics?city=${encodeURIComponent('朝阳')}&quarter=2019Q2`, { as: 'supervisor' });
    expect(q2.body.signed).toMatchObject({ domestic: 0, contracted: { CNY: { yi: '20.0' } } });
    const year = await stack.api(`/api/statistics?city=${encodeURIComponent('朝阳')}&from=2019-01-01&to=2019-12-31`, { as: 'supervisor' });
    expect(year.body.signed).toMatchObject({ domestic: 1, contracted: { CNY: { yi: '120.0' } } });
  });

  test('a merged duplicate is removed from every count, its funds included', async () => {
    // In 沈阳, where the test verifier works.
    const original = await start('沈阳', '2020-02-01', 50);
    const duplicate = await start('沈阳', '2020-02-02', 50);
    for (const code of [original, duplicate]) {
      await stack.api(`/api/projects/${code}/funds`, { body: { amountMinor: yi(10), currency: 'CNY', receivedOn: '2020-03-01', evidence: `V-${code}` } });
      await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} });
    }
    const before = await stack.api(`/api/statistics?city=${encodeURIComponent('沈阳')}&quarter=2020Q1`, { as: 'supervisor' });
    expect(before.body).toMatchObject({ signed: { domestic: 2 }, fundsInPlace: { CNY: { yi: '2.0' } } });
    expect((await stack.api(`/api/projects/${duplicate}/merge`, { body: { into: original, reason: '同一项目重复签约' } })).status).toBe(200);
    const after = await eventually(async () => {
      const r = await stack.api(`/api/statistics?city=${encodeURIComponent('沈阳')}&quarter=2020Q1`, { as: 'supervisor' });
      return r.body.signed.domestic === 1 ? r : undefined;
    });
    expect(after.body).toMatchObject({ signed: { domestic: 1, contracted: { CNY: { yi: '5.0' } } }, fundsInPlace: { CNY: { yi: '1.0' } } });
  });

  test('a signing cohort: landing rate, construction-start rate and funds-in-place rate', async () => {
    const event = `2021峰会-${newCode()}`;
    const codes: string[] = [];
    for (const tenths of [100, 100]) {
      const code = newCode('CO');
      await stack.api('/api/projects', {
        body: { code, name: '队列项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', signingEvent: event, signedOn: '2021-06-01', contracted: { amountMinor: yi(tenths), currency: 'CNY' } },
      });
      codes.push(code);
    }
    const staff = (department: string) => ({ id: `staff.${department}`, department, city: '沈阳' }) as never;
    const complete = (code: string, taskKey: string, department: string, data: Record<string, unknown>) =>
      stack.client.workflow.getHandle(code).executeUpdate(completeTask, { args: [{ requestId: `${code}-${taskKey}`, taskKey, actor: staff(department), data }] });
    await eventually(async () => ((await stack.db.selectFrom('tasks').select('task_key').where('project_code', 'in', codes).where('status', '=', 'open').execute()).length >= 4 ? true : undefined));
    for (const code of codes) {
      await complete(code, 'registration', 'market_regulation', { credit_code: 'X', registered_on: '2021-06-10' });
      await complete(code, 'land', 'natural_resources', { parcel: 'P', land_payment: { amountMinor: '1', currency: 'CNY' }, payment_voucher: 'V' });
    }
    // Only the first gets its approvals and starts construction: landed.
    await complete(codes[0]!, 'project_filing', 'development_reform', { procedure: 'filing', code: 'F' });
    await complete(codes[0]!, 'eia', 'ecology_environment', { category: 'form', approval_number: 'E' });
    await complete(codes[0]!, 'construction_permit', 'housing_construction', { permit_number: 'C', issued_on: '2021-07-01' });
    await complete(codes[0]!, 'construction_start', 'commerce', { started_on: '2021-07-15' });
    await stack.api(`/api/projects/${codes[0]}/funds`, { body: { amountMinor: yi(25), currency: 'CNY', receivedOn: '2021-08-01', evidence: 'V-1' } });
    await stack.api(`/api/projects/${codes[0]}/funds/F1/verify`, { as: 'verifier', body: {} });

    const res = await eventually(async () => {
      const r = await stack.api(`/api/statistics?from=2021-01-01&to=2021-12-31&signingEvent=${encodeURIComponent(event)}`, { as: 'supervisor' });
      return r.body.cohort?.landed === 1 && r.body.cohort.fundsInPlaceRatePercent.CNY !== '0.0' ? r : undefined;
    });
    expect(res.body.cohort).toEqual({
      signingEvent: event,
      signed: 2,
      landed: 1,
      landingRatePercent: '50.0',
      constructionStarted: 1,
      constructionStartRatePercent: '50.0',
      // 2.5 亿 verified of 20 亿 contracted.
      fundsInPlaceRatePercent: { CNY: '12.5', USD: null },
    });
  });

  test('bad periods are refused naming the parameter; staff may not read statistics', async () => {
    const none = await stack.api('/api/statistics', { as: 'supervisor' });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].field).toBe('period');
    expect((await stack.api('/api/statistics?quarter=2017Q5', { as: 'supervisor' })).body.errors[0].field).toBe('quarter');
    expect((await stack.api('/api/statistics?quarter=2017Q1', { as: 'staffLand' })).status).toBe(403);
    expect((await stack.api(`/api/statistics?quarter=2017Q1&city=${encodeURIComponent('大连')}`, { as: 'verifier' })).status).toBe(403);
  });
});

import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from './connection.js';
import type { TargetCategory } from './schema.js';
import { PROVINCE_WIDE } from '../workflows/reference.js';
import type { Currency } from '../workflows/money.js';

export interface Period {
  /** Inclusive dates, YYYY-MM-DD. */
  from: string;
  to: string;
}

/** Null: the whole province. */
export type Area = string | null;

/** What every figure counts: rows dated within the period, of projects in the area, never a merged duplicate. */
function counted<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, dated: string, area: Area, p: Period): SelectQueryBuilder<DB, TB, O> {
  const within = q.where(sql.ref(dated), '>=', p.from).where(sql.ref(dated), '<=', p.to).where(sql.ref('projects.stage'), '!=', 'merged');
  return area ? within.where(sql.ref('projects.city'), '=', area) : within;
}

export interface SignedFigures {
  domestic: number;
  foreign: number;
  outOfProvince: number;
  /** Contracted at first signing plus capital increases agreed in the period (only the increments). */
  contracted: { CNY: bigint; USD: bigint };
}

/**
 * Projects introduced (signed) in a period. A project counts once, at its first signing; a
 * merged duplicate counts nowhere.
 */
export async function signedFigures(db: Db, area: Area, p: Period): Promise<SignedFigures> {
  const counts = await counted(db.selectFrom('projects'), 'projects.signed_on', area, p)
    .select([
      sql<string>`count(*) filter (where capital_type = 'domestic')`.as('domestic'),
      sql<string>`count(*) filter (where capital_type = 'foreign')`.as('foreign'),
      sql<string>`count(*) filter (where capital_type = 'domestic' and out_of_province)`.as('out_of_province'),
      sql<string>`coalesce(sum(contracted_minor) filter (where contracted_currency = 'CNY'), 0)`.as('cny'),
      sql<string>`coalesce(sum(contracted_minor) filter (where contracted_currency = 'USD'), 0)`.as('usd'),
    ])
    .executeTakeFirstOrThrow();
  const increases = db.selectFrom('capital_increases').innerJoin('projects', 'projects.code', 'capital_increases.project_code');
  const inc = await counted(increases, 'capital_increases.agreed_on', area, p)
    .select([
      sql<string>`coalesce(sum(capital_increases.amount_minor) filter (where capital_increases.currency = 'CNY'), 0)`.as('cny'),
      sql<string>`coalesce(sum(capital_increases.amount_minor) filter (where capital_increases.currency = 'USD'), 0)`.as('usd'),
    ])
    .executeTakeFirstOrThrow();
  return {
    domestic: Number(counts.domestic),
    foreign: Number(counts.foreign),
    outOfProvince: Number(counts.out_of_province),
    contracted: { CNY: BigInt(counts.cny) + BigInt(inc.cny), USD: BigInt(counts.usd) + BigInt(inc.usd) },
  };
}

export interface FundsFigures {
  /** By currency, every verified entry received in the period. */
  CNY: bigint;
  USD: bigint;
  /** By the target categories: CNY of domestic projects, USD of foreign ones, CNY of out-of-province ones. */
  byCategory: Record<TargetCategory, bigint>;
}

/** Verified funds in place (实际到位资金) by the date received; reversals count once verified too. */
export async function fundsFigures(db: Db, area: Area, p: Period): Promise<FundsFigures> {
  const verified = db
    .selectFrom('funds_entries')
    .innerJoin('funds_verifications', 'funds_verifications.entry_id', 'funds_entries.entry_id')
    .innerJoin('projects', 'projects.code', 'funds_entries.project_code');
  const r = await counted(verified, 'funds_entries.received_on', area, p)
    .select([
      sql<string>`coalesce(sum(amount_minor) filter (where currency = 'CNY'), 0)`.as('cny'),
      sql<string>`coalesce(sum(amount_minor) filter (where currency = 'USD'), 0)`.as('usd'),
      sql<string>`coalesce(sum(amount_minor) filter (where currency = 'CNY' and capital_type = 'domestic'), 0)`.as('domestic'),
      sql<string>`coalesce(sum(amount_minor) filter (where currency = 'USD' and capital_type = 'foreign'), 0)`.as('foreign'),
      sql<string>`coalesce(sum(amount_minor) filter (where currency = 'CNY' and capital_type = 'domestic' and out_of_province), 0)`.as('out_of_province'),
    ])
    .executeTakeFirstOrThrow();
  return {
    CNY: BigInt(r.cny),
    USD: BigInt(r.usd),
    byCategory: { domestic: BigInt(r.domestic), foreign: BigInt(r.foreign), out_of_province: BigInt(r.out_of_province) },
  };
}


export async function annualTargets(db: Db, area: Area, year: number): Promise<Partial<Record<TargetCategory, { amountMinor: bigint; currency: Currency }>>> {
  const rows = await db.selectFrom('targets').selectAll().where('year', '=', year).where('city', '=', area ?? PROVINCE_WIDE).execute();
  return Object.fromEntries(rows.map((r) => [r.category, { amountMinor: BigInt(r.amount_minor), currency: r.currency }]));
}

export interface CohortFigures {
  signed: number;
  landed: number;
  constructionStarted: number;
  contracted: { CNY: bigint; USD: bigint };
  fundsInPlace: { CNY: bigint; USD: bigint };
}

/**
 * A signing cohort (one signing event, or the projects signed in a period): how many have landed
 * (registered, land paid, construction started), started construction, and how much of the
 * contracted investment is verified in place.
 */
export async function cohortFigures(db: Db, area: Area, cohort: { signingEvent: string } | Period): Promise<CohortFigures> {
  let members = db.selectFrom('projects').where('stage', '!=', 'merged');
  members = 'signingEvent' in cohort ? members.where('signing_event', '=', cohort.signingEvent) : members.where('signed_on', '>=', cohort.from).where('signed_on', '<=', cohort.to);
  if (area) members = members.where('city', '=', area);
  const rows = await members
    .select((eb) => [
      'code',
      'contracted_minor',
      'contracted_currency',
      eb
        .selectFrom('tasks')
        .whereRef('tasks.project_code', '=', 'projects.code')
        .where('tasks.status', '=', 'done')
        .select(sql<string[]>`coalesce(array_agg(distinct milestone) filter (where milestone is not null), '{}')`.as('m'))
        .as('milestones'),
      eb
        .selectFrom('capital_increases')
        .whereRef('capital_increases.project_code', '=', 'projects.code')
        .select(sql<string>`coalesce(sum(amount_minor), 0)`.as('s'))
        .as('increases'),
      eb
        .selectFrom('funds_entries')
        .innerJoin('funds_verifications', 'funds_verifications.entry_id', 'funds_entries.entry_id')
        .whereRef('funds_entries.project_code', '=', 'projects.code')
        .select(sql<string>`coalesce(sum(amount_minor) filter (where currency = projects.contracted_currency), 0)`.as('f'))
        .as('funds'),
    ])
    .execute();
  const out: CohortFigures = { signed: rows.length, landed: 0, constructionStarted: 0, contracted: { CNY: 0n, USD: 0n }, fundsInPlace: { CNY: 0n, USD: 0n } };
  for (const r of rows) {
    const done = new Set(r.milestones ?? []);
    if (done.has('constructionStarted')) out.constructionStarted += 1;
    if (done.has('registered') && done.has('landPaid') && done.has('constructionStarted')) out.landed += 1;
    if (r.contracted_currency) {
      out.contracted[r.contracted_currency] += BigInt(r.contracted_minor ?? 0) + BigInt(r.increases ?? 0);
      out.fundsInPlace[r.contracted_currency] += BigInt(r.funds ?? 0);
    }
  }
  return out;
}

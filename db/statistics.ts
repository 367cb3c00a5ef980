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

/**
 * Verified funds in place (实际到位资金) by the date received, for several periods in one read
 * (the dispatch meeting's period, the year before, the year to date); reversals count once
 * verified too, and a merged duplicate counts nowhere. Read from the daily sums the ledger's and
 * the projection's triggers keep (funds_in_place_daily), which hold exactly those entries.
 */
export async function fundsFigures<const P extends readonly Period[]>(db: Db, area: Area, periods: P): Promise<{ [K in keyof P]: FundsFigures }> {
  const within = (p: Period) => sql`d.received_on between ${p.from} and ${p.to}`;
  const sums = periods.flatMap((p, i) => {
    const sum = (name: string, where: ReturnType<typeof sql>) => sql`coalesce(sum(d.amount_minor) filter (where ${within(p)} and ${where}), 0) as ${sql.ref(`${name}_${i}`)}`;
    return [
      sum('cny', sql`d.currency = 'CNY'`),
      sum('usd', sql`d.currency = 'USD'`),
      sum('domestic', sql`d.currency = 'CNY' and d.capital_type = 'domestic'`),
      sum('foreign', sql`d.currency = 'USD' and d.capital_type = 'foreign'`),
      sum('out_of_province', sql`d.currency = 'CNY' and d.capital_type = 'domestic' and d.out_of_province`),
    ];
  });
  const { rows } = await sql<Record<string, string>>`
    select ${sql.join(sums)}
    from funds_in_place_daily d
    where (${sql.join(periods.map(within), sql` or `)}) ${area ? sql`and d.city = ${area}` : sql``}`.execute(db);
  const r = rows[0]!;
  return periods.map((_, i) => ({
    CNY: BigInt(r[`cny_${i}`]!),
    USD: BigInt(r[`usd_${i}`]!),
    byCategory: { domestic: BigInt(r[`domestic_${i}`]!), foreign: BigInt(r[`foreign_${i}`]!), out_of_province: BigInt(r[`out_of_province_${i}`]!) },
  })) as { [K in keyof P]: FundsFigures };
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
  // One statement, summed in PostgreSQL: the members, and for each its done milestones,
  // increases and verified funds (in the contract's currency, from funds_verified_by_project); no row goes back to Node.
  const members = sql`select code, contracted_minor, contracted_currency from projects
    where stage <> 'merged'
      and ${'signingEvent' in cohort ? sql`signing_event = ${cohort.signingEvent}` : sql`signed_on >= ${cohort.from} and signed_on <= ${cohort.to}`}
      ${area ? sql`and city = ${area}` : sql``}`;
  const { rows } = await sql<{ signed: string; landed: string; construction_started: string; contracted_cny: string; contracted_usd: string; funds_cny: string; funds_usd: string }>`
    with members as (${members}),
    each as (
      select m.contracted_currency,
        coalesce(m.contracted_minor, 0) + coalesce(i.s, 0) as contracted,
        coalesce(f.f, 0) as funds,
        coalesce(ms.registered and ms.land_paid and ms.construction_started, false) as landed,
        coalesce(ms.construction_started, false) as construction_started
      from members m
      -- Each member's own rows, found by its code through the indexes (never a scan of the ledger).
      left join lateral (
        select bool_or(t.milestone = 'registered') as registered, bool_or(t.milestone = 'landPaid') as land_paid,
          bool_or(t.milestone = 'constructionStarted') as construction_started
        from tasks t where t.project_code = m.code and t.status = 'done' and t.milestone is not null
      ) ms on true
      left join lateral (select sum(c.amount_minor) as s from capital_increases c where c.project_code = m.code) i on true
      -- Its verified funds in the contract's currency, as the ledger's trigger keeps them.
      left join lateral (select b.amount_minor as f from funds_verified_by_project b where b.project_code = m.code and b.currency = m.contracted_currency) f on true
    )
    select count(*) as signed,
      count(*) filter (where landed) as landed,
      count(*) filter (where construction_started) as construction_started,
      coalesce(sum(contracted) filter (where contracted_currency = 'CNY'), 0) as contracted_cny,
      coalesce(sum(contracted) filter (where contracted_currency = 'USD'), 0) as contracted_usd,
      coalesce(sum(funds) filter (where contracted_currency = 'CNY'), 0) as funds_cny,
      coalesce(sum(funds) filter (where contracted_currency = 'USD'), 0) as funds_usd
    from each`.execute(db);
  const r = rows[0]!;
  return {
    signed: Number(r.signed),
    landed: Number(r.landed),
    constructionStarted: Number(r.construction_started),
    contracted: { CNY: BigInt(r.contracted_cny), USD: BigInt(r.contracted_usd) },
    fundsInPlace: { CNY: BigInt(r.funds_cny), USD: BigInt(r.funds_usd) },
  };
}

/**
 * A deterministic province for the statistics benchmark, generated in PostgreSQL from series
 * numbers (no randomness, so every run measures the same data): projects across every city and
 * ten years of signings, with merged duplicates; a ledger of tranches, most verified, some
 * reversed (and the reversal verified); capital increases; done milestone tasks; annual targets.
 * The ledger goes through its real triggers (four-eyes, reversals). Seeded once per size into a
 * database of its own, which later runs reuse.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { CITIES, PROVINCE_WIDE } from '../workflows/reference.js';
import { progress } from './harness.js';

export interface SeedSize {
  projects: number;
  ledgerRows: number;
  tasks: number;
}

const CITY_LIST = sql.raw(`array[${CITIES.map((c) => `'${c}'`).join(',')}]`);

/** Whether this database already holds a province of this size. */
async function seeded(db: Db, size: SeedSize): Promise<boolean> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from projects where code like 'BS-%'`.execute(db);
  return Number(rows[0]!.n) === size.projects;
}

export async function seedProvince(db: Db, size: SeedSize): Promise<void> {
  if (await seeded(db, size)) return progress(`seed: reusing ${size.projects} projects`);
  const started = Date.now();
  // All or nothing: a seed that fails leaves no half province for the next run to reuse.
  await db.transaction().execute((trx) => seedAll(trx, size));
  await sql`analyze`.execute(db);
  progress(`seed: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function seedAll(db: Transaction<Database>, size: SeedSize): Promise<void> {
  const n = size.projects;
  progress(`seed: ${n} projects`);
  await sql`
    insert into projects (code, name, codename, city, investor, capital_type, out_of_province, stage, version, started_at, updated_at,
      project_type, template_version, liaison, stuck, stuck_reasons, stuck_since, overdue_tasks, escalation_rung, last_progress_at,
      contracted_minor, contracted_currency, signing_event, signed_on)
    select 'BS-' || i, '基准项目' || i, null, (${CITY_LIST})[1 + i % ${CITIES.length}], '投资方' || (i % 997),
      case when i % 5 = 0 then 'foreign' else 'domestic' end, i % 7 = 0,
      case when i % 50 = 0 then 'merged' else (array['signed','landing','funds','operating','withdrawn'])[1 + i % 5] end,
      1, now(), now(), 'industrial', 1, 'liaison.' || (i % 50), i % 11 = 0, '{}', null, i % 13, 0, null,
      ((i % 1000) + 1)::bigint * 1000000, case when i % 5 = 0 then 'USD' else 'CNY' end,
      'summit-' || (i % 40), date '2015-01-01' + ((i * 37) % 3650)
    from generate_series(1, ${n}) i`.execute(db);

  const tranches = Math.round(size.ledgerRows * 0.95);
  progress(`seed: ${tranches} tranches`);
  // Tranche j of project p = 1 + j % n, received within two years of its signing.
  await sql`
    insert into funds_entries (entry_id, project_code, kind, amount_minor, currency, received_on, evidence, entered_by, entered_at, reverses, reason)
    select 'BS-' || p || ':F' || j, 'BS-' || p, 'tranche', ((j % 500) + 1)::bigint * 100000,
      case when p % 5 = 0 then 'USD' else 'CNY' end,
      date '2015-01-01' + ((p * 37) % 3650) + (j % 730), 'V-' || j, 'coordinator.' || (p % 15), now(), null, null
    from generate_series(1, ${tranches}) j, lateral (select 1 + j % ${n} as p) x`.execute(db);
  progress('seed: verifications');
  // Nine in ten tranches are verified, by someone else than who entered them (four-eyes).
  const verify = (kind: 'tranche' | 'reversal') => sql`
    insert into funds_verifications (entry_id, verified_by, verified_at)
    select entry_id, 'verifier.' || (length(entry_id) % 3), now() from funds_entries
    where entry_id like 'BS-%' and kind = ${kind} and hashtext(entry_id) % 10 <> 0`.execute(db);
  await verify('tranche');

  const reversals = size.ledgerRows - tranches;
  progress(`seed: ${reversals} reversals`);
  // Every 17th verified tranche is reversed (corrected), until the ledger has its size; most reversals are verified too.
  await sql`
    insert into funds_entries (entry_id, project_code, kind, amount_minor, currency, received_on, evidence, entered_by, entered_at, reverses, reason)
    select e.entry_id || ':R', e.project_code, 'reversal', -e.amount_minor, e.currency, e.received_on, e.evidence, e.entered_by, now(), e.entry_id, '凭证录错'
    from funds_entries e
    join funds_verifications v on v.entry_id = e.entry_id
    where e.entry_id like 'BS-%' and e.kind = 'tranche' and (substring(e.entry_id from ':F(\\d+)$'))::int % 17 = 0
    order by e.entry_id
    limit ${reversals}`.execute(db);
  await verify('reversal');

  progress('seed: capital increases, tasks, targets');
  await sql`
    insert into capital_increases (increase_id, project_code, amount_minor, currency, agreed_on, entered_by)
    select 'BS-' || i || ':C1', 'BS-' || i, ((i % 300) + 1)::bigint * 1000000, case when i % 5 = 0 then 'USD' else 'CNY' end,
      date '2015-01-01' + ((i * 37) % 3650) + 200, 'coordinator.x'
    from generate_series(1, ${n}) i where i % 9 = 0`.execute(db);
  const milestones = sql.raw(`array['registered','landPaid','constructionStarted','none']`);
  await sql`
    insert into tasks (project_code, task_key, department, city, title_zh, title_en, status, opened_at, due_at, rung, completed_at, completed_by, data, version, milestone)
    select 'BS-' || p, 'task_' || k, 'commerce', (${CITY_LIST})[1 + p % ${CITIES.length}], '任务', 'Task',
      case when (p + k) % 3 = 0 then 'open' else 'done' end, now(), now(), 0, null, null, null, 1,
      nullif((${milestones})[1 + k % 4], 'none')
    from generate_series(0, ${size.tasks - 1}) t, lateral (select 1 + t % ${n} as p, t / ${n} as k) x`.execute(db);
  await sql`
    insert into targets (year, city, category, amount_minor, currency, set_by)
    select y, c, cat, 100000000000, case when cat = 'foreign' then 'USD' else 'CNY' end, 'admin.bench'
    from generate_series(2015, 2025) y, unnest(${CITY_LIST} || array[${PROVINCE_WIDE}]) c, unnest(array['domestic','foreign','out_of_province']) cat
    on conflict do nothing`.execute(db);
}

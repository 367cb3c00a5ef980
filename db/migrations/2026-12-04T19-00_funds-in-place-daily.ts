import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Verified funds in place (实际到位资金) summed by the day received and by what the figures
  // group by: the project's city, capital type and origin, and the currency. It holds exactly the
  // verified entries of projects in the projection that are not merged duplicates, kept so by the
  // triggers below in the same transaction as the ledger or projection row that changes it, so
  // that the dispatch figures read a few rows a day instead of the whole ledger.
  await db.schema
    .createTable('funds_in_place_daily')
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('capital_type', 'text', (c) => c.notNull())
    .addColumn('out_of_province', 'boolean', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // numeric: a day's sum of bigint amounts may pass what a bigint holds.
    .addColumn('amount_minor', 'numeric', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('funds_in_place_daily_pk', ['received_on', 'city', 'capital_type', 'out_of_province', 'currency'])
    .execute();

  // Adds (sign 1) or takes away (sign -1) a project's verified entries as counted under the given
  // city, capital type and origin. Callers hold the project's lock (funds_daily_lock).
  await sql`
    create function funds_daily_add(p_code text, sign integer, p_city text, p_capital_type text, p_out_of_province boolean, only_entry text)
    returns void language plpgsql as $$
    begin
      insert into funds_in_place_daily as d (received_on, city, capital_type, out_of_province, currency, amount_minor, entries)
      select e.received_on, p_city, p_capital_type, p_out_of_province, e.currency, sign * sum(e.amount_minor), sign * count(*)
      from funds_entries e join funds_verifications v on v.entry_id = e.entry_id
      where e.project_code = p_code and (only_entry is null or e.entry_id = only_entry)
      group by e.received_on, e.currency
      -- In key order, so that two writers never wait on each other's rows in a cycle.
      order by e.received_on, e.currency
      on conflict (received_on, city, capital_type, out_of_province, currency)
      do update set amount_minor = d.amount_minor + excluded.amount_minor, entries = d.entries + excluded.entries;
    end $$`.execute(db);

  // One writer at a time per project across the ledger's and the projection's triggers: each
  // then reads what the other committed (read committed takes a new snapshot per statement).
  // Projects share 256 locks, so that a bulk load in one transaction holds at most 256.
  await sql`
    create function funds_daily_lock(p_code text) returns void language sql as $$
      select pg_advisory_xact_lock(hashtext('funds_in_place_daily'), hashtext(p_code) & 255)
    $$`.execute(db);

  // An entry verified: counted if its project is in the projection and not a merged duplicate.
  await sql`
    create function funds_daily_on_verification() returns trigger language plpgsql as $$
    declare
      entry_project text;
      p projects%rowtype;
    begin
      select project_code into entry_project from funds_entries where entry_id = new.entry_id;
      perform funds_daily_lock(entry_project);
      select * into p from projects where projects.code = entry_project;
      if found and p.stage <> 'merged' then
        perform funds_daily_add(entry_project, 1, p.city, p.capital_type, p.out_of_province, new.entry_id);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger funds_verifications_in_place_daily after insert on funds_verifications
    for each row execute function funds_daily_on_verification()`.execute(db);

  // A project row written, changed in what the figures group by, merged or removed: its verified
  // entries move from where they were counted to where they count now.
  await sql`
    create function funds_daily_on_project() returns trigger language plpgsql as $$
    begin
      perform funds_daily_lock(coalesce(new.code, old.code));
      if tg_op in ('UPDATE', 'DELETE') and old.stage <> 'merged' then
        perform funds_daily_add(old.code, -1, old.city, old.capital_type, old.out_of_province, null);
      end if;
      if tg_op in ('INSERT', 'UPDATE') and new.stage <> 'merged' then
        perform funds_daily_add(new.code, 1, new.city, new.capital_type, new.out_of_province, null);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger projects_in_place_daily_insert after insert on projects
    for each row execute function funds_daily_on_project()`.execute(db);
  await sql`create trigger projects_in_place_daily_update after update on projects
    for each row when (old.code is distinct from new.code or old.city is distinct from new.city or old.capital_type is distinct from new.capital_type
      or old.out_of_province is distinct from new.out_of_province or (old.stage = 'merged') is distinct from (new.stage = 'merged'))
    execute function funds_daily_on_project()`.execute(db);
  await sql`create trigger projects_in_place_daily_delete after delete on projects
    for each row execute function funds_daily_on_project()`.execute(db);

  // What the ledger holds already.
  await sql`
    insert into funds_in_place_daily (received_on, city, capital_type, out_of_province, currency, amount_minor, entries)
    select e.received_on, p.city, p.capital_type, p.out_of_province, e.currency, sum(e.amount_minor), count(*)
    from funds_entries e join funds_verifications v on v.entry_id = e.entry_id join projects p on p.code = e.project_code
    where p.stage <> 'merged'
    group by 1, 2, 3, 4, 5`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ['projects_in_place_daily_insert', 'projects_in_place_daily_update', 'projects_in_place_daily_delete']) await sql`drop trigger ${sql.raw(trigger)} on projects`.execute(db);
  await sql`drop trigger funds_verifications_in_place_daily on funds_verifications`.execute(db);
  for (const fn of ['funds_daily_on_project()', 'funds_daily_on_verification()', 'funds_daily_lock(text)', 'funds_daily_add(text, integer, text, text, boolean, text)']) await sql`drop function ${sql.raw(fn)}`.execute(db);
  await db.schema.dropTable('funds_in_place_daily').execute();
}

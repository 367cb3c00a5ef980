import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // 实际到位资金: one row per tranche or reversal. Amounts are integer minor units; a reversal
  // carries the negated amount of the entry it corrects. Nothing is ever updated or deleted.
  await db.schema
    .createTable('funds_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    // No foreign key to projects: that is a projection written by other activities, and may lag the ledger.
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('tranche', 'reversal')`))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency in ('CNY', 'USD')`))
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reverses', 'text', (c) => c.references('funds_entries.entry_id').unique())
    .addColumn('reason', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('funds_entries_sign', sql`(kind = 'tranche' and amount_minor > 0 and reverses is null) or (kind = 'reversal' and amount_minor < 0 and reverses is not null)`)
    .execute();
  await db.schema.createIndex('funds_entries_project').on('funds_entries').columns(['project_code', 'received_on']).execute();

  // Four-eyes: an entry counts only once someone other than who entered it has verified it.
  await db.schema
    .createTable('funds_verifications')
    .addColumn('entry_id', 'text', (c) => c.primaryKey().references('funds_entries.entry_id'))
    .addColumn('verified_by', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await sql`
    create function funds_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused; correct an entry with a reversal', tg_table_name, tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  for (const table of ['funds_entries', 'funds_verifications']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete or truncate on ${sql.table(table)}
      for each statement execute function funds_refuse_change()`.execute(db);
  }

  await sql`
    create function funds_four_eyes() returns trigger language plpgsql as $$
    declare
      entered text;
    begin
      select entered_by into entered from funds_entries where entry_id = new.entry_id;
      if entered = new.verified_by then
        raise exception 'four-eyes: % entered funds entry % and may not verify it', entered, new.entry_id using errcode = 'check_violation';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger funds_verifications_four_eyes before insert on funds_verifications
    for each row execute function funds_four_eyes()`.execute(db);

  // A reversal negates exactly the entry it corrects, in its currency, and a reversal is not reversed.
  await sql`
    create function funds_reversal_matches() returns trigger language plpgsql as $$
    declare
      original funds_entries%rowtype;
    begin
      if new.kind = 'reversal' then
        select * into original from funds_entries where entry_id = new.reverses;
        if original.kind <> 'tranche' or original.project_code <> new.project_code
           or original.currency <> new.currency or original.amount_minor <> -new.amount_minor then
          raise exception 'reversal % must negate tranche % of the same project and currency', new.entry_id, new.reverses using errcode = 'check_violation';
        end if;
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger funds_entries_reversal before insert on funds_entries
    for each row execute function funds_reversal_matches()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('funds_verifications').execute();
  await db.schema.dropTable('funds_entries').execute();
  for (const fn of ['funds_refuse_change', 'funds_four_eyes', 'funds_reversal_matches']) await sql`drop function ${sql.raw(fn)}()`.execute(db);
}

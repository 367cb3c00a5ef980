import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Writes that failed for good (data errors); the project is stuck (system) until re-projected.
  await db.schema
    .createTable('write_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    // A retried activity records the same failure once.
    .addUniqueConstraint('write_failures_once', ['project_code', 'version', 'activity'])
    .execute();
  await db.schema.createIndex('write_failures_open').on('write_failures').column('project_code').where(sql.ref('resolved_at'), 'is', null).execute();

  // An idempotency key's first request holds a lease; after it lapses, the request may run again.
  await db.schema
    .alterTable('idempotency_keys')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now() + interval '24 hours'`))
    .execute();
  await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').column('expires_at').execute();

  // Which workflow run published a report version: a retried activity of the same run gets the
  // same outcome back (and notifies), where another run gets "unchanged".
  await db.schema.alterTable('reports').addColumn('published_by', 'text').execute();
  await db.schema.alterTable('report_restatements').addColumn('published_by', 'text').execute();

  // A funds entry entered by mistake and not yet verified is voided (作废), with a reason; append-only too.
  await db.schema
    .createTable('funds_voids')
    .addColumn('entry_id', 'text', (c) => c.primaryKey().references('funds_entries.entry_id'))
    .addColumn('voided_by', 'text', (c) => c.notNull())
    .addColumn('voided_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create trigger funds_voids_append_only before update or delete or truncate on funds_voids
    for each statement execute function funds_refuse_change()`.execute(db);
  // Verified and voided exclude each other, whichever comes first.
  await sql`
    create function funds_void_or_verify() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'funds_voids' and exists (select 1 from funds_verifications where entry_id = new.entry_id) then
        raise exception 'funds entry % is verified and cannot be voided; reverse it instead', new.entry_id using errcode = 'check_violation';
      end if;
      if tg_table_name = 'funds_verifications' and exists (select 1 from funds_voids where entry_id = new.entry_id) then
        raise exception 'funds entry % is voided and cannot be verified', new.entry_id using errcode = 'check_violation';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger funds_voids_unverified before insert on funds_voids for each row execute function funds_void_or_verify()`.execute(db);
  await sql`create trigger funds_verifications_not_voided before insert on funds_verifications for each row execute function funds_void_or_verify()`.execute(db);

  // A reversal corrects a verified tranche; one that was voided leaves the tranche free to be reversed again.
  await sql`alter table funds_entries drop constraint funds_entries_reverses_key`.execute(db);
  await sql`
    create or replace function funds_reversal_matches() returns trigger language plpgsql as $$
    declare
      original funds_entries%rowtype;
    begin
      if new.kind = 'reversal' then
        select * into original from funds_entries where entry_id = new.reverses;
        if original.kind <> 'tranche' or original.project_code <> new.project_code
           or original.currency <> new.currency or original.amount_minor <> -new.amount_minor then
          raise exception 'reversal % must negate tranche % of the same project and currency', new.entry_id, new.reverses using errcode = 'check_violation';
        end if;
        if not exists (select 1 from funds_verifications where entry_id = new.reverses) then
          raise exception 'reversal % corrects % which is not verified; void an unverified entry instead', new.entry_id, new.reverses using errcode = 'check_violation';
        end if;
        if exists (select 1 from funds_entries r where r.reverses = new.reverses
                   and not exists (select 1 from funds_voids v where v.entry_id = r.entry_id)) then
          raise exception 'tranche % is already reversed', new.reverses using errcode = 'unique_violation';
        end if;
      end if;
      return new;
    end $$`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('funds_voids').execute();
  await db.schema.alterTable('reports').dropColumn('published_by').execute();
  await db.schema.alterTable('report_restatements').dropColumn('published_by').execute();
  await sql`drop function funds_void_or_verify()`.execute(db);
  await sql`alter table funds_entries add constraint funds_entries_reverses_key unique (reverses)`.execute(db);
  await db.schema.alterTable('idempotency_keys').dropColumn('locked_until').dropColumn('expires_at').execute();
  await db.schema.dropTable('write_failures').execute();
}

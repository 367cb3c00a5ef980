import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Whatever changes who holds a token or what they may do (a token revoked, expiring or removed;
  // a user disabled, moved or given another role) tells every API process on commit, so that each
  // drops the tokens it has cached (api/token-cache.ts). A trigger, so that scripts, admin pages
  // and hand-written SQL all tell alike.
  await sql`
    create function notify_auth_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('luodi_auth_changed', tg_table_name);
      return null;
    end $$`.execute(db);
  await sql`create trigger api_tokens_auth_changed after update of user_id, token_hash, expires_at, revoked_at or delete or truncate on api_tokens for each statement execute function notify_auth_changed()`.execute(db);
  await sql`create trigger users_auth_changed after update of id, name, role, city, department, disabled_at or delete or truncate on users for each statement execute function notify_auth_changed()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists users_auth_changed on users`.execute(db);
  await sql`drop trigger if exists api_tokens_auth_changed on api_tokens`.execute(db);
  await sql`drop function if exists notify_auth_changed()`.execute(db);
}

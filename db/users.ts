import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { City, Department } from '../workflows/reference.js';
import type { Db } from './connection.js';
import { hashPassword } from './passwords.js';
import type { Role, UserRow } from './schema.js';

/** Who is acting: their role, and where and for which department they may act. */
export interface User {
  id: string;
  name: string;
  role: Role;
  /** Null: the whole province. */
  city: City | null;
  /** Department staff only. */
  department: Department | null;
}

export interface NewUser extends User {
  email?: string | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createUser(db: Db, user: NewUser, password?: string): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      name: user.name,
      role: user.role,
      city: user.city,
      department: user.department,
      email: user.email ?? null,
      password_hash: password ? await hashPassword(password) : null,
    })
    .execute();
}

/**
 * Sets a new password and ends every page session of the user: whoever signed in with the old
 * password is signed out. (API tokens are separate credentials: revoke them on their own.)
 */
export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).executeTakeFirstOrThrow();
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  });
}

/**
 * A new API token for the user; only its hash is stored, so this is the one time it is seen.
 * Without `expiresAt` it lasts until revoked.
 */
export async function createApiToken(db: Db, userId: string, label: string, expiresAt: Date | null = null): Promise<string> {
  const token = `luodi_${randomBytes(32).toString('base64url')}`;
  await db.insertInto('api_tokens').values({ user_id: userId, token_hash: hashToken(token), label, expires_at: expiresAt?.toISOString() ?? null }).execute();
  return token;
}

/** A user's API tokens (never the token itself), newest first. */
export async function listApiTokens(db: Db, userId: string) {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'label', 'created_at', 'last_used_at', 'expires_at', 'revoked_at', 'revoked_by'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
  const now = Date.now();
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    expiresAt: r.expires_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    revokedBy: r.revoked_by,
    active: !r.revoked_at && (!r.expires_at || r.expires_at.getTime() > now),
  }));
}

/** Who holds a token: to check that a user revokes only their own. */
export async function apiTokenOwner(db: Db, tokenId: string): Promise<string | undefined> {
  return (await db.selectFrom('api_tokens').select('user_id').where('id', '=', tokenId).executeTakeFirst())?.user_id;
}

/** Revokes a token (from then on it is a 401); revoking it again changes nothing. False if there is no such token. */
export async function revokeApiToken(db: Db, tokenId: string, revokedBy: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql<string>`coalesce(revoked_at, now())`, revoked_by: sql<string>`coalesce(revoked_by, ${revokedBy})` })
    .where('id', '=', tokenId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * A token's last use is kept to the minute: writing it on every request made every read a write,
 * and made all the requests of one token wait in turn on the lock of its row.
 */
const LAST_USE_GRANULARITY_MS = 60_000;

/** An active token's holder and what the token's own row says of its use and expiry. */
export interface TokenHolder {
  user: User;
  tokenId: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

/**
 * The active user holding this token (not revoked, not expired), or undefined. Every API request
 * that misses the token cache runs this, so it is one SQL text rather than a query built and
 * compiled anew each time.
 */
export async function tokenHolder(db: Db, token: string): Promise<TokenHolder | undefined> {
  const { rows } = await sql<Pick<UserRow, 'id' | 'name' | 'role' | 'city' | 'department'> & { token_id: string; last_used_at: Date | null; expires_at: Date | null }>`
    select users.id, users.name, users.role, users.city, users.department, api_tokens.id as token_id, api_tokens.last_used_at, api_tokens.expires_at
    from api_tokens join users on users.id = api_tokens.user_id
    where api_tokens.token_hash = ${hashToken(token)} and api_tokens.revoked_at is null
      and (api_tokens.expires_at is null or api_tokens.expires_at > now()) and users.disabled_at is null`.execute(db);
  const row = rows[0];
  return row && { user: toUser(row), tokenId: row.token_id, lastUsedAt: row.last_used_at, expiresAt: row.expires_at };
}

/** Writes the token's last use if what is known of it is a minute old; returns the last use now known. */
export async function touchToken(db: Db, tokenId: string, lastUsedAt: Date | null): Promise<Date | null> {
  const now = Date.now();
  if (lastUsedAt && now - lastUsedAt.getTime() < LAST_USE_GRANULARITY_MS) return lastUsedAt;
  const stale = new Date(now - LAST_USE_GRANULARITY_MS);
  // Of concurrent requests that all saw it stale, one writes it.
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: new Date(now).toISOString() })
    .where('id', '=', tokenId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', stale)]))
    .execute();
  return new Date(now);
}

/** The active user holding this token, or undefined; its last use is written (to the minute). */
export async function userByToken(db: Db, token: string): Promise<User | undefined> {
  const holder = await tokenHolder(db, token);
  if (!holder) return undefined;
  await touchToken(db, holder.tokenId, holder.lastUsedAt);
  return holder.user;
}

export async function userById(db: Db, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(['id', 'name', 'role', 'city', 'department']).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
  return row && toUser(row);
}

export async function userExists(db: Db, id: string): Promise<boolean> {
  return Boolean(await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst());
}

/** The user's email address, if they gave one; the user must exist. */
export async function userEmail(db: Db, id: string): Promise<string | null> {
  return (await db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
}

export async function listUsers(db: Db) {
  return db.selectFrom('users').select(['id', 'name', 'role', 'city', 'department', 'disabled_at']).orderBy('id').execute();
}

/** One user as an admin sees them (with their email and whether they are disabled), or undefined. */
export async function userDetails(db: Db, id: string) {
  return db.selectFrom('users').select(['id', 'name', 'role', 'city', 'department', 'email', 'disabled_at']).where('id', '=', id).executeTakeFirst();
}

export async function disableUser(db: Db, id: string): Promise<void> {
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', id).executeTakeFirstOrThrow();
}

function toUser(row: { id: string; name: string; role: Role; city: string | null; department: string | null }): User {
  return { id: row.id, name: row.name, role: row.role, city: row.city as City | null, department: row.department as Department | null };
}

/** The active users of one city, who may be a project's liaison (专人对接) there. */
export async function activeUsersOfCity(db: Db, city: string) {
  return db.selectFrom('users').select(['id', 'name', 'role']).where('city', '=', city).where('disabled_at', 'is', null).orderBy('name').orderBy('id').execute();
}

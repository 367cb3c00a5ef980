import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { City } from '../workflows/contract.js';
import type { Department } from '../workflows/templates.js';
import type { Db } from './connection.js';
import type { Role } from './schema.js';

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

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
// Memory-hard: 2^15 × 8 × 128 bytes = 32 MiB per hash.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(actual, expected);
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

export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).executeTakeFirstOrThrow();
}

/** A new API token for the user; only its hash is stored, so this is the one time it is seen. */
export async function createApiToken(db: Db, userId: string, label: string): Promise<string> {
  const token = `luodi_${randomBytes(32).toString('base64url')}`;
  await db.insertInto('api_tokens').values({ user_id: userId, token_hash: hashToken(token), label }).execute();
  return token;
}

/** The active user holding this token, or undefined. */
export async function userByToken(db: Db, token: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['users.id', 'users.name', 'users.role', 'users.city', 'users.department', 'api_tokens.id as token_id'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('api_tokens').set({ last_used_at: new Date().toISOString() }).where('id', '=', row.token_id).execute();
  return toUser(row);
}

export async function userById(db: Db, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(['id', 'name', 'role', 'city', 'department']).where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
  return row && toUser(row);
}

export async function listUsers(db: Db) {
  return db.selectFrom('users').select(['id', 'name', 'role', 'city', 'department', 'disabled_at']).orderBy('id').execute();
}

export async function disableUser(db: Db, id: string): Promise<void> {
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', id).executeTakeFirstOrThrow();
}

function toUser(row: { id: string; name: string; role: Role; city: string | null; department: string | null }): User {
  return { id: row.id, name: row.name, role: row.role, city: row.city as City | null, department: row.department as Department | null };
}

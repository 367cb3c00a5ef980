import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './connection.js';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { hashToken, userById, type User } from './users.js';

export const SESSION_HOURS = 12;

export interface Session {
  user: User;
  csrfToken: string;
}

/**
 * Checks a password; the same answer, in the same time, whether the user is unknown, disabled,
 * has no password, or the password is wrong: an unknown user's attempt is checked against a
 * dummy hash. A hash made with older scrypt parameters is replaced on success.
 */
export async function checkPassword(db: Db, userId: string, password: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
  const stored = row?.password_hash;
  if (!stored) {
    await verifyAgainstDummy(password);
    return undefined;
  }
  if (!(await verifyPassword(password, stored))) return undefined;
  if (needsRehash(stored)) {
    // Only if no one changed it meanwhile.
    await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', userId).where('password_hash', '=', stored).execute();
  }
  return userById(db, userId);
}

/** A new session; the returned token goes in the cookie and is stored only as a hash. */
export async function createSession(db: Db, userId: string): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + SESSION_HOURS * 3600_000).toISOString();
  await db.insertInto('sessions').values({ token_hash: hashToken(token), user_id: userId, csrf_token: csrfToken, expires_at: expires }).execute();
  return { token, csrfToken };
}

export async function sessionByToken(db: Db, token: string): Promise<Session | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['user_id', 'csrf_token'])
    .where('token_hash', '=', hashToken(token))
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  const user = row && (await userById(db, row.user_id));
  return user && { user, csrfToken: row.csrf_token };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** Deletes every expired session; returns how many there were. */
export async function purgeExpiredSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/connection.js';
import { userByToken, type User } from '../db/users.js';
import { Problem } from './problem.js';
import type { TokenCache } from './token-cache.js';

/** Who holds an API token: the database itself, or the token cache in front of it. */
export type TokenLookup = (token: string) => Promise<User | undefined>;

export const tokenLookup = (db: Db, cache?: TokenCache): TokenLookup => (cache ? (token) => cache.user(token) : (token) => userByToken(db, token));

/** Sets the acting user from `Authorization: Bearer <token>`; anything else is a 401. */
export function authenticate(userOf: TokenLookup): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('Authorization') ?? '');
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer realm="luodi"');
      throw new Problem(401, 'Unauthorized', 'Send an API token as Authorization: Bearer <token>; an admin creates one with npm run user.');
    }
    const user = await userOf(match[1]!);
    if (!user) {
      res.set('WWW-Authenticate', 'Bearer realm="luodi", error="invalid_token"');
      throw new Problem(401, 'Unauthorized', 'This token is unknown, revoked, or its user is disabled.');
    }
    res.locals.user = user;
    next();
  };
}

export function currentUser(res: Response): User {
  const user = res.locals.user as User | undefined;
  if (!user) throw new Problem(401, 'Unauthorized', 'Sign in first.');
  return user;
}

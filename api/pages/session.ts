import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../../db/connection.js';
import { unreadNotificationCount } from '../../db/notifications.js';
import { sessionByToken } from '../../db/sessions.js';
import type { User } from '../../db/users.js';
import { translator, type Lang } from './catalog.js';

export const SESSION_COOKIE = 'luodi_session';
const LANG_COOKIE = 'luodi_lang';
/** Before sign-in there is no session: the sign-in form uses a double-submit cookie. */
export const SIGNIN_CSRF_COOKIE = 'luodi_signin_csrf';

export function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get('Cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function setCookie(res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  // httpOnly: no script reads it; SameSite=Lax: other sites' forms do not carry it.
  res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: res.req.secure, path: '/', ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds * 1000 } : {}) });
}

/** Sets res.locals.lang (zh-CN by default; ?lang=en switches and is remembered) and the signed-in user, if any. */
export function pageSession(db: Db): RequestHandler {
  return async (req, res, next) => {
    const jar = cookies(req);
    const asked = req.query.lang;
    let lang: Lang = jar[LANG_COOKIE] === 'en' ? 'en' : 'zh';
    if (asked === 'en' || asked === 'zh') {
      lang = asked;
      setCookie(res, LANG_COOKIE, lang, 365 * 86400);
    }
    res.locals.lang = lang;
    const token = jar[SESSION_COOKIE];
    const session = token ? await sessionByToken(db, token) : undefined;
    if (session) {
      res.locals.user = session.user;
      res.locals.csrfToken = session.csrfToken;
      res.locals.unread = await unreadNotificationCount(db, session.user.id);
    }
    next();
  };
}

export function pageUser(res: Response): User | null {
  return (res.locals.user as User | undefined) ?? null;
}

export function langOf(res: Response): Lang {
  return (res.locals.lang as Lang | undefined) ?? 'zh';
}

/** Pages behind sign-in send others to the sign-in page, and back afterwards. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  if (res.locals.user) return next();
  res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
};

function same(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Every form POST carries the session's CSRF token in `_csrf`. */
export const checkCsrf: RequestHandler = (req, res, next) => {
  const sent = (req.body as Record<string, string> | undefined)?._csrf;
  if (!same(sent, res.locals.csrfToken as string | undefined)) {
    res.status(403).type('text/plain').send(translator(langOf(res))('csrfFailed'));
    return;
  }
  next();
};

/** A form sent by the pages' script (a file upload) carries the session's CSRF token in the X-CSRF-Token header. */
export const checkCsrfHeader: RequestHandler = (req, res, next) => {
  if (!same(req.get('X-CSRF-Token'), res.locals.csrfToken as string | undefined)) {
    res.status(403).type('text/plain').send(translator(langOf(res))('csrfFailed'));
    return;
  }
  next();
};

export function newSigninCsrf(res: Response): string {
  const token = randomBytes(24).toString('base64url');
  setCookie(res, SIGNIN_CSRF_COOKIE, token, 3600);
  return token;
}

export function signinCsrfOk(req: Request): boolean {
  return same((req.body as Record<string, string> | undefined)?._csrf, cookies(req)[SIGNIN_CSRF_COOKIE]);
}

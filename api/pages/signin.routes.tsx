import type { Request, Response, Router } from 'express';
import type { Logger } from '../../config/logger.js';
import type { Db } from '../../db/connection.js';
import { passwordProblem } from '../../db/passwords.js';
import { checkPassword, createSession, deleteSession, SESSION_HOURS } from '../../db/sessions.js';
import { setPassword } from '../../db/users.js';
import { parse } from '../http.js';
import type { SignInGuard } from '../signin-limits.js';
import type { Translate } from './catalog.js';
import { sendPage, textOf, viewerOf } from './page.js';
import { passwordPageQuery } from './params.js';
import { checkCsrf, cookies, newSigninCsrf, requireSignIn, SESSION_COOKIE, setCookie, signinCsrfOk } from './session.js';
import { ChangePassword, SignIn } from './views/signin.js';

/**
 * Where to go after signing in: a path on this site only. Anything else (another origin,
 * `//host`, a backslash that browsers read as a slash, control characters, or a path that
 * normalises to `//host`) goes to the home page.
 */
export function localPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || /[\\\p{Cc}]/u.test(next)) return '/';
  const base = 'http://luodi.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === base && !path.startsWith('//') ? path : '/';
}

function waitText(t: Translate, seconds: number): string {
  return seconds < 120 ? t('waitSeconds', { n: seconds }) : t('waitMinutes', { n: Math.ceil(seconds / 60) });
}

/** The client's address: the socket's, or what a trusted proxy says (TRUST_PROXY). */
const addressOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Sign-in (limited per account and per address), sign-out, and changing one's password. */
export function registerSignInPages(router: Router, deps: { db: Db; log: Logger; signInGuard: SignInGuard }): void {
  const { db, log, signInGuard: guard } = deps;

  const startSession = async (res: Response, userId: string) => {
    const { token } = await createSession(db, userId);
    setCookie(res, SESSION_COOKIE, token, SESSION_HOURS * 3600);
  };

  const signInPage = (res: Response, status: number, next: string, alert: string | null) => {
    const t = textOf(res);
    sendPage(res, status, t('signIn'), <SignIn t={t} csrfToken={newSigninCsrf(res)} next={next} alert={alert} />, '/signin');
  };

  const tooMany = (res: Response, next: string, seconds: number) => {
    res.set('Retry-After', String(seconds));
    signInPage(res, 429, next, waitText(textOf(res), seconds));
  };

  router.get('/signin', (req, res) => signInPage(res, 200, localPath(req.query.next), null));

  router.post('/signin', async (req, res) => {
    const form = req.body as Record<string, unknown>;
    const next = localPath(form.next);
    if (!signinCsrfOk(req)) return signInPage(res, 403, next, textOf(res)('badCredentials'));
    const account = String(form.user ?? '');
    const address = addressOf(req);
    // A locked account or address is refused before its password is even checked.
    const wait = await guard.retryAfter(account, address);
    if (wait) return tooMany(res, next, wait);
    const user = await checkPassword(db, account, String(form.password ?? ''));
    if (!user) {
      const locked = await guard.failed(account, address);
      log.warn({ address, locked }, 'sign-in failed');
      return locked ? tooMany(res, next, locked) : signInPage(res, 401, next, textOf(res)('badCredentials'));
    }
    await guard.succeeded(account);
    await startSession(res, user.id);
    log.info({ user: user.id }, 'signed in');
    res.redirect(303, next);
  });

  router.post('/signout', checkCsrf, async (req, res) => {
    const token = cookies(req)[SESSION_COOKIE];
    if (token) await deleteSession(db, token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/signin');
  });

  const passwordPage = (res: Response, status: number, alert: string | null) => {
    const { t, user, csrfToken } = viewerOf(res);
    const { changed } = parse(passwordPageQuery, res.req.query, 'query');
    sendPage(res, status, t('changePassword'), <ChangePassword t={t} csrfToken={csrfToken} userId={user.id} changed={changed !== undefined} alert={alert} />, '/account/password');
  };

  router.get('/account/password', requireSignIn, (_req, res) => passwordPage(res, 200, null));

  /** A new password ends every other session of the user; this browser gets a new session. */
  router.post('/account/password', requireSignIn, checkCsrf, async (req, res) => {
    const { user, t } = viewerOf(res);
    const form = req.body as Record<string, unknown>;
    const address = addressOf(req);
    // The current password is guessed no faster here than at sign-in.
    const wait = await guard.retryAfter(user.id, address);
    if (wait) {
      res.set('Retry-After', String(wait));
      return passwordPage(res, 429, waitText(t, wait));
    }
    if (!(await checkPassword(db, user.id, String(form.current ?? '')))) {
      const locked = await guard.failed(user.id, address);
      if (locked) res.set('Retry-After', String(locked));
      return passwordPage(res, locked ? 429 : 401, locked ? waitText(t, locked) : t('wrongCurrentPassword'));
    }
    await guard.succeeded(user.id);
    const password = String(form.new ?? '');
    if (passwordProblem(password)) return passwordPage(res, 400, t('passwordLength'));
    if (password !== form.confirm) return passwordPage(res, 400, t('passwordsDiffer'));
    await setPassword(db, user.id, password);
    await startSession(res, user.id);
    log.info({ user: user.id }, 'password changed; other sessions ended');
    res.redirect(303, '/account/password?changed=1');
  });
}

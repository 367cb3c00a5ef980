import type { Request, Response, Router } from 'express';
import type { Logger } from '../../config/logger.js';
import type { Db } from '../../db/connection.js';
import { passwordProblem } from '../../db/passwords.js';
import { checkPassword, createSession, deleteSession, SESSION_HOURS } from '../../db/sessions.js';
import { setPassword } from '../../db/users.js';
import type { SignInGuard } from '../signin-limits.js';
import { h, type Html } from './html.js';
import type { Label } from '../../workflows/reference.js';
import { label, t, type Lang } from './i18n.js';
import { checkCsrf, cookies, langOf, newSigninCsrf, pageUser, requireSignIn, SESSION_COOKIE, setCookie, signinCsrfOk } from './session.js';

export type RenderPage = (res: Response, status: number, title: string, body: Html, path?: string) => void;

const L = {
  tooMany: { zh: '登录失败次数过多，已暂时锁定。请稍后再试：', en: 'Too many failed sign-ins; signing in is locked for now. Try again in' },
  seconds: { zh: '秒后', en: 'seconds' },
  minutes: { zh: '分钟后', en: 'minutes' },
  changePassword: { zh: '修改密码', en: 'Change password' },
  current: { zh: '当前密码', en: 'Current password' },
  new: { zh: '新密码（至少 10 个字符）', en: 'New password (at least 10 characters)' },
  confirm: { zh: '再次输入新密码', en: 'New password again' },
  wrongCurrent: { zh: '当前密码不正确', en: 'The current password is wrong' },
  mismatch: { zh: '两次输入的新密码不一致', en: 'The new passwords differ' },
  tooShort: { zh: '新密码至少 10 个字符，至多 200 个字符', en: 'The new password must have 10 to 200 characters' },
  changed: { zh: '密码已修改；其他设备上的登录已全部退出', en: 'Password changed; you are signed out everywhere else' },
} satisfies Record<string, Label>;

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

function waitText(lang: Lang, seconds: number): string {
  return seconds < 120 ? `${label(lang, L.tooMany)} ${seconds} ${label(lang, L.seconds)}` : `${label(lang, L.tooMany)} ${Math.ceil(seconds / 60)} ${label(lang, L.minutes)}`;
}

/** The client's address: the socket's, or what a trusted proxy says (TRUST_PROXY). */
const addressOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Sign-in (limited per account and per address), sign-out, and changing one's password. */
export function registerSignInPages(router: Router, deps: { db: Db; log: Logger; signInGuard: SignInGuard }, page: RenderPage): void {
  const { db, log, signInGuard: guard } = deps;

  const startSession = async (res: Response, userId: string) => {
    const { token } = await createSession(db, userId);
    setCookie(res, SESSION_COOKIE, token, SESSION_HOURS * 3600);
  };

  function signinPage(res: Response, status: number, next: string, alert: string | null) {
    const lang = langOf(res);
    const csrf = newSigninCsrf(res);
    page(
      res,
      status,
      t(lang, 'signIn'),
      h`<h1>${t(lang, 'signIn')}</h1>
      <form method="post" action="/signin" class="card">
        ${alert ? h`<div class="alert" role="alert">${alert}</div>` : ''}
        <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
        <label for="user">${t(lang, 'userId')}</label><input id="user" name="user" autocomplete="username" required>
        <label for="password">${t(lang, 'password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit" class="primary">${t(lang, 'signIn')}</button>
      </form>`,
      '/signin',
    );
  }

  const tooMany = (res: Response, next: string, seconds: number) => {
    res.set('Retry-After', String(seconds));
    signinPage(res, 429, next, waitText(langOf(res), seconds));
  };

  router.get('/signin', (req, res) => signinPage(res, 200, localPath(req.query.next), null));

  router.post('/signin', async (req, res) => {
    const form = req.body as Record<string, unknown>;
    const next = localPath(form.next);
    if (!signinCsrfOk(req)) return signinPage(res, 403, next, t(langOf(res), 'badCredentials'));
    const account = String(form.user ?? '');
    const address = addressOf(req);
    // A locked account or address is refused before its password is even checked.
    const wait = await guard.retryAfter(account, address);
    if (wait) return tooMany(res, next, wait);
    const user = await checkPassword(db, account, String(form.password ?? ''));
    if (!user) {
      const locked = await guard.failed(account, address);
      log.warn({ address, locked }, 'sign-in failed');
      return locked ? tooMany(res, next, locked) : signinPage(res, 401, next, t(langOf(res), 'badCredentials'));
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

  function passwordPage(res: Response, status: number, alert: string | null) {
    const lang = langOf(res);
    const flash = res.req.query.changed === '1' && !alert ? h`<div class="flash" role="status">${label(lang, L.changed)}</div>` : '';
    page(
      res,
      status,
      label(lang, L.changePassword),
      h`${flash}<h1>${label(lang, L.changePassword)}</h1>
      <form method="post" action="/account/password" class="card" id="password-form">
        ${alert ? h`<div class="alert" role="alert">${alert}</div>` : ''}
        <input type="hidden" name="_csrf" value="${res.locals.csrfToken as string}">
        <input type="text" name="username" autocomplete="username" value="${pageUser(res)!.id}" hidden>
        <label for="current">${label(lang, L.current)}</label><input id="current" name="current" type="password" autocomplete="current-password" required>
        <label for="new">${label(lang, L.new)}</label><input id="new" name="new" type="password" autocomplete="new-password" minlength="10" maxlength="200" required>
        <label for="confirm">${label(lang, L.confirm)}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" maxlength="200" required>
        <button type="submit" class="primary">${label(lang, L.changePassword)}</button>
      </form>`,
      '/account/password',
    );
  }

  router.get('/account/password', requireSignIn, (_req, res) => passwordPage(res, 200, null));

  /** A new password ends every other session of the user; this browser gets a new session. */
  router.post('/account/password', requireSignIn, checkCsrf, async (req, res) => {
    const user = pageUser(res)!;
    const lang = langOf(res);
    const form = req.body as Record<string, unknown>;
    const address = addressOf(req);
    // The current password is guessed no faster here than at sign-in.
    const wait = await guard.retryAfter(user.id, address);
    if (wait) {
      res.set('Retry-After', String(wait));
      return passwordPage(res, 429, waitText(lang, wait));
    }
    if (!(await checkPassword(db, user.id, String(form.current ?? '')))) {
      const locked = await guard.failed(user.id, address);
      if (locked) res.set('Retry-After', String(locked));
      return passwordPage(res, locked ? 429 : 401, locked ? waitText(lang, locked) : label(lang, L.wrongCurrent));
    }
    await guard.succeeded(user.id);
    const password = String(form.new ?? '');
    if (passwordProblem(password)) return passwordPage(res, 400, label(lang, L.tooShort));
    if (password !== form.confirm) return passwordPage(res, 400, label(lang, L.mismatch));
    await setPassword(db, user.id, password);
    await startSession(res, user.id);
    log.info({ user: user.id }, 'password changed; other sessions ended');
    res.redirect(303, '/account/password?changed=1');
  });
}

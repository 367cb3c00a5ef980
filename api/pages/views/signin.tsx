import type { Translate } from '../catalog.js';
import { AccountNav } from './account.js';
import { CsrfField } from './layout.js';

function Alert({ text }: { text: string | null }) {
  return text ? (
    <div class="alert" role="alert">
      {text}
    </div>
  ) : null;
}

export interface SignInProps {
  t: Translate;
  /** The sign-in form's own CSRF token (double-submit cookie: there is no session yet). */
  csrfToken: string;
  /** Where to go afterwards: a path on this site. */
  next: string;
  alert: string | null;
}

export function SignIn({ t, csrfToken, next, alert }: SignInProps) {
  return (
    <>
      <h1>{t('signIn')}</h1>
      <form method="post" action="/signin" class="card">
        <Alert text={alert} />
        <CsrfField token={csrfToken} />
        <input type="hidden" name="next" value={next} />
        <label for="user">{t('userId')}</label>
        <input id="user" name="user" autocomplete="username" required />
        <label for="password">{t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" class="primary">
          {t('signIn')}
        </button>
      </form>
    </>
  );
}

export interface ChangePasswordProps {
  t: Translate;
  csrfToken: string;
  userId: string;
  /** Just changed: a flash line says so. */
  changed: boolean;
  alert: string | null;
}

export function ChangePassword({ t, csrfToken, userId, changed, alert }: ChangePasswordProps) {
  return (
    <>
      {changed && !alert && (
        <div class="flash" role="status">
          {t('passwordChanged')}
        </div>
      )}
      <h1>{t('changePassword')}</h1>
      <AccountNav t={t} />
      <form method="post" action="/account/password" class="card" id="password-form">
        <Alert text={alert} />
        <CsrfField token={csrfToken} />
        {/* For password managers: whose password this is. */}
        <input type="text" name="username" autocomplete="username" value={userId} hidden />
        <label for="current">{t('currentPassword')}</label>
        <input id="current" name="current" type="password" autocomplete="current-password" required />
        <label for="new">{t('newPassword')}</label>
        <input id="new" name="new" type="password" autocomplete="new-password" minlength={10} maxlength={200} required />
        <label for="confirm">{t('confirmPassword')}</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength={10} maxlength={200} required />
        <button type="submit" class="primary">
          {t('changePassword')}
        </button>
      </form>
    </>
  );
}

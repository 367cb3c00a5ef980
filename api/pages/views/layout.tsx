import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from '../../../db/users.js';
import { mayOpenTemporal } from '../../policy.js';
import { TEMPORAL_UI_PATH } from '../../temporal-ui-rules.js';
import { HTML_LANG, OTHER_LANG, type Translate } from '../catalog.js';
import { STYLE } from './style.js';

/** This response's CSP nonce, for every <script> a view renders. */
const Nonce = createContext('');

/** A served script (never inline code), carrying the response's nonce. */
export function Script({ src }: { src: string }) {
  return <script src={src} nonce={useContext(Nonce)}></script>;
}

/**
 * Data for a served script: JSON in a block that the browser does not run. `json` must already
 * have its `<` escaped (as \u003c), so that it cannot end the block.
 */
export function JsonData({ id, json }: { id: string; json: string }) {
  return <script type="application/json" id={id} nonce={useContext(Nonce)} dangerouslySetInnerHTML={{ __html: json }}></script>;
}

/** The session's CSRF token, sent back with a form. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export interface LayoutProps {
  t: Translate;
  /** This response's CSP nonce: the inline style sheet and every script carry it. */
  nonce: string;
  title: string;
  user: User | null;
  csrfToken: string | null;
  /** Unread in-app notifications of the signed-in user. */
  unread: number;
  /** This page's address, without `lang`: the language switch links back to it. */
  path: string;
  children: ComponentChildren;
}

function Navigation({ t, user, csrfToken, unread }: { t: Translate; user: User; csrfToken: string | null; unread: number }) {
  return (
    <>
      {user.role === 'staff' && <a href="/inbox">{t('inbox')}</a>}
      {user.role !== 'staff' && <a href="/projects">{t('projects')}</a>}
      {(user.role === 'supervisor' || user.role === 'coordinator') && (
        <>
          <a href="/stuck">{t('stuck')}</a>
          <a href="/dashboard">{t('dashboardLink')}</a>
        </>
      )}
      {/* Province-level only: the UI lists every city's projects. */}
      {mayOpenTemporal(user) && (
        <a href={`${TEMPORAL_UI_PATH}/`} id="temporal-ui-nav" target="_blank" rel="noopener">
          Temporal ↗
        </a>
      )}
      {user.role === 'verifier' && <a href="/funds">{t('fundsQueue')}</a>}
      {user.role !== 'staff' && <a href="/reports">{t('reports')}</a>}
      {user.role === 'admin' && <a href="/admin">{t('admin')}</a>}
      <a href="/notifications" id="unread">
        {t('notifications')}
        {unread > 0 && <> <span class="badge red">{unread}</span></>}
      </a>
      <a href="/account/password" id="account" title={t('changePassword')}>
        {user.name}
      </a>
      <form method="post" action="/signout" style="display:inline">
        <CsrfField token={csrfToken ?? ''} />
        <button type="submit">{t('signOut')}</button>
      </form>
    </>
  );
}

export function Layout({ t, nonce, title, user, csrfToken, unread, path, children }: LayoutProps) {
  const other = OTHER_LANG[t.lang];
  const switchHref = `${path}${path.includes('?') ? '&' : '?'}lang=${other}`;
  return (
    <html lang={HTML_LANG[t.lang]}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · luodi`}</title>
        {/* Static CSS, not built from any input: the one place raw markup is written. */}
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header>
          <a class="brand" href="/">
            {t('appName')}
          </a>
          {user && <Navigation t={t} user={user} csrfToken={csrfToken} unread={unread} />}
          <a href={switchHref} lang={other}>
            {t('otherLanguage')}
          </a>
        </header>
        <main>
          <Nonce.Provider value={nonce}>{children}</Nonce.Provider>
        </main>
      </body>
    </html>
  );
}

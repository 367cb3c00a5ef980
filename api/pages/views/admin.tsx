import type { ComponentChildren } from 'preact';
import { ADMIN, type AdminNewsQuery } from '../admin-shared.js';
import type { TextKey, Translate } from '../catalog.js';
import { CsrfField } from './layout.js';

/** An admin page: its title, the way back to the admin's landing page, what was just done, then the page. */
export function AdminPage({ t, title, news, children }: { t: Translate; title: string; news?: AdminNewsQuery; children: ComponentChildren }) {
  return (
    <>
      <p class="muted noprint">
        <a href={ADMIN.home}>← {t('admin')}</a>
      </p>
      <h1>{title}</h1>
      {news?.done && <p class="flash">{t(`adminNews.${news.done}`, { what: news.what ?? '' })}</p>}
      {children}
    </>
  );
}

/** One action on one row (revoke, disable, remove, re-drive, test): a button posting the session's CSRF token. */
export function PostButton({ action, csrfToken, label, id, requestToken }: { action: string; csrfToken: string; label: string; id?: string; requestToken?: string }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField token={csrfToken} />
      {requestToken && <input type="hidden" name="_request" value={requestToken} />}
      <button type="submit" class="link" id={id}>
        {label}
      </button>
    </form>
  );
}

/** A link to a form, as a button. */
export function FormLink({ href, label, id }: { href: string; label: string; id?: string }) {
  return (
    <p>
      <a href={href} class="button" id={id}>
        {label}
      </a>
    </p>
  );
}

const AREAS: readonly { href: string; title: TextKey; about: TextKey }[] = [
  { href: ADMIN.users, title: 'adminUsers', about: 'adminUsersAbout' },
  { href: ADMIN.targets, title: 'adminTargets', about: 'adminTargetsAbout' },
  { href: ADMIN.calendar, title: 'adminCalendar', about: 'adminCalendarAbout' },
  { href: ADMIN.notifications, title: 'adminNotifications', about: 'adminNotificationsAbout' },
  { href: ADMIN.templates, title: 'adminTemplates', about: 'adminTemplatesAbout' },
  { href: ADMIN.outbox, title: 'adminOutbox', about: 'adminOutboxAbout' },
];

/** The admin's landing page: one card per area. */
export function AdminHome({ t }: { t: Translate }) {
  return (
    <>
      <h1>{t('admin')}</h1>
      {AREAS.map((a) => (
        <a class="card area" href={a.href}>
          <strong>{t(a.title)}</strong>
          <div class="muted">{t(a.about)}</div>
        </a>
      ))}
    </>
  );
}

import type { inAppNotifications } from '../../../db/notifications.js';
import type { Translate } from '../catalog.js';
import { CsrfField } from './layout.js';

export type InAppNotification = Awaited<ReturnType<typeof inAppNotifications>>[number];

/** The signed-in user's in-app notifications, newest first; each unread one can be marked read. */
export function Notifications({ t, items, csrfToken }: { t: Translate; items: readonly InAppNotification[]; csrfToken: string }) {
  return (
    <>
      <h1>{t('notifications')}</h1>
      {items.length === 0 && <p class="card">{t('noNotifications')}</p>}
      {items.map((n) => (
        <article class={n.read_at ? 'card' : 'card overdue'} data-notification={n.id}>
          <strong>{n.subject}</strong>
          {!n.read_at && (
            <>
              {' '}
              <span class="badge red">{t('unread')}</span>
            </>
          )}
          <div class="muted">{t.time(n.created_at)}</div>
          <pre style="white-space:pre-wrap;font:inherit">{n.body}</pre>
          <a href={n.link}>{t('openNotification')} →</a>
          {!n.read_at && (
            <form method="post" action={`/notifications/${n.id}/read`} style="display:inline">
              <CsrfField token={csrfToken} />
              <button type="submit" class="link">
                {t('markRead')}
              </button>
            </form>
          )}
        </article>
      ))}
    </>
  );
}

import type { Contact } from '../../../db/contacts.js';
import type { OutboxRow } from '../../../db/outbox.js';
import type { listWebhookEndpoints } from '../../../db/webhooks.js';
import { AUDIENCE_LABELS, DEPARTMENT_LABELS, type Audience, type Department } from '../../../workflows/reference.js';
import { ADMIN, type AdminNewsQuery } from '../admin-shared.js';
import type { Translate } from '../catalog.js';
import { AdminPage, FormLink, PostButton } from './admin.js';
import { TableHead } from './table-head.js';

export type WebhookRow = Awaited<ReturnType<typeof listWebhookEndpoints>>[number];

export interface ContactsPageProps {
  t: Translate;
  contacts: readonly Contact[];
  webhooks: readonly WebhookRow[];
  csrfToken: string;
  /** Sent with each test button, so that a double click sends one test. */
  requestToken: string;
  news: AdminNewsQuery;
}

/** Who receives each audience (each removable), and the webhook endpoints (each with a test delivery). */
export function ContactsPage({ t, contacts, webhooks, csrfToken, requestToken, news }: ContactsPageProps) {
  const webhookName = (id: string | null) => webhooks.find((w) => w.id === id)?.name ?? `#${id}`;
  return (
    <AdminPage t={t} title={t('adminNotifications')} news={news}>
      <h2>{t('contacts')}</h2>
      <FormLink href={`${ADMIN.notifications}/contacts/new`} label={t('addContact')} id="add-contact" />
      {contacts.length === 0 ? (
        <p class="card">{t('noContacts')}</p>
      ) : (
        <table>
          <TableHead headings={[t('city'), t('department'), t('audience'), t('recipient'), '']} />
          <tbody>
            {contacts.map((c) => (
              <tr data-contact={c.id}>
                <td>{c.city}</td>
                <td data-label={t('department')}>{c.department ? t(DEPARTMENT_LABELS[c.department as Department]) : t('allDepartments')}</td>
                <td data-label={t('audience')}>{t(AUDIENCE_LABELS[c.audience as Audience])}</td>
                <td data-label={t('recipient')}>{c.user_id ?? `Webhook: ${webhookName(c.webhook_id)}`}</td>
                <td>
                  <PostButton action={`${ADMIN.notifications}/contacts/${c.id}/remove`} csrfToken={csrfToken} label={t('removeContact')} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Webhooks</h2>
      <FormLink href={`${ADMIN.notifications}/webhooks/new`} label={t('addWebhook')} id="add-webhook" />
      {webhooks.length === 0 ? (
        <p class="card">{t('noWebhooks')}</p>
      ) : (
        <table>
          <TableHead headings={[t('webhookName'), t('webhookUrl'), t('webhookFormat'), '']} />
          <tbody>
            {webhooks.map((w) => (
              <tr data-webhook={w.id}>
                <td>
                  {w.name} <span class="muted">#{w.id}</span>
                </td>
                <td data-label={t('webhookUrl')} class="secret">
                  {w.url}
                </td>
                <td data-label={t('webhookFormat')}>{t(`webhookFormat.${w.format}`)}</td>
                <td>
                  <PostButton action={`${ADMIN.notifications}/webhooks/${w.id}/test`} csrfToken={csrfToken} requestToken={`${requestToken}-${w.id}`} label={t('testWebhook')} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminPage>
  );
}

/** Dead notifications, newest first, each with its last error and a re-drive button. */
export function DeadNotifications({ t, rows, csrfToken, news }: { t: Translate; rows: readonly OutboxRow[]; csrfToken: string; news: AdminNewsQuery }) {
  return (
    <AdminPage t={t} title={t('adminOutbox')} news={news}>
      {rows.length === 0 ? (
        <p class="card">{t('noDeadNotifications')}</p>
      ) : (
        rows.map((r) => (
          <article class="card overdue" data-outbox={r.id}>
            <strong>{r.subject}</strong> <span class="muted">#{r.id}</span>
            <div class="muted">
              {r.channel} · {r.user_id ?? r.email ?? `webhook #${r.webhook_id}`} · {r.project_code || '—'} · {t('attempts', { n: r.attempts })}
            </div>
            <p class="error">{r.last_error}</p>
            <PostButton action={`${ADMIN.outbox}/${r.id}/redrive`} csrfToken={csrfToken} label={t('redrive')} />
          </article>
        ))
      )}
    </AdminPage>
  );
}

import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { deleteContact, listContacts } from '../../db/contacts.js';
import { outboxRows, redrive } from '../../db/outbox.js';
import { addWebhookEndpoint, listWebhookEndpoints } from '../../db/webhooks.js';
import { AUDIENCE_LABELS, CITIES, CONTACT_AUDIENCES, DEPARTMENT_LABELS, DEPARTMENTS, PROVINCE_WIDE } from '../../workflows/reference.js';
import { notFound, parse, type RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { Problem } from '../problem.js';
import { contactBody, queueWebhookTest, saveContact, webhookBodySchema } from '../notifications.routes.js';
import { ADMIN, labelledChoices, noParams, orNull, plainChoices, refusedBesideFields, withNews } from './admin-shared.js';
import { CATALOG } from './catalog.js';
import { NO_CONTEXT, registerAdminForm, registerAdminList } from './admin-form.js';
import { formActing, type FormValues, type PageField } from './forms.js';
import { viewerOf } from './page.js';
import { notificationParams } from './params.js';
import { checkCsrf, requireSignIn } from './session.js';
import { ContactsPage, DeadNotifications, type WebhookRow } from './views/admin-notifications.js';

const FORMATS = ['generic', 'wecom', 'dingtalk'] as const;

const contactFields = (webhooks: readonly WebhookRow[]): PageField[] => [
  { key: 'city', type: 'choice', required: true, label: CATALOG.city, choices: plainChoices([PROVINCE_WIDE, ...CITIES]) },
  { key: 'department', type: 'choice', required: false, label: CATALOG.contactDepartment, choices: labelledChoices(DEPARTMENTS, DEPARTMENT_LABELS) },
  { key: 'audience', type: 'choice', required: true, label: CATALOG.audience, choices: labelledChoices(CONTACT_AUDIENCES, AUDIENCE_LABELS) },
  { key: 'userId', type: 'line', required: false, label: CATALOG.contactUser },
  { key: 'webhookId', type: 'choice', required: false, label: CATALOG.contactWebhook, choices: webhooks.map((w) => ({ value: w.id, label: { zh: w.name, en: w.name } })) },
];
const WEBHOOK_FIELDS: PageField[] = [
  { key: 'name', type: 'line', required: true, label: CATALOG.webhookName },
  { key: 'url', type: 'line', required: true, label: CATALOG.webhookUrl },
  { key: 'format', type: 'choice', required: true, label: CATALOG.webhookFormat, choices: labelledChoices(FORMATS, { generic: CATALOG['webhookFormat.generic'], wecom: CATALOG['webhookFormat.wecom'], dingtalk: CATALOG['webhookFormat.dingtalk'] }) },
  { key: 'secret', type: 'password', required: true, label: CATALOG.webhookSecret },
];

/** Contacts and webhook endpoints (with test deliveries), and the dead notifications to re-drive. */
export function registerAdminNotificationPages(router: Router, deps: Pick<RouteDeps, 'db' | 'keyRing'>): void {
  const { db, keyRing } = deps;

  registerAdminList(router, {
    path: ADMIN.notifications,
    allows: 'notifications.manage',
    title: 'adminNotifications',
    view: async ({ user, t, csrfToken, news }) => {
      const [contacts, webhooks] = await Promise.all([listContacts(db, user.city), listWebhookEndpoints(db)]);
      return <ContactsPage t={t} contacts={contacts} webhooks={webhooks} csrfToken={csrfToken} requestToken={randomUUID()} news={news} />;
    },
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.notifications}/contacts/new`,
    postPath: `${ADMIN.notifications}/contacts`,
    formId: 'contact-form',
    params: noParams,
    load: async () => ({ webhooks: await listWebhookEndpoints(db) }),
    allows: 'notifications.manage',
    title: 'addContact',
    about: 'addContactAbout',
    fields: ({ webhooks }) => contactFields(webhooks),
    schema: contactBody,
    toInput: (form: FormValues) => ({
      city: form.city ?? '',
      department: orNull(form.department),
      audience: form.audience ?? '',
      userId: orNull(form.userId),
      webhookId: orNull(form.webhookId),
    }),
    apply: async (_ctx, contact) => withNews(ADMIN.notifications, 'contactAdded', await refusedBesideFields(() => saveContact(db, contact))),
  });

  router.post(`${ADMIN.notifications}/contacts/:id/remove`, requireSignIn, checkCsrf, async (req, res) => {
    const { id } = parse(notificationParams, req.params, 'path');
    authorize(viewerOf(res).user, 'notifications.manage');
    if (!(await deleteContact(db, id))) throw notFound('such contact');
    res.redirect(303, withNews(ADMIN.notifications, 'contactRemoved', id));
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.notifications}/webhooks/new`,
    postPath: `${ADMIN.notifications}/webhooks`,
    formId: 'webhook-form',
    ...NO_CONTEXT,
    allows: 'notifications.manage',
    title: 'addWebhook',
    about: 'addWebhookAbout',
    fields: () => WEBHOOK_FIELDS,
    schema: webhookBodySchema,
    toInput: (form) => ({ name: form.name ?? '', url: form.url?.trim() ?? '', format: form.format ?? '', secret: form.secret ?? '' }),
    apply: async (_ctx, webhook) => {
      await addWebhookEndpoint(db, keyRing, webhook);
      return withNews(ADMIN.notifications, 'webhookAdded', webhook.name);
    },
  });

  /** A test delivery: queued in the outbox, and sent and signed by the dispatcher like any notification. */
  router.post(`${ADMIN.notifications}/webhooks/:id/test`, requireSignIn, checkCsrf, async (req, res) => {
    const { id } = parse(notificationParams, req.params, 'path');
    const { user } = viewerOf(res);
    authorize(user, 'notifications.manage');
    const outboxId = await queueWebhookTest(db, user, id, formActing(user, req.body as FormValues).requestId);
    res.redirect(303, withNews(ADMIN.notifications, 'testQueued', outboxId));
  });

  registerAdminList(router, {
    path: ADMIN.outbox,
    allows: 'notifications.manage',
    title: 'adminOutbox',
    // An admin for one city sees the notifications about that city's projects only, as on the API.
    view: async ({ user, t, csrfToken, news }) => <DeadNotifications t={t} rows={await outboxRows(db, { status: 'dead', city: user.city })} csrfToken={csrfToken} news={news} />,
  });

  router.post(`${ADMIN.outbox}/:id/redrive`, requireSignIn, checkCsrf, async (req, res) => {
    const { id } = parse(notificationParams, req.params, 'path');
    authorize(viewerOf(res).user, 'notifications.manage');
    if (!(await redrive(db, id))) throw new Problem(409, 'Not dead', 'Only a dead notification is re-driven.');
    res.redirect(303, withNews(ADMIN.outbox, 'redriven', id));
  });
}

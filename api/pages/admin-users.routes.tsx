import type { Router } from 'express';
import { z } from 'zod';
import { ROLES } from '../../db/schema.js';
import { apiTokenOwner, listApiTokens, listUsers, revokeApiToken, setPassword, type User } from '../../db/users.js';
import { CITIES, DEPARTMENT_LABELS, DEPARTMENTS } from '../../workflows/reference.js';
import { addUser, disableManagedUser, managedUser, newUserBody, passwordBody, userParams } from '../admin.routes.js';
import { notFound, parse, type RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { issueToken, newTokenBody } from '../tokens.routes.js';
import { ADMIN, adminNewsQuery, labelledChoices, orNull, plainChoices, refusedBesideFields, withNews } from './admin-shared.js';
import { CATALOG } from './catalog.js';
import { NO_CONTEXT, registerAdminForm, registerAdminList } from './admin-form.js';
import type { PageField } from './forms.js';
import { sendPage, viewerOf } from './page.js';
import { checkCsrf, requireSignIn } from './session.js';
import { ShownOnce } from './shown-once.js';
import { IssuedToken, UserList, UserPage } from './views/admin-users.js';

const ROLE_LABELS = Object.fromEntries(ROLES.map((r) => [r, CATALOG[`role.${r}`]])) as Record<(typeof ROLES)[number], { zh: string; en: string }>;

const NEW_USER_FIELDS: PageField[] = [
  { key: 'id', type: 'line', required: true, label: CATALOG.loginName },
  { key: 'name', type: 'line', required: true, label: CATALOG.userName },
  { key: 'role', type: 'choice', required: true, label: CATALOG.role, choices: labelledChoices(ROLES, ROLE_LABELS) },
  { key: 'city', type: 'choice', required: false, label: CATALOG.cityOrProvince, choices: plainChoices(CITIES) },
  { key: 'department', type: 'choice', required: false, label: CATALOG.departmentForStaff, choices: labelledChoices(DEPARTMENTS, DEPARTMENT_LABELS) },
  { key: 'email', type: 'line', required: false, label: CATALOG.email },
  { key: 'password', type: 'password', required: false, label: CATALOG.firstPassword },
];
const PASSWORD_FIELDS: PageField[] = [{ key: 'password', type: 'password', required: true, label: CATALOG.newPassword }];
const TOKEN_FIELDS: PageField[] = [
  { key: 'label', type: 'line', required: true, label: CATALOG.tokenLabel },
  { key: 'expiresOn', type: 'date', required: false, label: CATALOG.tokenExpiresOn },
];

const tokenParams = userParams.extend({ tokenId: z.string().regex(/^\d{1,18}$/, 'must be a number') });
const issuedParams = userParams.extend({ ticket: z.string().regex(/^[\w-]{1,64}$/, 'must be a ticket') });

/** Users: the list, adding one, and on each user's page their password, tokens and disabling them. */
export function registerAdminUserPages(router: Router, deps: Pick<RouteDeps, 'db'>): void {
  const { db } = deps;
  // New API tokens wait here for the one page that shows them.
  const shownOnce = new ShownOnce();
  /** The user a form is about, as the admin may manage them (`managedUser`: another city's is a 404), for showing and applying alike. */
  const loadUser = async ({ id }: { id: string }, _query: object, admin: User) => {
    authorize(admin, 'users.manage');
    return { user: await managedUser(db, admin, id) };
  };
  /** What the forms about one user share: who it is, their city checked, their name above the form. */
  const userForm = {
    params: userParams,
    load: loadUser,
    allows: 'users.manage',
    aboutValues: ({ user }: Awaited<ReturnType<typeof loadUser>>) => ({ user: `${user.name} · ${user.id}` }),
  } as const;

  registerAdminList(router, {
    path: ADMIN.users,
    allows: 'users.manage',
    title: 'adminUsers',
    view: async ({ user, t, news }) => <UserList t={t} users={(await listUsers(db)).filter((u) => !user.city || u.city === user.city)} news={news} />,
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.users}/new`,
    postPath: ADMIN.users,
    formId: 'user-form',
    ...NO_CONTEXT,
    allows: 'users.manage',
    title: 'addUser',
    about: 'addUserAbout',
    fields: () => NEW_USER_FIELDS,
    schema: newUserBody,
    toInput: (form) => ({
      id: form.id?.trim() ?? '',
      name: form.name ?? '',
      role: form.role ?? '',
      city: orNull(form.city),
      department: orNull(form.department),
      email: orNull(form.email),
      password: form.password ? form.password : undefined,
    }),
    apply: async (_ctx, user) => {
      await refusedBesideFields(() => addUser(db, user));
      return withNews(ADMIN.user(user.id), 'userAdded', user.id);
    },
  });

  router.get(`${ADMIN.users}/:id`, requireSignIn, async (req, res) => {
    const { id } = parse(userParams, req.params, 'path');
    const news = parse(adminNewsQuery, req.query, 'query');
    const { user: admin, t, csrfToken } = viewerOf(res);
    authorize(admin, 'users.manage');
    const user = await managedUser(db, admin, id);
    const tokens = await listApiTokens(db, id);
    sendPage(res, 200, user.name, <UserPage t={t} user={user} tokens={tokens} csrfToken={csrfToken} viewerId={admin.id} news={news} />);
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.users}/:id/password`,
    postPath: `${ADMIN.users}/:id/password`,
    formId: 'password-form',
    ...userForm,
    title: 'setPassword',
    about: 'setPasswordAbout',
    fields: () => PASSWORD_FIELDS,
    postTo: ({ user }) => `${ADMIN.user(user.id)}/password`,
    schema: passwordBody,
    toInput: (form) => ({ password: form.password ?? '' }),
    apply: async ({ user }, { password }) => {
      await setPassword(db, user.id, password);
      return withNews(ADMIN.user(user.id), 'passwordSet', user.id);
    },
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.users}/:id/tokens/new`,
    postPath: `${ADMIN.users}/:id/tokens`,
    formId: 'token-form',
    ...userForm,
    title: 'issueToken',
    about: 'issueTokenAbout',
    fields: () => TOKEN_FIELDS,
    postTo: ({ user }) => `${ADMIN.user(user.id)}/tokens`,
    schema: newTokenBody,
    // A date: valid to the end of that day in Beijing.
    toInput: (form) => ({ label: form.label ?? '', expiresAt: form.expiresOn ? `${form.expiresOn}T23:59:59+08:00` : null }),
    apply: async ({ user }, body, acting) => {
      const ticket = shownOnce.keep(acting.user.id, await issueToken(db, user.id, body));
      return `${ADMIN.user(user.id)}/tokens/issued/${ticket}`;
    },
  });

  router.get(`${ADMIN.users}/:id/tokens/issued/:ticket`, requireSignIn, async (req, res) => {
    const { id, ticket } = parse(issuedParams, req.params, 'path');
    const { user: admin, t } = viewerOf(res);
    authorize(admin, 'users.manage');
    // Never kept by a cache or the browser's history of pages: it is shown once.
    res.set('Cache-Control', 'no-store');
    sendPage(res, 200, t('issueToken'), <IssuedToken t={t} userId={id} token={shownOnce.take(admin.id, ticket)} />);
  });

  router.post(`${ADMIN.users}/:id/tokens/:tokenId/revoke`, requireSignIn, checkCsrf, async (req, res) => {
    const { id, tokenId } = parse(tokenParams, req.params, 'path');
    const { user: admin } = viewerOf(res);
    authorize(admin, 'users.manage');
    await managedUser(db, admin, id);
    if ((await apiTokenOwner(db, tokenId)) !== id) throw notFound(`API token ${tokenId} of ${id}`);
    await revokeApiToken(db, tokenId, admin.id);
    res.redirect(303, withNews(ADMIN.user(id), 'tokenRevoked', tokenId));
  });

  router.post(`${ADMIN.users}/:id/disable`, requireSignIn, checkCsrf, async (req, res) => {
    const { id } = parse(userParams, req.params, 'path');
    const { user: admin } = viewerOf(res);
    authorize(admin, 'users.manage');
    await disableManagedUser(db, admin, id);
    res.redirect(303, withNews(ADMIN.user(id), 'userDisabled', id));
  });
}

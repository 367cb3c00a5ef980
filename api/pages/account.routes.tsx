import type { Router } from 'express';
import { z } from 'zod';
import { setUserChannel, userChannels } from '../../db/user-channels.js';
import { apiTokenOwner, listApiTokens, revokeApiToken, userEmail } from '../../db/users.js';
import { PROVINCE_WIDE } from '../../workflows/reference.js';
import { notFound, parse, type RouteDeps } from '../http.js';
import { channelsBody } from '../notifications.routes.js';
import { authorize } from '../policy.js';
import { reportList, sendReportWorkbook } from '../reports.routes.js';
import { CATALOG } from './catalog.js';
import { registerFormPage } from './form-page.js';
import { sendPage, viewerOf } from './page.js';
import { checkCsrf, requireSignIn } from './session.js';
import { AccountNav, MyTokens } from './views/account.js';
import { Reports } from './views/reports.js';

const tokenParams = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a number') });
const tokensQuery = z.object({ revoked: z.string().regex(/^\d{1,18}$/).optional().catch(undefined) });

/**
 * Every user's own account (the channels they are told on, their API tokens) and the frozen
 * quarterly reports for those who read the figures: what GET/POST /api/me/channels,
 * /api/me/tokens, /api/tokens/:id/revoke and /api/reports do, in the browser.
 */
export function registerAccountPages(router: Router, deps: RouteDeps): void {
  registerFormPage(router, deps.db, {
    getPath: '/account/channels',
    postPath: '/account/channels',
    formId: 'channels-form',
    params: z.object({}),
    query: z.object({ saved: z.literal('1').optional().catch(undefined) }),
    load: async (_params: object, { saved }: { saved?: '1' | undefined }, user) => {
      const enabled = new Map((await userChannels(deps.db, user.id)).map((r) => [r.channel, r.enabled]));
      const email = await userEmail(deps.db, user.id);
      return { saved: saved === '1', email, inApp: enabled.get('in_app') ?? true, byEmail: email ? (enabled.get('email') ?? true) : false };
    },
    allows: 'notifications.read',
    target: () => undefined,
    title: () => 'myChannels',
    intro: ({ saved, email }, t) => (
      <>
        <AccountNav t={t} />
        {saved && (
          <div class="flash" role="status">
            {t('channelsSaved')}
          </div>
        )}
        <p class="muted">{email ? t('channelsEmail', { email }) : t('channelsNoEmail')}</p>
      </>
    ),
    fields: ({ email }) => [
      { key: 'in_app', type: 'boolean', required: false, label: CATALOG.channelInApp },
      ...(email ? [{ key: 'email', type: 'boolean', required: false, label: CATALOG.channelEmail } as const] : []),
    ],
    initial: ({ inApp, byEmail }) => ({ in_app: String(inApp), email: String(byEmail) }),
    submit: 'save',
    postTo: () => '/account/channels',
    schema: channelsBody,
    toInput: (form, { email }) => ({ in_app: form.in_app === 'true', ...(email ? { email: form.email === 'true' } : {}) }),
    apply: async (_ctx, prefs, { user }) => {
      for (const [channel, enabled] of Object.entries(prefs) as ['in_app' | 'email', boolean][]) await setUserChannel(deps.db, user.id, channel, enabled);
      return '/account/channels?saved=1';
    },
  });

  router.get('/account/tokens', requireSignIn, async (req, res) => {
    const { user, t, csrfToken } = viewerOf(res);
    authorize(user, 'account.manage');
    const { revoked } = parse(tokensQuery, req.query, 'query');
    sendPage(res, 200, t('myTokens'), <MyTokens t={t} tokens={await listApiTokens(deps.db, user.id)} csrfToken={csrfToken} revoked={revoked ?? null} />);
  });

  router.post('/account/tokens/:id/revoke', requireSignIn, checkCsrf, async (req, res) => {
    const { user } = viewerOf(res);
    authorize(user, 'account.manage');
    const { id } = parse(tokenParams, req.params, 'path');
    // One's own tokens only here (admins revoke others' on the admin pages).
    if ((await apiTokenOwner(deps.db, id)) !== user.id) throw notFound(`API token ${id} of yours`);
    await revokeApiToken(deps.db, id, user.id);
    res.redirect(303, `/account/tokens?revoked=${id}`);
  });

  router.get('/reports', requireSignIn, async (_req, res) => {
    const { user, t } = viewerOf(res);
    authorize(user, 'statistics.read');
    sendPage(res, 200, t('reports'), <Reports t={t} reports={await reportList(deps.db)} scope={user.city ?? PROVINCE_WIDE} />);
  });

  router.get('/reports/:quarter.xlsx', requireSignIn, (req, res) => sendReportWorkbook(deps, viewerOf(res).user, req, res));
}

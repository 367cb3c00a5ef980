import type { Router } from 'express';
import { inAppNotifications, markNotificationRead } from '../../db/notifications.js';
import { parse, type RouteDeps } from '../http.js';
import { sendPage, viewerOf } from './page.js';
import { notificationParams } from './params.js';
import { checkCsrf, requireSignIn } from './session.js';
import { Notifications } from './views/notifications.js';

/** The signed-in user's in-app notifications; each is marked read from here. */
export function registerNotificationPages(router: Router, deps: Pick<RouteDeps, 'db'>): void {
  router.get('/notifications', requireSignIn, async (_req, res) => {
    const { user, t, csrfToken } = viewerOf(res);
    const items = await inAppNotifications(deps.db, user.id);
    sendPage(res, 200, t('notifications'), <Notifications t={t} items={items} csrfToken={csrfToken} />);
  });

  router.post('/notifications/:id/read', requireSignIn, checkCsrf, async (req, res) => {
    const { id } = parse(notificationParams, req.params, 'path');
    await markNotificationRead(deps.db, viewerOf(res).user.id, id);
    res.redirect(303, '/notifications');
  });
}

import type { Router } from 'express';
import type { RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { registerAdminNotificationPages } from './admin-notifications.routes.js';
import { registerAdminReferencePages } from './admin-reference.routes.js';
import { ADMIN } from './admin-shared.js';
import { registerAdminTemplatePages } from './admin-templates.routes.js';
import { registerAdminUserPages } from './admin-users.routes.js';
import { sendPage, viewerOf } from './page.js';
import { requireSignIn } from './session.js';
import { AdminHome } from './views/admin.js';

/** The admin's pages: what the admin API and the npm scripts do, without curl or a shell. */
export function registerAdminPages(router: Router, deps: RouteDeps): void {
  router.get(ADMIN.home, requireSignIn, (_req, res) => {
    const { user, t } = viewerOf(res);
    authorize(user, 'admin.read');
    sendPage(res, 200, t('admin'), <AdminHome t={t} />);
  });
  registerAdminUserPages(router, deps);
  registerAdminReferencePages(router, deps);
  registerAdminNotificationPages(router, deps);
  registerAdminTemplatePages(router, deps);
}

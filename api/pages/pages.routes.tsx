import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router, type ErrorRequestHandler } from 'express';
import type { Logger } from '../../config/logger.js';
import type { User } from '../../db/users.js';
import type { RouteDeps } from '../http.js';
import { toProblem } from '../problem.js';
import { registerAdminPages } from './admin.routes.js';
import type { SignInGuard } from '../signin-limits.js';
import type { TextKey } from './catalog.js';
import { registerFundsPages } from './funds.routes.js';
import { registerNotificationPages } from './notifications.routes.js';
import { sendPage, textOf } from './page.js';
import { registerProjectActionPages } from './project-actions.routes.js';
import { registerProjectPage } from './project.routes.js';
import { registerProjectListPages } from './projects.routes.js';
import { registerImportPages } from './import.routes.js';
import { registerAccountPages } from './account.routes.js';
import { PAGE_SCRIPTS } from './scripts.js';
import { pageSession, pageUser } from './session.js';
import { registerSignInPages } from './signin.routes.js';
import { registerSupervisionPages } from './supervision.routes.js';
import { registerTaskPages } from './task.routes.js';
import { Message } from './views/message.js';

const require = createRequire(import.meta.url);

/** Server-rendered pages for people: zh-CN by default, English by switch, usable on a phone. */
export function createPagesRouter(deps: RouteDeps & { log: Logger; signInGuard: SignInGuard }): Router {
  const router = Router();
  // Static assets need no session: served before the session is looked up. The pages' own
  // scripts are files too, so that the Content-Security-Policy runs no inline script.
  for (const [path, script] of PAGE_SCRIPTS) {
    router.get(path, (_req, res) => {
      res.type('text/javascript').set('Cache-Control', 'public, max-age=300').send(script);
    });
  }
  router.use('/assets', express.static(dirname(require.resolve('echarts/dist/echarts.min.js')), { index: false, maxAge: '1d' }));
  router.use(pageSession(deps.db));
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));

  /** Each role's first page. */
  const HOME: Record<User['role'], string> = { staff: '/inbox', verifier: '/funds', supervisor: '/stuck', coordinator: '/projects', admin: '/admin' };
  router.get('/', (_req, res) => {
    const user = pageUser(res);
    res.redirect(303, user ? HOME[user.role] : '/signin');
  });

  registerSignInPages(router, deps);
  registerTaskPages(router, deps);
  // The list and the new-project form first: /projects/new is not a project's code.
  registerProjectListPages(router, deps);
  registerImportPages(router, deps);
  registerProjectPage(router, deps);
  registerProjectActionPages(router, deps);
  registerAccountPages(router, deps);
  registerNotificationPages(router, deps);
  registerFundsPages(router, deps);
  registerSupervisionPages(router, deps);
  registerAdminPages(router, deps);

  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    const problem = toProblem(err);
    if (!problem) deps.log.error({ err }, 'page failed');
    const status = problem?.status ?? 500;
    const key: TextKey = status === 403 ? 'forbidden' : status === 404 ? 'notFound' : 'error';
    const t = textOf(res);
    sendPage(res, status, t(key), <Message title={t(key)} detail={problem?.detail ?? ''} />);
  };
  router.use(errors);
  return router;
}

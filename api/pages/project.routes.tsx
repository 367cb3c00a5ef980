import type { Router } from 'express';
import { projectEscalations } from '../../db/escalations.js';
import { codeParams, parse, projectLinks, queryProject, type RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { fundsPermissions } from './funds.routes.js';
import { sendPage, viewerOf } from './page.js';
import { projectPageQuery } from './params.js';
import { requireSignIn } from './session.js';
import { ProjectPage } from './views/project.js';

/** One project's page, for everyone who may read it. */
export function registerProjectPage(router: Router, deps: RouteDeps): void {
  router.get('/projects/:code', requireSignIn, async (req, res) => {
    const { code } = parse(codeParams, req.params, 'path');
    const query = parse(projectPageQuery, req.query, 'query');
    const { user, t, csrfToken } = viewerOf(res);
    const state = await queryProject(deps, code);
    authorize(user, 'project.read', { city: state.city });
    const escalations = await projectEscalations(deps.db, code);
    sendPage(
      res,
      200,
      state.name,
      <ProjectPage
        t={t}
        state={state}
        escalations={escalations}
        temporalUi={projectLinks(deps, code).temporalUi}
        done={state.tasks.find((x) => x.key === query.done) ?? null}
        fundsNews={query.funds ?? null}
        may={fundsPermissions(user, state)}
        viewerId={user.id}
        csrfToken={csrfToken}
      />,
    );
  });
}

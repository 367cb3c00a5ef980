import type { Router } from 'express';
import { projectHistory } from '../../db/audit-log.js';
import { projectEscalations } from '../../db/escalations.js';
import type { User } from '../../db/users.js';
import { allowedNextStages, isTerminal } from '../../workflows/decisions/stages.js';
import type { ProjectState } from '../../workflows/state.js';
import { reproject } from '../../workflows/messages.js';
import { codeParams, parse, queryProject, temporalUiLinkFor, updateProject, type RouteDeps } from '../http.js';
import { formActing, type FormValues } from './forms.js';
import { checkCsrf } from './session.js';
import { authorize, mayDo } from '../policy.js';
import { fundsPermissions } from './funds.routes.js';
import { sendPage, viewerOf } from './page.js';
import { projectPageQuery } from './params.js';
import { requireSignIn } from './session.js';
import { ProjectPage, type ProjectActions } from './views/project.js';

/** The project actions a user may take now, for the page to offer (the workflow checks each again). */
export function projectActions(user: User, state: ProjectState): ProjectActions {
  const open = !isTerminal(state.stage);
  const may = (action: Parameters<typeof mayDo>[1]) => open && mayDo(user, action, state.city);
  return {
    advance: may('project.advance') && allowedNextStages(state.stage).length > 0,
    liaison: may('project.liaison'),
    withdraw: may('project.withdraw'),
    merge: may('project.merge'),
    reportBlocker: may('blocker.report'),
    resolveBlocker: may('blocker.resolve'),
    // After a write failed for good (stuck: system), once its cause is fixed.
    reproject: mayDo(user, 'project.reproject', state.city) && state.stuck.reasons.includes('system'),
  };
}

/** One project's page, for everyone who may read it. */
export function registerProjectPage(router: Router, deps: RouteDeps): void {
  // An admin's re-projection, as POST /api/projects/:code/reproject: one button, no fields.
  router.post('/projects/:code/reproject', requireSignIn, checkCsrf, async (req, res) => {
    const { code } = parse(codeParams, req.params, 'path');
    await updateProject(deps, formActing(viewerOf(res).user, req.body as FormValues), { code, action: 'project.reproject' }, reproject, (actor, requestId) => ({ actor, requestId }));
    res.redirect(303, `/projects/${encodeURIComponent(code)}?did=reprojected`);
  });

  router.get('/projects/:code', requireSignIn, async (req, res) => {
    const { code } = parse(codeParams, req.params, 'path');
    const query = parse(projectPageQuery, req.query, 'query');
    const { user, t, csrfToken } = viewerOf(res);
    const state = await queryProject(deps, code);
    authorize(user, 'project.read', { city: state.city });
    const [escalations, history] = await Promise.all([projectEscalations(deps.db, code), projectHistory(deps.db, code)]);
    sendPage(
      res,
      200,
      state.name,
      <ProjectPage
        t={t}
        state={state}
        escalations={escalations}
        history={history}
        actions={projectActions(user, state)}
        news={query.did ?? null}
        temporalUi={temporalUiLinkFor(deps, user, code)}
        done={state.tasks.find((x) => x.key === query.done) ?? null}
        fundsNews={query.funds ?? null}
        may={fundsPermissions(user, state)}
        viewerId={user.id}
        csrfToken={csrfToken}
      />,
    );
  });
}

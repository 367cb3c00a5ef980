import type { Request, Response, Router } from 'express';
import { listProjects } from '../../db/projects.js';
import { unprojectedFailures } from '../../db/write-failures.js';
import { beijingDate } from '../../workflows/beijing-time.js';
import { getState } from '../../workflows/messages.js';
import { notFound, parse, temporalUiLinkFor, type RouteDeps } from '../http.js';
import { authorize, mayOpenTemporal } from '../policy.js';
import { Problem } from '../problem.js';
import { translator } from './catalog.js';
import { dashboardData, dashboardWorkbook, periodOf, workbookName, type DashboardQuery } from './dashboard-data.js';
import { sendPage, viewerOf } from './page.js';
import { dashboardQuery, noticeParams } from './params.js';
import { requireSignIn } from './session.js';
import { Dashboard } from './views/dashboard.js';
import { Notice } from './views/notice.js';
import { StuckList } from './views/stuck.js';
import { supervisorViews, temporalUiListPath } from '../temporal-views.js';

/** Supervisors' and coordinators' pages: the stuck list, the dashboard and its export, and the 督办单. */
export function registerSupervisionPages(router: Router, deps: RouteDeps): void {
  router.get('/stuck', requireSignIn, async (_req, res) => {
    const { user, t } = viewerOf(res);
    authorize(user, 'stuck.read');
    const { items } = await listProjects(deps.db, { stuck: true, city: user.city ?? undefined, limit: 200, offset: 0 });
    const unprojected = await unprojectedFailures(deps.db, user.city);
    const temporalUi = (code: string) => temporalUiLinkFor(deps, user, code);
    const views = mayOpenTemporal(user) ? supervisorViews().map((v) => ({ label: v.label, href: temporalUiListPath(deps.client.options.namespace, v.query) })) : [];
    sendPage(res, 200, t('stuck'), <StuckList t={t} city={user.city} projects={items} unprojected={unprojected} temporalUi={temporalUi} views={views} />);
  });

  /** The dashboard's query; `period` is a quarter or a date (year to date), by default this year to date. */
  const dashboardRequest = (req: Request, res: Response) => {
    const parsed = parse(dashboardQuery, req.query, 'query');
    const viewer = viewerOf(res);
    authorize(viewer.user, 'statistics.read');
    const query: DashboardQuery = { period: parsed.period || beijingDate(Date.now()), city: parsed.city ?? null };
    return { ...viewer, query, period: periodOf(query.period) };
  };

  router.get('/dashboard', requireSignIn, async (req, res) => {
    const { user, t, query, period } = dashboardRequest(req, res);
    const data = period ? await dashboardData(deps.db, user, query, period) : null;
    sendPage(res, period ? 200 : 400, t('dashboard'), <Dashboard t={t} user={user} query={query} data={data} error={period ? null : t('badPeriod')} />);
  });

  router.get('/dashboard.xlsx', requireSignIn, async (req, res) => {
    const { user, query, period } = dashboardRequest(req, res);
    if (!period) throw new Problem(400, 'Invalid request', 'The period must be a quarter (2017Q1) or a date (2017-04-30).', [{ field: 'period', reason: 'must be a quarter or a date' }]);
    const workbook = await dashboardWorkbook(await dashboardData(deps.db, user, query, period));
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .set('Content-Disposition', `attachment; filename="luodi-${query.period}.xlsx"; filename*=UTF-8''${encodeURIComponent(workbookName(query, user))}`)
      .send(workbook);
  });

  /** 督办单 for a task that has reached rung 2 or above; Chinese whatever the page's language. */
  router.get('/notices/:code/:taskKey/:rung', requireSignIn, async (req, res) => {
    const { code, taskKey, rung } = parse(noticeParams, req.params, 'path');
    const { user } = viewerOf(res);
    const state = await deps.client.workflow.getHandle(code).query(getState);
    authorize(user, 'project.read', { city: state.city });
    const task = state.tasks.find((x) => x.key === taskKey);
    if (!task || rung < 2 || rung > task.rung) throw notFound(`supervision notice ${code}/${taskKey}/${rung}`);
    const zh = translator('zh');
    sendPage(res, 200, zh('notice.pageTitle', { code }), <Notice t={zh} state={state} task={task} rung={rung} nowMs={Date.now()} />);
  });
}

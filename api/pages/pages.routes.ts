import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import { projectEscalations } from '../../db/escalations.js';
import { inAppNotifications, markNotificationRead } from '../../db/notifications.js';
import { departmentInbox, listProjects } from '../../db/projects.js';
import { CITIES, type City, type Stage } from '../../workflows/reference.js';
import { completeTask, getState } from '../../workflows/messages.js';
import { type TaskState } from '../../workflows/state.js';
import type { Department } from '../../workflows/reference.js';
import type { Logger } from '../../config/logger.js';
import { unprojectedFailures } from '../../db/write-failures.js';
import { notFound, projectLinks, queryProject, updateProject, type RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { Problem, toProblem } from '../problem.js';
import { DASHBOARD_SCRIPT, DASHBOARD_SCRIPT_PATH, dashboardData, dashboardWorkbook, periodOf, renderDashboard, type DashboardQuery } from './dashboard.js';
import { fundsFlash, registerFundsPages, renderFundsSection } from './funds-pages.js';
import { PRINT_SCRIPT, PRINT_SCRIPT_PATH, renderNotice } from './notice.js';
import { h, layout, type Html } from './html.js';
import { departmentName, formatTime, label, stageName, statusName, stuckReasonName, t, type TextKey } from './i18n.js';
import { checkCsrf, langOf, pageSession, pageUser, requireSignIn } from './session.js';
import { registerSignInPages } from './signin-pages.js';
import { cspNonce } from '../security-headers.js';
import type { SignInGuard } from '../signin-limits.js';
import { formatMinor } from '../../workflows/money.js';
import { FIELD_FORM_SCRIPT, FIELD_FORM_SCRIPT_PATH, fieldRefusal, formActing, formToData, renderTaskForm, type FormState } from './task-form.js';

const require = createRequire(import.meta.url);

/** Server-rendered pages for people: zh-CN by default, English by switch, usable on a phone. */
export function createPagesRouter(deps: RouteDeps & { log: Logger; signInGuard: SignInGuard }): Router {
  const router = Router();
  // Static assets need no session: served before the session is looked up. The pages' own
  // scripts are files too, so that the Content-Security-Policy runs no inline script.
  for (const [path, script] of [[FIELD_FORM_SCRIPT_PATH, FIELD_FORM_SCRIPT], [DASHBOARD_SCRIPT_PATH, DASHBOARD_SCRIPT], [PRINT_SCRIPT_PATH, PRINT_SCRIPT]] as const) {
    router.get(path, (_req, res) => {
      res.type('text/javascript').set('Cache-Control', 'public, max-age=300').send(script);
    });
  }
  router.use('/assets', express.static(dirname(require.resolve('echarts/dist/echarts.min.js')), { index: false, maxAge: '1d' }));
  router.use(pageSession(deps.db));
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));

  const page = (res: Response, status: number, title: string, body: Html, path?: string) => {
    const lang = langOf(res);
    res.status(status).type('html').send(layout({ lang, title, nonce: cspNonce(res), user: pageUser(res), csrfToken: (res.locals.csrfToken as string) ?? null, unread: (res.locals.unread as number) ?? 0, path: path ?? res.req.originalUrl.replace(/[?&]lang=\w+/, ''), body }));
  };

  router.get('/', (_req, res) => {
    const user = pageUser(res);
    if (!user) return res.redirect(303, '/signin');
    res.redirect(303, user.role === 'staff' ? '/inbox' : user.role === 'verifier' ? '/funds' : user.role === 'supervisor' || user.role === 'coordinator' ? '/stuck' : '/api/docs');
  });

  registerSignInPages(router, deps, page);

  router.get('/inbox', requireSignIn, async (_req, res) => {
    const user = pageUser(res)!;
    const lang = langOf(res);
    authorize(user, 'inbox.read');
    const { items } = await departmentInbox(deps.db, { department: user.department!, city: user.city, limit: 200, offset: 0 });
    const cards = items.map(
      (task) => h`<article class="card${task.rung > 0 ? ' overdue' : ''}" data-task="${task.project_code}/${task.task_key}">
        <div><strong>${lang === 'zh' ? task.title_zh : task.title_en}</strong> ${task.rung > 0 ? h`<span class="badge red">${t(lang, 'overdue')} · ${t(lang, 'rung')} ${task.rung}</span>` : ''}</div>
        <div class="muted">${task.name} · ${task.project_code} · ${task.city}</div>
        <div class="muted">${t(lang, 'due')}: ${formatTime(lang, task.due_at?.toISOString())}</div>
        <a href="/projects/${encodeURIComponent(task.project_code)}/tasks/${task.task_key}">${t(lang, 'open')} →</a>
      </article>`,
    );
    page(res, 200, t(langOf(res), 'inbox'), h`<h1>${t(lang, 'inbox')} · ${departmentName(lang, user.department!)}</h1>${items.length ? cards : h`<p class="card">${t(lang, 'noTasks')}</p>`}`);
  });

  router.get('/projects/:code/tasks/:taskKey', requireSignIn, async (req, res) => {
    const { code, taskKey } = req.params as { code: string; taskKey: string };
    const state = await deps.client.workflow.getHandle(code).query(getState);
    const task = state.tasks.find((x) => x.key === taskKey);
    if (!task) return notFoundPage(res);
    authorize(pageUser(res)!, 'task.complete', { city: state.city, department: task.department });
    taskPage(res, 200, state.name, code, task, { values: {}, errors: {} }, randomUUID());
  });

  function taskPage(res: Response, status: number, projectName: string, code: string, task: TaskState, form: FormState, requestToken: string) {
    const lang = langOf(res);
    const action = `/projects/${encodeURIComponent(code)}/tasks/${task.key}`;
    const body =
      task.status === 'open'
        ? renderTaskForm(lang, task, action, res.locals.csrfToken as string, requestToken, form)
        : h`<p class="card">${statusName(lang, task.status)}</p>`;
    page(
      res,
      status,
      label(lang, task.title),
      h`<h1>${label(lang, task.title)}</h1>
      <p class="muted"><a href="/projects/${encodeURIComponent(code)}">${projectName} · ${code}</a> · ${departmentName(lang, task.department)} · ${t(lang, 'due')}: ${formatTime(lang, task.dueAt)}</p>
      ${body}`,
    );
  }

  async function loadTask(code: string, taskKey: string) {
    const state = await deps.client.workflow.getHandle(code).query(getState);
    const task = state.tasks.find((x) => x.key === taskKey);
    if (!task) throw notFound(`task ${taskKey} in project ${code}`);
    return { task, projectName: state.name };
  }

  router.post('/projects/:code/tasks/:taskKey', requireSignIn, checkCsrf, async (req, res) => {
    const { code, taskKey } = req.params as { code: string; taskKey: string };
    const user = pageUser(res)!;
    const form = req.body as Record<string, string>;
    const { task, projectName } = await loadTask(code, taskKey);
    const acting = formActing(user, form);
    try {
      const data = formToData(task.fields, form);
      await updateProject(deps, acting, { code, action: 'task.complete' }, completeTask, (actor, requestId) => ({ requestId, taskKey, actor, data }));
    } catch (err) {
      return taskPage(res, 400, projectName, code, task, { values: form, errors: fieldRefusal(langOf(res), task.fields, err) }, acting.requestToken);
    }
    res.redirect(303, `/projects/${encodeURIComponent(code)}?done=${encodeURIComponent(taskKey)}`);
  });

  router.get('/projects/:code', requireSignIn, async (req, res) => {
    const code = req.params.code as string;
    const lang = langOf(res);
    const state = await queryProject(deps, code);
    authorize(pageUser(res)!, 'project.read', { city: state.city });
    const escalations = await projectEscalations(deps.db, code);
    const done = state.tasks.find((x) => x.key === req.query.done);
    const value = (v: unknown) => {
      const money = v as { amountMinor?: unknown; currency?: unknown } | null;
      return typeof money === 'object' && money && typeof money.amountMinor === 'string' ? `${formatMinor(BigInt(money.amountMinor))} ${String(money.currency)}` : String(v);
    };
    page(
      res,
      200,
      state.name,
      h`${done ? h`<div class="flash" role="status">${t(lang, 'taskDone')}: ${label(lang, done.title)}</div>` : ''}${fundsFlash(lang, req.query.funds)}
      <h1>${state.name} <span class="muted">${state.code}</span></h1>
      <div class="card">
        <div>${t(lang, 'stage')}: <strong>${stageName(lang, state.stage)}</strong> · ${t(lang, 'city')}: ${state.city} · ${t(lang, 'liaison')}: ${state.liaison ?? '—'}</div>
        ${state.stuck.stuck ? h`<div><span class="badge red">${t(lang, 'stuck')}</span> ${state.stuck.reasons.map((r) => stuckReasonName(lang, r)).join(', ')} · ${t(lang, 'since')} ${formatTime(lang, state.stuck.since)}</div>` : ''}
        <div><a href="${projectLinks(deps, code).temporalUi}" target="_blank" rel="noopener">${t(lang, 'temporalUi')} ↗</a></div>
      </div>
      <h2>${t(lang, 'timeline')}</h2>
      <ol class="card">${state.transitions.map((x) => h`<li>${formatTime(lang, x.at)} · ${stageName(lang, x.to)} · ${x.actor}${x.reason ? h` · ${x.reason}` : ''}</li>`)}</ol>
      <h2>${t(lang, 'tasks')}</h2>
      <table><thead><tr><th>${t(lang, 'tasks')}</th><th>${t(lang, 'department')}</th><th>${t(lang, 'status')}</th><th>${t(lang, 'due')}</th></tr></thead><tbody>
      ${state.tasks.map(
        (x) => h`<tr data-task="${x.key}"><td>${label(lang, x.title)}${x.data ? h`<div class="muted">${Object.entries(x.data).map(([k, v]) => h`${x.fields.find((f) => f.key === k) ? label(lang, x.fields.find((f) => f.key === k)!.label) : k}: ${value(v)}; `)}</div>` : ''}</td>
        <td data-label="${t(lang, 'department')}">${departmentName(lang, x.department as Department)}</td><td data-label="${t(lang, 'status')}">${statusName(lang, x.status)}${x.rung > 0 && x.status === 'open' ? h` <span class="badge red">${t(lang, 'rung')} ${x.rung}</span>` : ''}${x.completedBy ? h`<div class="muted">${t(lang, 'by')} ${x.completedBy}</div>` : ''}</td><td data-label="${t(lang, 'due')}">${formatTime(lang, x.dueAt)}</td></tr>`,
      )}
      </tbody></table>
      ${renderFundsSection(lang, pageUser(res)!, state, res.locals.csrfToken as string)}
      <h2>${t(lang, 'blockers')}</h2>
      ${state.blockers.length ? state.blockers.map((b) => h`<div class="card">[${b.category}] ${b.description} <span class="muted">${b.reportedBy} · ${formatTime(lang, b.reportedAt)}</span>${b.resolvedAt ? h` · <span class="badge">${t(lang, 'resolved')}</span> ${b.resolution}` : ''}</div>`) : h`<p class="muted">—</p>`}
      <h2>${t(lang, 'escalations')}</h2>
      ${escalations.length ? h`<ul class="card">${escalations.map((e) => h`<li>${formatTime(lang, e.escalated_at.toISOString())} · ${e.task_key} · ${departmentName(lang, e.department as Department)} · ${t(lang, 'rung')} ${e.rung}</li>`)}</ul>` : h`<p class="muted">—</p>`}`,
    );
  });


  /** The supervisors' dashboard; `period` is a quarter or a date (year to date), by default this year to date. */
  const dashboardQuery = (req: express.Request, res: Response) => {
    const user = pageUser(res)!;
    authorize(user, 'statistics.read');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const city = (CITIES as readonly string[]).includes(String(req.query.city)) ? (req.query.city as City) : null;
    const q: DashboardQuery = { period: typeof req.query.period === 'string' && req.query.period ? req.query.period : today, city };
    return { user, q, period: periodOf(q.period) };
  };

  router.get('/dashboard', requireSignIn, async (req, res) => {
    const { user, q, period } = dashboardQuery(req, res);
    const lang = langOf(res);
    const data = period ? await dashboardData(deps.db, user, q, period) : null;
    const error = period ? null : lang === 'zh' ? '统计期间应为季度（如 2017Q1）或日期（如 2017-04-30）' : 'The period must be a quarter (2017Q1) or a date (2017-04-30)';
    page(res, period ? 200 : 400, lang === 'zh' ? '调度看板' : 'Dashboard', renderDashboard(lang, user, q, data, error));
  });

  router.get('/dashboard.xlsx', requireSignIn, async (req, res) => {
    const { user, q, period } = dashboardQuery(req, res);
    if (!period) throw new Problem(400, 'Invalid request', 'The period must be a quarter (2017Q1) or a date (2017-04-30).', [{ field: 'period', reason: 'must be a quarter or a date' }]);
    const workbook = await dashboardWorkbook(await dashboardData(deps.db, user, q, period), langOf(res));
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .set('Content-Disposition', `attachment; filename="luodi-${q.period}.xlsx"; filename*=UTF-8''${encodeURIComponent(`落地调度-${q.city ?? user.city ?? '全省'}-${q.period}.xlsx`)}`)
      .send(workbook);
  });

  /** 督办单 for a task that has reached rung 2 or above. */
  router.get('/notices/:code/:taskKey/:rung', requireSignIn, async (req, res) => {
    const { code, taskKey } = req.params as { code: string; taskKey: string };
    const rung = Number(req.params.rung);
    const state = await deps.client.workflow.getHandle(code).query(getState);
    authorize(pageUser(res)!, 'project.read', { city: state.city });
    const task = state.tasks.find((x) => x.key === taskKey);
    if (!task || !Number.isInteger(rung) || rung < 2 || rung > task.rung) throw notFound(`supervision notice ${code}/${taskKey}/${req.params.rung}`);
    page(res, 200, `督办单 ${code}`, renderNotice(state, task, rung, Date.now()));
  });

  /** The signed-in user's in-app notifications; each is marked read from here. */
  router.get('/notifications', requireSignIn, async (_req, res) => {
    const user = pageUser(res)!;
    const lang = langOf(res);
    const items = await inAppNotifications(deps.db, user.id);
    page(
      res,
      200,
      lang === 'zh' ? '通知' : 'Notifications',
      h`<h1>${lang === 'zh' ? '通知' : 'Notifications'}</h1>
      ${items.length
        ? items.map(
            (n) => h`<article class="card${n.read_at ? '' : ' overdue'}" data-notification="${n.id}">
              <strong>${n.subject}</strong> ${n.read_at ? '' : h`<span class="badge red">${lang === 'zh' ? '未读' : 'unread'}</span>`}
              <div class="muted">${formatTime(lang, n.created_at.toISOString())}</div>
              <pre style="white-space:pre-wrap;font:inherit">${n.body}</pre>
              <a href="${n.link}">${lang === 'zh' ? '打开' : 'Open'} →</a>
              ${n.read_at ? '' : h`<form method="post" action="/notifications/${n.id}/read" style="display:inline"><input type="hidden" name="_csrf" value="${res.locals.csrfToken as string}"><button type="submit" class="link">${lang === 'zh' ? '标为已读' : 'Mark read'}</button></form>`}
            </article>`,
          )
        : h`<p class="card">${lang === 'zh' ? '没有通知' : 'No notifications'}</p>`}`,
    );
  });

  router.post('/notifications/:id/read', requireSignIn, checkCsrf, async (req, res) => {
    const id = String(req.params.id);
    if (/^\d{1,18}$/.test(id)) {
      await markNotificationRead(deps.db, pageUser(res)!.id, id);
    }
    res.redirect(303, '/notifications');
  });

  registerFundsPages(router, deps, page);

  router.get('/stuck', requireSignIn, async (_req, res) => {
    const user = pageUser(res)!;
    const lang = langOf(res);
    authorize(user, 'stuck.read');
    const { items } = await listProjects(deps.db, { stuck: true, city: user.city ?? undefined, limit: 200, offset: 0 });
    // Stuck (system) before their first row could be written: known only by their failures.
    const unprojected = await unprojectedFailures(deps.db, user.city);
    page(
      res,
      200,
      t(langOf(res), 'stuck'),
      h`<h1>${t(lang, 'stuck')}${user.city ? ` · ${user.city}` : ''}</h1>
      ${items.length
        ? h`<table><thead><tr><th>${t(lang, 'project')}</th><th>${t(lang, 'city')}</th><th>${t(lang, 'stage')}</th><th>${t(lang, 'reasons')}</th><th>${t(lang, 'since')}</th><th></th></tr></thead><tbody>
          ${items.map(
            (p) => h`<tr data-project="${p.code}"><td><a href="/projects/${encodeURIComponent(p.code)}">${p.name}</a><div class="muted">${p.code}</div></td><td data-label="${t(lang, 'city')}">${p.city}</td><td data-label="${t(lang, 'stage')}">${stageName(lang, p.stage as Stage)}</td>
            <td data-label="${t(lang, 'reasons')}">${p.stuck_reasons.map((r) => stuckReasonName(lang, r)).join(', ')}${p.escalation_rung > 0 ? h` <span class="badge red">${t(lang, 'rung')} ${p.escalation_rung}</span>` : ''}</td>
            <td data-label="${t(lang, 'since')}">${formatTime(lang, p.stuck_since?.toISOString())}</td><td><a href="${projectLinks(deps, p.code).temporalUi}" target="_blank" rel="noopener">Temporal ↗</a></td></tr>`,
          )}</tbody></table>`
        : h`<p class="card">${t(lang, 'noStuck')}</p>`}
      ${unprojected.map(
        (f) => h`<div class="card" data-unprojected="${f.project_code}"><strong>${f.project_code}</strong> · ${f.city} · <span class="badge red">${stuckReasonName(lang, 'system')}</span>
          <div class="muted">${f.activity}: ${f.message} · ${formatTime(lang, f.failed_at.toISOString())}</div>
          <a href="${projectLinks(deps, f.project_code).temporalUi}" target="_blank" rel="noopener">Temporal ↗</a></div>`,
      )}`,
    );
  });

  function notFoundPage(res: Response) {
    page(res, 404, t(langOf(res), 'notFound'), h`<h1>${t(langOf(res), 'notFound')}</h1>`);
  }

  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    const problem = toProblem(err);
    if (!problem) deps.log.error({ err }, 'page failed');
    const status = problem?.status ?? 500;
    const key: TextKey = status === 403 ? 'forbidden' : status === 404 ? 'notFound' : 'error';
    page(res, status, t(langOf(res), key), h`<h1>${t(langOf(res), key)}</h1><p class="card">${problem?.detail ?? ''}</p>`);
  };
  router.use(errors);
  return router;
}


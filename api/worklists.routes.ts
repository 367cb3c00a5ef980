import { Router } from 'express';
import { z } from 'zod';
import { departmentInbox, listProjects } from '../db/projects.js';
import { unprojectedFailures } from '../db/write-failures.js';
import { currentUser } from './auth.js';
import { parse, projectLinks, projectPath, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { projectView } from './projects.routes.js';

const page = z.strictObject({
  limit: z.coerce.number('must be a number').int('must be a whole number').min(1).max(200).default(50),
  offset: z.coerce.number('must be a number').int('must be a whole number').min(0).default(0),
});

/** The department inbox and the supervisors' stuck list. */
export function createWorklistsRouter(deps: RouteDeps): Router {
  const router = Router();

  router.get('/inbox', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'inbox.read');
    const { limit, offset } = parse(page, req.query, 'query');
    const { items, total } = await departmentInbox(deps.db, { department: user.department!, city: user.city, limit, offset });
    res.json({
      items: items.map((t) => ({
        projectCode: t.project_code,
        projectName: t.name,
        projectStage: t.stage,
        liaison: t.liaison,
        taskKey: t.task_key,
        department: t.department,
        city: t.city,
        title: { zh: t.title_zh, en: t.title_en },
        openedAt: t.opened_at?.toISOString() ?? null,
        dueAt: t.due_at?.toISOString() ?? null,
        rung: t.rung,
        overdue: t.rung > 0,
        links: { project: projectPath(t.project_code), complete: `/api/projects/${encodeURIComponent(t.project_code)}/tasks/${t.task_key}/complete` },
      })),
      total,
      limit,
      offset,
    });
  });

  router.get('/stuck', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'stuck.read');
    const { limit, offset } = parse(page, req.query, 'query');
    const { items, total } = await listProjects(deps.db, { stuck: true, city: user.city ?? undefined, limit, offset });
    // Projects stuck (system) before their first row could be written: not in the list above.
    const unprojected = (await unprojectedFailures(deps.db, user.city)).map((f) => ({
      code: f.project_code,
      city: f.city,
      stuckReasons: ['system'],
      failure: { activity: f.activity, message: f.message, at: f.failed_at.toISOString() },
      links: projectLinks(deps, user, f.project_code),
    }));
    res.json({ items: items.map((p) => projectView(p, projectLinks(deps, user, p.code))), total, limit, offset, unprojected });
  });

  return router;
}

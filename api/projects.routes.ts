import { Router } from 'express';
import { listProjects } from '../db/projects.js';
import type { Project } from '../db/schema.js';
import { type City } from '../workflows/reference.js';
import { currentUser } from './auth.js';
import { codeOf, parse, projectLinks, queryProject, stateView, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { Problem } from './problem.js';
import { createProjectBody, listProjectsQuery } from './schemas.js';
import { registerProject } from './start-project.js';

export function createProjectsRouter(deps: RouteDeps): Router {
  const router = Router();
  const { db } = deps;

  router.post('/', async (req, res) => {
    const user = currentUser(res);
    const { input, firstExecutionRunId } = await registerProject(deps, user, parse(createProjectBody, req.body, 'body'));
    const links = projectLinks(deps, user, input.code);
    res.status(201).location(links.self).json({ code: input.code, runId: firstExecutionRunId, stage: input.stage, links });
  });

  router.get('/', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'project.read');
    const query = parse(listProjectsQuery, req.query, 'query');
    // A city's users see their city only.
    if (user.city && query.city && query.city !== user.city) {
      throw new Problem(403, 'Forbidden', `${user.id} sees projects in ${user.city} only.`);
    }
    const { items, total } = await listProjects(db, { ...query, city: user.city ?? query.city });
    res.json({ items: items.map((p) => projectView(p, projectLinks(deps, user, p.code))), total, limit: query.limit, offset: query.offset });
  });

  router.get('/:code', async (req, res) => {
    const code = codeOf(req);
    const state = await queryProject(deps, code);
    const user = currentUser(res);
    authorize(user, 'project.read', { city: state.city });
    res.json({ ...stateView(state), links: projectLinks(deps, user, code) });
  });

  return router;
}

/** A project as the lists show it, with its links, built as one literal: spreading it into another cost more than building it. */
export function projectView<L>(p: Project, links: L) {
  return {
    code: p.code,
    name: p.name,
    codename: p.codename,
    city: p.city as City,
    investor: p.investor,
    capitalType: p.capital_type,
    outOfProvince: p.out_of_province,
    stage: p.stage,
    projectType: p.project_type,
    liaison: p.liaison,
    stuck: p.stuck,
    stuckReasons: p.stuck_reasons,
    stuckSince: p.stuck_since?.toISOString() ?? null,
    overdueTasks: p.overdue_tasks,
    escalationRung: p.escalation_rung,
    contracted: p.contracted_minor === null ? null : { amountMinor: p.contracted_minor, currency: p.contracted_currency },
    signingEvent: p.signing_event,
    signedOn: p.signed_on,
    version: p.version,
    startedAt: p.started_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
    links,
  };
}

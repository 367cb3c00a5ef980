import { Router } from 'express';
import { completeTask, reassignLiaison, reportBlocker, reproject, resolveBlocker, withdraw } from '../workflows/messages.js';
import { actingOf, codeOf, parse, stateView, updateProject, type RouteDeps } from './http.js';
import { blockerParams, completeTaskBody, reassignLiaisonBody, reportBlockerBody, resolveBlockerBody, taskParams, withdrawBody } from './schemas.js';

/** What users do to a project; each is one workflow update, authorized first. */
export function createProjectActionsRouter(deps: RouteDeps): Router {
  const router = Router();

  router.post('/:code/tasks/:taskKey/complete', async (req, res) => {
    const { code, taskKey } = parse(taskParams, req.params, 'path');
    const { data } = parse(completeTaskBody, req.body, 'body');
    res.json(await updateProject(deps, actingOf(res), { code, action: 'task.complete' }, completeTask, (actor, requestId) => ({ requestId, taskKey, actor, data })));
  });

  router.post('/:code/blockers', async (req, res) => {
    const code = codeOf(req);
    const body = parse(reportBlockerBody, req.body, 'body');
    res.status(201).json(await updateProject(deps, actingOf(res), { code, action: 'blocker.report' }, reportBlocker, (actor, requestId) => ({ requestId, ...body, actor })));
  });

  router.post('/:code/blockers/:blockerId/resolve', async (req, res) => {
    const { code, blockerId } = parse(blockerParams, req.params, 'path');
    const { resolution } = parse(resolveBlockerBody, req.body, 'body');
    res.json(await updateProject(deps, actingOf(res), { code, action: 'blocker.resolve' }, resolveBlocker, (actor, requestId) => ({ requestId, blockerId, resolution, actor })));
  });

  router.post('/:code/liaison', async (req, res) => {
    const code = codeOf(req);
    const body = parse(reassignLiaisonBody, req.body, 'body');
    res.json(stateView(await updateProject(deps, actingOf(res), { code, action: 'project.liaison' }, reassignLiaison, (actor, requestId) => ({ requestId, ...body, actor }))));
  });

  router.post('/:code/withdraw', async (req, res) => {
    const code = codeOf(req);
    const { reason } = parse(withdrawBody, req.body, 'body');
    res.json(stateView(await updateProject(deps, actingOf(res), { code, action: 'project.withdraw' }, withdraw, (actor, requestId) => ({ requestId, reason, actor }))));
  });

  // After a write failed for good (stuck: system) and its cause is fixed: the failed writes again, then the whole projection.
  router.post('/:code/reproject', async (req, res) => {
    const code = codeOf(req);
    res.json(await updateProject(deps, actingOf(res), { code, action: 'project.reproject' }, reproject, (actor, requestId) => ({ requestId, actor })));
  });

  return router;
}

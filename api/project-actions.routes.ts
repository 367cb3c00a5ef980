import { Router } from 'express';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import * as messages from '../workflows/messages.js';
import type { Actor } from '../workflows/messages.js';
import { actingOf, codeParams, parse, projectLinks, queryProject, stateView, updateProject, type RouteDeps } from './http.js';
import type { User } from '../db/users.js';
import { checkMergeTarget } from './merge-target.js';
import { authorize, type Action } from './policy.js';
import * as schemas from './schemas.js';

/** One user action on a project: its path, what it parses, who may do it, and the workflow update it sends. */
interface ProjectAction<P extends { code: string }, B, I, R> {
  path: string;
  params: z.ZodType<P>;
  body: z.ZodType<B> | null;
  action: Action;
  update: UpdateDefinition<R, [I]>;
  /** The update's input, less the acting user and the request id the API adds. */
  input(params: P, body: B): Omit<I, 'actor' | 'requestId'>;
  created?: boolean;
  /** What the API checks before the update that the workflow cannot (after the user's role). */
  check?(deps: RouteDeps, user: User, params: P, body: B): Promise<unknown>;
  /** What the answer shows instead of the update's result. */
  view?(result: R, deps: RouteDeps, code: string, viewer: User): unknown;
}

const projectAction = <P extends { code: string }, B, I, R>(a: ProjectAction<P, B, I, R>) => a;
/** The whole project, by query: an update that changes the project answers only where it stands. */
const wholeProject = async (_summary: unknown, deps: RouteDeps, code: string) => stateView(await queryProject(deps, code));
const withLinks = async (summary: unknown, deps: RouteDeps, code: string, viewer: User) => ({ ...(await wholeProject(summary, deps, code)), links: projectLinks(deps, viewer, code) });

/** Everything users do to a project, each one workflow update after its role is checked. */
const ACTIONS = [
  projectAction({ path: '/:code/stage', params: codeParams, body: schemas.advanceStageBody, action: 'project.advance', update: messages.advanceStage, input: (_p, b) => b, view: withLinks }),
  projectAction({ path: '/:code/tasks/:taskKey/complete', params: schemas.taskParams, body: schemas.completeTaskBody, action: 'task.complete', update: messages.completeTask, input: ({ taskKey }, { data }) => ({ taskKey, data }) }),
  projectAction({ path: '/:code/blockers', params: codeParams, body: schemas.reportBlockerBody, action: 'blocker.report', update: messages.reportBlocker, input: (_p, b) => b, created: true }),
  projectAction({ path: '/:code/blockers/:blockerId/resolve', params: schemas.blockerParams, body: schemas.resolveBlockerBody, action: 'blocker.resolve', update: messages.resolveBlocker, input: ({ blockerId }, b) => ({ blockerId, ...b }) }),
  projectAction({ path: '/:code/liaison', params: codeParams, body: schemas.reassignLiaisonBody, action: 'project.liaison', update: messages.reassignLiaison, input: (_p, b) => b, view: wholeProject }),
  projectAction({ path: '/:code/withdraw', params: codeParams, body: schemas.withdrawBody, action: 'project.withdraw', update: messages.withdraw, input: (_p, b) => b, view: wholeProject }),
  // A duplicate (e.g. signed twice at one summit) is merged into the project it duplicates, and leaves every figure.
  projectAction({ path: '/:code/merge', params: codeParams, body: schemas.mergeBody, action: 'project.merge', update: messages.markMerged, input: (_p, b) => b, view: wholeProject, check: (deps, user, { code }, { into }) => checkMergeTarget(deps, user, code, into) }),
  // After a write failed for good (stuck: system) and its cause is fixed: the failed writes again, then the whole projection.
  projectAction({ path: '/:code/reproject', params: codeParams, body: null, action: 'project.reproject', update: messages.reproject, input: () => ({}) }),
  // The funds ledger (实际到位资金): coordinators record, reverse and void; verifiers verify (four-eyes).
  projectAction({ path: '/:code/funds', params: codeParams, body: schemas.recordFundsBody, action: 'funds.record', update: messages.recordFunds, input: (_p, b) => b, created: true }),
  projectAction({ path: '/:code/funds/:entryId/verify', params: schemas.fundsEntryParams, body: null, action: 'funds.verify', update: messages.verifyFunds, input: ({ entryId }) => ({ entryId }) }),
  // An unverified entry made by mistake is voided (作废), with a reason; a verified one is reversed instead.
  projectAction({ path: '/:code/funds/:entryId/void', params: schemas.fundsEntryParams, body: schemas.voidFundsBody, action: 'funds.void', update: messages.voidFunds, input: ({ entryId }, b) => ({ entryId, ...b }) }),
  projectAction({ path: '/:code/funds/:entryId/reverse', params: schemas.fundsEntryParams, body: schemas.reverseFundsBody, action: 'funds.reverse', update: messages.reverseFunds, input: ({ entryId }, b) => ({ entryId, ...b }), created: true }),
  projectAction({ path: '/:code/capital-increases', params: codeParams, body: schemas.increaseCapitalBody, action: 'funds.record', update: messages.increaseCapital, input: (_p, b) => b, created: true }),
];

export function createProjectActionsRouter(deps: RouteDeps): Router {
  const router = Router();
  for (const a of ACTIONS as ProjectAction<{ code: string }, unknown, unknown, unknown>[]) {
    router.post(a.path, async (req, res) => {
      const params = parse(a.params, req.params, 'path');
      const body = a.body ? parse(a.body, req.body, 'body') : undefined;
      const acting = actingOf(res);
      if (a.check) {
        authorize(acting.user, a.action);
        await a.check(deps, acting.user, params, body);
      }
      const result = await updateProject(deps, acting, { code: params.code, action: a.action }, a.update, (actor: Actor, requestId: string) => ({ ...a.input(params, body), actor, requestId }));
      res.status(a.created ? 201 : 200).json(a.view ? await a.view(result, deps, params.code, acting.user) : result);
    });
  }
  return router;
}

import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { KeyRing } from '../config/key-ring.js';
import type { Db } from '../db/connection.js';
import type { User } from '../db/users.js';
import type { UpdateDefinition } from '@temporalio/common';
import { getState, type Actor } from '../workflows/messages.js';
import { type City } from '../workflows/reference.js';
import { viewOf, type ProjectState } from '../workflows/state.js';
import { currentUser } from './auth.js';
import { authorize, mayOpenTemporal, type Action } from './policy.js';
import { fromZod, Problem, type Where } from './problem.js';
import { projectCode } from './schemas.js';
import { temporalUiWorkflowPath } from './temporal-ui-rules.js';
import { projectCity, wholeTexts } from '../db/projects.js';
import { isExcerpt } from '../workflows/project-state.js';

export interface RouteDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  /** The Temporal UI server's address (TEMPORAL_UI_URL): the upstream of luodi's /temporal/ (api/temporal-ui.tsx). */
  temporalUiUrl: string;
  /** Seals secrets kept in PostgreSQL (webhook signing secrets). */
  keyRing: KeyRing;
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, where);
  return result.data;
}

export const codeParams = z.object({ code: projectCode });

export function codeOf(req: Request): string {
  return parse(codeParams, req.params, 'path').code;
}

/**
 * A project's addresses in luodi: its API resource, and its workflow in the Temporal UI that luodi
 * serves, for a viewer who may open the UI (mayOpenTemporal); null for anyone else.
 */
export function projectLinks(deps: Pick<RouteDeps, 'client'>, viewer: User, code: string) {
  return {
    self: projectPath(code),
    temporalUi: temporalUiLinkFor(deps, viewer, code),
  };
}

/** A project's API resource. */
export function projectPath(code: string): string {
  return `/api/projects/${encodeURIComponent(code)}`;
}

/** The project's workflow in the Temporal UI, for a viewer who may open the UI (mayOpenTemporal); null for anyone else. */
export function temporalUiLinkFor(deps: Pick<RouteDeps, 'client'>, viewer: User, code: string): string | null {
  return mayOpenTemporal(viewer) ? temporalUiWorkflowPath(deps.client.options.namespace, code) : null;
}

export function actorOf(user: User): Actor {
  return { id: user.id, department: user.department, city: user.city };
}

/**
 * The workflow request id: from the Idempotency-Key (so that a retry through another API
 * instance is still applied once), or a fresh one.
 */
export function requestIdOf(res: Response, user: User): string {
  const key = res.locals.idempotencyKey as string | undefined;
  return key ? `${user.id}:${key}` : randomUUID();
}

/**
 * Where a project is, for reading it: from the projection, or from the workflow if the projection
 * has not caught up yet. (Updates need no such read: the workflow checks the city itself.)
 */
export async function projectCityOf(deps: RouteDeps, code: string): Promise<City> {
  return (await projectCity(deps.db, code)) ?? (await deps.client.workflow.getHandle(code).query(getState)).city;
}

export function notFound(what: string): Problem {
  return new Problem(404, 'Not found', `No ${what}.`);
}

/** Who acts, and the request id their update carries. */
export interface Acting {
  user: User;
  requestId: string;
}

export function actingOf(res: Response): Acting {
  const user = currentUser(res);
  return { user, requestId: requestIdOf(res, user) };
}

/**
 * One user action on a project, as a workflow update whose update id is the request id. The API
 * checks the user's role; the workflow checks the rest (the project's city, the task's department,
 * that the task or entry exists) and its refusals map to 403, 404 and 409.
 */
export async function updateProject<I, R>(
  deps: RouteDeps,
  { user, requestId }: Acting,
  target: { code: string; action: Action },
  update: UpdateDefinition<R, [I]>,
  input: (actor: Actor, requestId: string) => I,
): Promise<R> {
  authorize(user, target.action);
  return deps.client.workflow.getHandle(target.code).executeUpdate(update, { args: [input(actorOf(user), requestId)], updateId: requestId });
}

/**
 * A project's live state, by workflow query, with the long texts the state keeps as excerpts
 * (blocker descriptions and resolutions, reversal and void reasons) whole again from PostgreSQL.
 */
export async function queryProject(deps: Pick<RouteDeps, 'client' | 'db'>, code: string): Promise<ProjectState> {
  const state = await deps.client.workflow.getHandle(code).query(getState);
  const cut = (text: string | null | undefined) => isExcerpt(text);
  const whole = await wholeTexts(deps.db, code, {
    blockers: state.blockers.some((b) => cut(b.description) || cut(b.resolution)),
    tasks: state.tasks.some((t) => Object.values(t.data ?? {}).some((v) => typeof v === 'string' && cut(v))),
    funds: state.funds.some((e) => cut(e.reason) || cut(e.voidReason)),
  });
  for (const b of state.blockers) {
    const row = whole.blockers.get(b.id);
    if (row) Object.assign(b, { description: row.description, resolution: row.resolution ?? b.resolution });
  }
  for (const t of state.tasks) if (whole.tasks.get(t.key)) t.data = whole.tasks.get(t.key)!;
  for (const e of state.funds) {
    const row = whole.funds.get(e.id);
    if (row) Object.assign(e, { reason: row.reason ?? e.reason, voidReason: row.voidReason ?? e.voidReason ?? null });
  }
  return state;
}

/** A project's state as the API shows it: without the request ids the workflow keeps for itself. */
export const stateView = viewOf;

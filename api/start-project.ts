import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { displayName, type ProjectInput } from '../workflows/state.js';
import { PROJECT_WORKFLOW, whenReady, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { CAPITAL_TYPE_LABELS } from '../workflows/reference.js';
import { ProjectCityAttr, ProjectStageAttr } from '../workflows/search-attributes.js';
import type { z } from 'zod';
import { latestTemplate } from '../db/templates.js';
import type { User } from '../db/users.js';
import type { RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { Problem } from './problem.js';
import type { createProjectBody } from './schemas.js';

/**
 * A coordinator registers one project (POST /api/projects, the new-project page): in the user's
 * city, with a known task template; then its workflow starts, ready.
 */
export async function registerProject(deps: RouteDeps, user: User, body: z.output<typeof createProjectBody>): Promise<{ input: ProjectInput; firstExecutionRunId: string }> {
  authorize(user, 'project.create', { city: body.city });
  if (!(await latestTemplate(deps.db, body.projectType))) {
    throw new Problem(400, 'Invalid request', `There is no task template for project type ${body.projectType}.`, [
      { field: 'projectType', reason: 'no task template for this project type' },
    ]);
  }
  const input: ProjectInput = { ...body, actor: user.id };
  return { input, ...(await startProject(deps.client, deps.taskQueue, input)) };
}

/** How every project's workflow starts: ID = code, used once ever; its stage and city searchable; its title in the UI. */
function startOptions(taskQueue: string, input: ProjectInput) {
  return {
    workflowId: input.code,
    taskQueue,
    args: [input] as [ProjectInput],
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: ProjectStageAttr, value: input.stage },
      { key: ProjectCityAttr, value: input.city },
    ],
    staticSummary: summaryOf(input),
    staticDetails: detailsOf(input),
  };
}

/**
 * Starts a project's workflow (ID = code) and returns once it is ready: its start recorded and
 * its first tasks open, so that they can be completed at once (update-with-start, one round trip).
 * A code is used once, ever: a second start is refused even after the first has closed. A repeat
 * of the very same start (a retried request) finds the running project and answers as the first did.
 */
export async function startProject(client: Client, taskQueue: string, input: ProjectInput): Promise<{ firstExecutionRunId: string }> {
  const start = new WithStartWorkflowOperation<ProjectLandingWorkflow>(PROJECT_WORKFLOW, { ...startOptions(taskQueue, input), workflowIdConflictPolicy: 'USE_EXISTING' });
  const ready = await client.workflow.executeUpdateWithStart(whenReady, { startWorkflowOperation: start });
  if (!sameProject(ready.input, input)) throw new WorkflowExecutionAlreadyStartedError('Workflow execution already started', input.code, PROJECT_WORKFLOW);
  return { firstExecutionRunId: ready.firstExecutionRunId };
}

/**
 * Starts a project's workflow and returns once the server has recorded the start; its first
 * tasks open moments later (a summit import, which starts hundreds and lists them). A code in use,
 * even by the same project, is WorkflowExecutionAlreadyStartedError.
 */
export async function startProjectNow(client: Client, taskQueue: string, input: ProjectInput): Promise<void> {
  await client.workflow.start<ProjectLandingWorkflow>(PROJECT_WORKFLOW, startOptions(taskQueue, input));
}

/** The same start: every field the same, registered by the same person (a retried request). */
function sameProject(a: ProjectInput, b: ProjectInput): boolean {
  const canonical = (p: ProjectInput) => JSON.stringify(Object.entries(p).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

/** Shown as the workflow's title in the Temporal UI; never the real name of a confidential project. */
function summaryOf(p: ProjectInput): string {
  return `${displayName(p)} · ${p.city} · ${CAPITAL_TYPE_LABELS[p.capitalType].zh}${p.outOfProvince ? ' · 省外' : ''}`;
}

function detailsOf(p: ProjectInput): string {
  const lines = [`**${displayName(p)}** (${p.code})`, `City 城市: ${p.city}`, `Capital 资本: ${CAPITAL_TYPE_LABELS[p.capitalType].zh}`];
  // A confidential project's investor would identify it as surely as its name.
  if (!p.codename) lines.push(`Investor 投资方: ${p.investor}`);
  if (p.signingEvent) lines.push(`Signed at 签约活动: ${p.signingEvent}${p.signedOn ? ` (${p.signedOn})` : ''}`);
  return lines.join('\n\n');
}

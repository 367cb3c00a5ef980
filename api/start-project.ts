import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { displayName, type ProjectInput } from '../workflows/state.js';
import { PROJECT_WORKFLOW, whenReady, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { ProjectCityAttr, ProjectStageAttr } from '../workflows/search-attributes.js';

/**
 * Starts a project's workflow (ID = code) and returns once it is ready: its start recorded and
 * its first tasks open, so that they can be completed at once (update-with-start, one round trip).
 * A code is used once, ever: a second start is refused even after the first has closed. A repeat
 * of the very same start (a retried request) finds the running project and answers as the first did.
 */
export async function startProject(client: Client, taskQueue: string, input: ProjectInput): Promise<{ firstExecutionRunId: string }> {
  const start = new WithStartWorkflowOperation<ProjectLandingWorkflow>(PROJECT_WORKFLOW, {
    workflowId: input.code,
    taskQueue,
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: ProjectStageAttr, value: input.stage },
      { key: ProjectCityAttr, value: input.city },
    ],
    staticSummary: summaryOf(input),
    staticDetails: detailsOf(input),
  });
  const ready = await client.workflow.executeUpdateWithStart(whenReady, { startWorkflowOperation: start });
  if (!sameProject(ready.input, input)) throw new WorkflowExecutionAlreadyStartedError('Workflow execution already started', input.code, PROJECT_WORKFLOW);
  return { firstExecutionRunId: ready.firstExecutionRunId };
}

/** The same start: every field the same, registered by the same person (a retried request). */
function sameProject(a: ProjectInput, b: ProjectInput): boolean {
  const canonical = (p: ProjectInput) => JSON.stringify(Object.entries(p).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

const CAPITAL_LABEL = { domestic: '内资', foreign: '外资' } as const;

/** Shown as the workflow's title in the Temporal UI; never the real name of a confidential project. */
function summaryOf(p: ProjectInput): string {
  return `${displayName(p)} · ${p.city} · ${CAPITAL_LABEL[p.capitalType]}${p.outOfProvince ? ' · 省外' : ''}`;
}

function detailsOf(p: ProjectInput): string {
  const lines = [`**${displayName(p)}** (${p.code})`, `City 城市: ${p.city}`, `Capital 资本: ${CAPITAL_LABEL[p.capitalType]}`];
  // A confidential project's investor would identify it as surely as its name.
  if (!p.codename) lines.push(`Investor 投资方: ${p.investor}`);
  if (p.signingEvent) lines.push(`Signed at 签约活动: ${p.signingEvent}${p.signedOn ? ` (${p.signedOn})` : ''}`);
  return lines.join('\n\n');
}

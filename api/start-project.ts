import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  displayName,
  PROJECT_WORKFLOW,
  ProjectCityAttr,
  ProjectStageAttr,
  type ProjectInput,
  type ProjectLandingWorkflow,
} from '../workflows/contract.js';

/** Starts a project's workflow (ID = code). A code is used once, ever: a second start is refused even after the first has closed. */
export function startProject(client: Client, taskQueue: string, input: ProjectInput): Promise<WorkflowHandle<ProjectLandingWorkflow> & { firstExecutionRunId: string }> {
  return client.workflow.start<ProjectLandingWorkflow>(PROJECT_WORKFLOW, {
    workflowId: input.code,
    taskQueue,
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: [
      { key: ProjectStageAttr, value: input.stage },
      { key: ProjectCityAttr, value: input.city },
    ],
    staticSummary: summaryOf(input),
    staticDetails: detailsOf(input),
  });
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

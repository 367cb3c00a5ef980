import { WorkflowNotFoundError } from '@temporalio/common';
import type { User } from '../db/users.js';
import { getState } from '../workflows/messages.js';
import { isTerminal } from '../workflows/reference.js';
import type { ProjectState } from '../workflows/state.js';
import { projectCityOf, type RouteDeps } from './http.js';
import { authorize, inScope } from './policy.js';
import { Problem } from './problem.js';

/**
 * What only the API can check of a merge (重复项目合并): the project it duplicates is another
 * workflow. It must exist, be another project, still be open, and be in the user's city unless the
 * user is province-wide. Each refusal names the field `into`. The user's authority over the project
 * itself is checked first (as reads are), so that nobody learns of other projects through it; the
 * workflow checks the project again (open, in the user's city, not merged into itself).
 */
export async function checkMergeTarget(deps: RouteDeps, user: User, code: string, into: string): Promise<ProjectState> {
  const refuse = (status: number, title: string, reason: string): never => {
    throw new Problem(status, title, `${code} cannot be marked a duplicate of ${into}: that project ${reason}.`, [{ field: 'into', reason }]);
  };
  authorize(user, 'project.merge', { city: await projectCityOf(deps, code) });
  if (into === code) refuse(400, 'Invalid request', 'must be another project');
  let target: ProjectState | undefined;
  try {
    target = await deps.client.workflow.getHandle(into).query(getState);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (!target) return refuse(400, 'Invalid request', 'does not exist (no project has this code)');
  if (!inScope(user, target.city)) refuse(403, 'Forbidden', `is in ${target.city}; only province-wide users merge across cities`);
  if (isTerminal(target.stage)) refuse(409, 'Target closed', `is closed (${target.stage})`);
  return target;
}

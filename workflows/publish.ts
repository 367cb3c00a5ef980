/** What the Temporal UI shows of a project: search attributes and the current details. */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { displayName, type ProjectState } from './state.js';
import { EscalationRungAttr, OpenBlockersAttr, OverdueDepartmentsAttr, OverdueTasksAttr, ProjectCityAttr, ProjectLiaisonAttr, ProjectStageAttr, ProjectStuckAttr, ProjectTypeAttr, StuckReasonsAttr, StuckSinceAttr } from './search-attributes.js';
import { DEPARTMENT_LABELS, STAGE_LABELS, STUCK_REASON_LABELS } from './reference.js';
import { escalationRung, fundsProgress, openBlockers, overdueTasks } from './project-state.js';
import { formatMinor } from './money.js';

/**
 * Publishes the search attributes and the current details. Runs from before the patch
 * changed-search-attributes (`always`) upsert the attributes on every call, as they did; others
 * only when a value changed, so that an action that changes none of them adds no command and no
 * visibility write.
 */
export function publisher(always: boolean): (state: ProjectState) => void {
  let published: string | null = null;
  return (state) => {
    const attributes = searchAttributes(state);
    const values = JSON.stringify(attributes.map((a) => a.value));
    if (always || values !== published) upsertSearchAttributes(attributes);
    published = values;
    setCurrentDetails(details(state));
  };
}

function searchAttributes(state: ProjectState) {
  const overdue = overdueTasks(state);
  return [
    { key: ProjectStageAttr, value: state.stage },
    { key: ProjectCityAttr, value: state.city },
    { key: ProjectTypeAttr, value: state.projectType },
    { key: ProjectLiaisonAttr, value: state.liaison },
    { key: ProjectStuckAttr, value: state.stuck.stuck },
    { key: StuckReasonsAttr, value: state.stuck.reasons },
    { key: StuckSinceAttr, value: state.stuck.since ? new Date(state.stuck.since) : null },
    { key: OverdueTasksAttr, value: overdue.length },
    { key: OverdueDepartmentsAttr, value: [...new Set(overdue.map((t) => t.department))] },
    { key: EscalationRungAttr, value: escalationRung(state) },
    { key: OpenBlockersAttr, value: openBlockers(state).length },
  ] satisfies SearchAttributeUpdatePair[];
}


function details(state: ProjectState): string {
  const lines = [`**${displayName(state)}** · ${state.city} · Stage 阶段: **${STAGE_LABELS[state.stage].zh}** (${state.stage})`];
  lines.push(
    state.stuck.stuck
      ? `⚠️ **Stuck 卡住** since ${state.stuck.since}: ${state.stuck.reasons.map((r) => `${STUCK_REASON_LABELS[r].zh} ${STUCK_REASON_LABELS[r].en}`).join('; ')}`
      : 'Not stuck 正常推进',
  );
  if (state.liaison) lines.push(`Liaison 对接人: ${state.liaison}`);
  const open = state.tasks.filter((t) => t.status === 'open');
  if (open.length) {
    lines.push(
      [
        '| Task 任务 | Department 部门 | Due 期限 | Rung 督办级 |',
        '|---|---|---|---|',
        ...open.map((t) => `| ${t.title.zh} | ${DEPARTMENT_LABELS[t.department].zh} | ${t.dueAt ?? ''} | ${t.rung > 0 ? `**${t.rung}** overdue` : '—'} |`),
      ].join('\n'),
    );
  }
  const done = state.tasks.filter((t) => t.status === 'done').length;
  if (state.tasks.length) lines.push(`Milestones 里程碑: ${done} / ${state.tasks.length} done`);
  const funds = fundsLine(state);
  if (funds) lines.push(funds);
  for (const b of openBlockers(state)) lines.push(`Blocker 瓶颈 [${b.category}] ${b.description} (${b.reportedBy}, ${b.reportedAt})`);
  const failed = state.writeFailures[0];
  if (failed) lines.push(`System 系统: ${state.writeFailures.length} record(s) not written since ${failed.at} (${failed.call.activity}: ${failed.message}); an admin re-projects with npm run reproject -- ${state.code}${state.droppedWriteFailures ? ` (${state.droppedWriteFailures} more not kept)` : ''}`);
  const last = state.transitions[state.transitions.length - 1];
  if (last) lines.push(`Last stage change: ${last.from ?? '—'} → ${last.to} by ${last.actor} at ${last.at}`);
  return lines.join('\n\n');
}

/** Verified funds in place against the contracted amount, in yuan or dollars with two decimals. */
function fundsLine(state: ProjectState): string | null {
  if (!state.funds.length && !state.contracted) return null;
  const pending = state.funds.filter((e) => !e.verifiedAt && !e.voidedAt).length;
  const parts = fundsProgress(state).map(({ currency: c, verified, contracted, share }) => `${formatMinor(verified)} ${c}${share ? ` of ${formatMinor(contracted)} ${c} contracted (${share}%)` : ''}`);
  return `Funds in place 实际到位资金 (verified): ${parts.join('; ') || '—'}${pending ? ` · ${pending} entr${pending === 1 ? 'y' : 'ies'} awaiting verification` : ''}`;
}

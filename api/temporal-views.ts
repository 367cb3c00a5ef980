import { CITIES, type Label } from '../workflows/reference.js';
import { PROJECT_WORKFLOW } from '../workflows/messages.js';
import { EscalationRungAttr, ProjectCityAttr, ProjectStuckAttr } from '../workflows/search-attributes.js';
import { TEMPORAL_UI_PATH } from './temporal-ui-rules.js';

/**
 * A supervisor's views in the Temporal UI: its workflow list with the query already set, by
 * luodi's search attributes. The README lists the same views and the columns to add to them.
 */
export interface TemporalView {
  label: Label;
  query: string;
}

const RUNNING_PROJECTS = `WorkflowType = '${PROJECT_WORKFLOW}' AND ExecutionStatus = 'Running'`;

/** The escalation rung the supervisors' view starts at (the issue's example: rung ≥ 3). */
export const PROVINCE_RUNG = 3;

export function supervisorViews(): TemporalView[] {
  return [
    { label: { zh: '全部卡住的项目', en: 'Every stuck project' }, query: `${RUNNING_PROJECTS} AND ${ProjectStuckAttr.name} = true` },
    { label: { zh: `督办升至第 ${PROVINCE_RUNG} 级及以上`, en: `Escalated to rung ${PROVINCE_RUNG} or higher` }, query: `${RUNNING_PROJECTS} AND ${EscalationRungAttr.name} >= ${PROVINCE_RUNG}` },
    ...CITIES.map((city) => ({ label: { zh: `${city}卡住的项目`, en: `Stuck in ${city}` }, query: `${RUNNING_PROJECTS} AND ${ProjectStuckAttr.name} = true AND ${ProjectCityAttr.name} = '${city}'` })),
  ];
}

/** The Temporal UI's workflow list with the query set, relative to luodi. */
export function temporalUiListPath(namespace: string, query: string): string {
  return `${TEMPORAL_UI_PATH}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

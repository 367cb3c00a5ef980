/**
 * What supervisors filter on in the Temporal UI. Within PostgreSQL visibility's limits (10 Keyword,
 * 3 each of Bool, Datetime, Int, KeywordList); never a confidential name.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ProjectStageAttr = defineSearchAttributeKey('ProjectStage', SearchAttributeType.KEYWORD);
export const ProjectCityAttr = defineSearchAttributeKey('ProjectCity', SearchAttributeType.KEYWORD);
export const ProjectTypeAttr = defineSearchAttributeKey('ProjectType', SearchAttributeType.KEYWORD);
export const ProjectLiaisonAttr = defineSearchAttributeKey('ProjectLiaison', SearchAttributeType.KEYWORD);
export const ProjectStuckAttr = defineSearchAttributeKey('ProjectStuck', SearchAttributeType.BOOL);
export const StuckReasonsAttr = defineSearchAttributeKey('StuckReasons', SearchAttributeType.KEYWORD_LIST);
export const StuckSinceAttr = defineSearchAttributeKey('StuckSince', SearchAttributeType.DATETIME);
export const OverdueTasksAttr = defineSearchAttributeKey('OverdueTasks', SearchAttributeType.INT);
export const OverdueDepartmentsAttr = defineSearchAttributeKey('OverdueDepartments', SearchAttributeType.KEYWORD_LIST);
export const EscalationRungAttr = defineSearchAttributeKey('EscalationRung', SearchAttributeType.INT);
export const OpenBlockersAttr = defineSearchAttributeKey('OpenBlockers', SearchAttributeType.INT);

/** Registered on every Temporal server luodi uses (dev server flags, namespace set-up). */
export const SEARCH_ATTRIBUTES = [
  ProjectStageAttr,
  ProjectCityAttr,
  ProjectTypeAttr,
  ProjectLiaisonAttr,
  ProjectStuckAttr,
  StuckReasonsAttr,
  StuckSinceAttr,
  OverdueTasksAttr,
  OverdueDepartmentsAttr,
  EscalationRungAttr,
  OpenBlockersAttr,
] as const;

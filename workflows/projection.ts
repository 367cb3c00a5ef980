/**
 * What one change writes to PostgreSQL: the project's row, the task rows it changed (form data only
 * for the task just completed) and the blockers it touched — not the whole state. Pure, so that
 * the workflow computes it and the activity input stays small however long the project lives.
 */
import type { Blocker, ProjectEvent, ProjectState, TaskStatus } from './state.js';
import { escalationRung, overdueTasks } from './project-state.js';
import type { Currency } from './money.js';

export interface ProjectRow {
  code: string;
  name: string;
  codename: string | null;
  city: string;
  investor: string;
  capitalType: 'domestic' | 'foreign';
  outOfProvince: boolean;
  stage: string;
  version: number;
  startedAt: string;
  updatedAt: string;
  projectType: string | null;
  templateVersion: number | null;
  liaison: string | null;
  stuck: boolean;
  stuckReasons: string[];
  stuckSince: string | null;
  overdueTasks: number;
  escalationRung: number;
  lastProgressAt: string;
  contractedMinor: string | null;
  contractedCurrency: Currency | null;
  signingEvent: string | null;
  signedOn: string | null;
}

export interface TaskRow {
  key: string;
  department: string;
  titleZh: string;
  titleEn: string;
  status: TaskStatus;
  openedAt: string | null;
  dueAt: string | null;
  rung: number;
  completedAt: string | null;
  completedBy: string | null;
  /** Undefined: the row's stored data stays as it is. */
  data?: Record<string, unknown> | null;
  milestone: string | null;
}

export interface ProjectionChange {
  project: ProjectRow;
  tasks: TaskRow[];
  /** Full texts for a blocker just reported or resolved; on re-projection every blocker (texts kept as stored). */
  blockers: Blocker[];
}

export function projectionOf(state: ProjectState, event: ProjectEvent): ProjectionChange {
  const all = event.kind === 'projection.restored' || event.kind === 'project.registered';
  const completed = event.kind === 'task.completed' ? (event.data as { taskKey?: string }).taskKey : undefined;
  const touched = touchedTasks(event);
  return {
    project: projectRow(state),
    tasks: state.tasks
      .filter((t) => all || touched.has(t.key))
      .map((t) => ({
        key: t.key,
        department: t.department,
        titleZh: t.title.zh,
        titleEn: t.title.en,
        status: t.status,
        openedAt: t.openedAt,
        dueAt: t.dueAt,
        rung: t.rung,
        completedAt: t.completedAt,
        completedBy: t.completedBy,
        // Only the task just completed sends form data, whole from the event (the state keeps excerpts).
        ...(t.key === completed ? { data: (event.data as { data?: Record<string, unknown> }).data ?? t.data } : {}),
        milestone: t.milestone ?? null,
      })),
    blockers: event.kind === 'blocker.reported' || event.kind === 'blocker.resolved' ? [event.data as unknown as Blocker] : all ? state.blockers : [],
  };
}

/** The tasks an event changed: the one completed or escalated, those it opened, or all that a closing cancelled. */
function touchedTasks(event: ProjectEvent): Set<string> | { has(key: string): boolean } {
  const d = event.data as { taskKey?: string; opened?: string[]; to?: string };
  if (event.kind === 'stage.advanced' && (d.to === 'withdrawn' || d.to === 'merged')) return { has: () => true };
  return new Set([...(d.taskKey && (event.kind === 'task.completed' || event.kind === 'task.escalated') ? [d.taskKey] : []), ...(d.opened ?? [])]);
}

function projectRow(state: ProjectState): ProjectRow {
  return {
    code: state.code,
    name: state.name,
    codename: state.codename,
    city: state.city,
    investor: state.investor,
    capitalType: state.capitalType,
    outOfProvince: state.outOfProvince,
    stage: state.stage,
    version: state.version,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    projectType: state.projectType,
    templateVersion: state.template?.version ?? null,
    liaison: state.liaison,
    stuck: state.stuck.stuck,
    stuckReasons: state.stuck.reasons,
    stuckSince: state.stuck.since,
    overdueTasks: overdueTasks(state).length,
    escalationRung: escalationRung(state),
    lastProgressAt: state.lastProgressAt,
    contractedMinor: state.contracted?.amountMinor ?? null,
    contractedCurrency: state.contracted?.currency ?? null,
    signingEvent: state.signingEvent ?? null,
    signedOn: state.signedOn ?? null,
  };
}

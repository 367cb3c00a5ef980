/** Task templates: the landing milestones of a project type, as data (stored in PostgreSQL). */
import type { Department, Label, Milestone } from './reference.js';

export const FIELD_TYPES = ['text', 'number', 'money', 'date', 'choice', 'document'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FormField {
  key: string;
  label: Label;
  type: FieldType;
  required: boolean;
  /** For `choice` fields only. */
  choices?: { value: string; label: Label }[];
}

export interface TaskDefinition {
  key: string;
  department: Department;
  title: Label;
  dependsOn: string[];
  dueWorkingDays: number;
  fields: FormField[];
  milestone: Milestone | null;
}

export interface TaskTemplate {
  projectType: string;
  version: number;
  name: Label;
  tasks: TaskDefinition[];
  /** Working days after the due date at which each rung fires: rung 1 at the due date. */
  escalationWorkingDays: number[];
  /** Working days without progress after which a project counts as stuck. */
  idleWorkingDays: number;
}

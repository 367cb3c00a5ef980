/** Task templates: the landing milestones of a project type, as data (stored in PostgreSQL). */

export const DEPARTMENTS = [
  'commerce',
  'development_reform',
  'industry_it',
  'natural_resources',
  'market_regulation',
  'ecology_environment',
  'housing_construction',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_LABELS: Readonly<Record<Department, string>> = {
  commerce: '商务',
  development_reform: '发改',
  industry_it: '工信',
  natural_resources: '自然资源',
  market_regulation: '市场监管',
  ecology_environment: '生态环境',
  housing_construction: '住建',
};

export interface Label {
  zh: string;
  en: string;
}

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

/** What a completed milestone proves, for the landing rate (DOMAIN.md: registered, land paid, construction started). */
export const MILESTONES = ['registered', 'landPaid', 'constructionStarted'] as const;
export type Milestone = (typeof MILESTONES)[number];

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

/** Money in a form: integer minor units (fen, cents) as a string, with its currency. */
export interface MoneyValue {
  amountMinor: string;
  currency: 'CNY' | 'USD';
}

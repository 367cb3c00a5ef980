import { z } from 'zod';
import { safeText } from '../workflows/input.js';
import { FIELD_TYPES, type TaskTemplate } from '../workflows/templates.js';
import { DEPARTMENTS, MILESTONES } from '../workflows/reference.js';

const key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower_snake_case, at most 40 characters');
const label = z.strictObject({ zh: safeText(200), en: safeText(200) });

const field = z
  .strictObject({
    key,
    label,
    type: z.enum(FIELD_TYPES),
    required: z.boolean(),
    choices: z.array(z.strictObject({ value: safeText(100), label })).min(1).optional(),
  })
  .refine((f) => (f.type === 'choice') === (f.choices !== undefined), { message: 'choices are required for a choice field, and only there', path: ['choices'] });

const task = z.strictObject({
  key,
  department: z.enum(DEPARTMENTS),
  title: label,
  dependsOn: z.array(key).default([]),
  dueWorkingDays: z.number().int().min(0).max(365),
  fields: z.array(field).max(30).refine(unique((f: { key: string }) => f.key), 'field keys must be unique'),
  milestone: z.enum(MILESTONES).nullable().default(null),
});

/** A task template as an admin submits it (the version is assigned on save). */
export const taskTemplateInput = z
  .strictObject({
    projectType: key,
    name: label,
    tasks: z.array(task).min(1).max(50),
    escalationWorkingDays: z
      .array(z.number().int().min(0).max(365))
      .min(1)
      .default([0, 3, 7, 15])
      .refine((r) => r[0] === 0 && r.every((d, i) => i === 0 || d > r[i - 1]!), 'must start at 0 (the due date) and increase'),
    idleWorkingDays: z.number().int().min(1).max(365).default(30),
  })
  .superRefine((t, ctx) => {
    const keys = new Set<string>();
    t.tasks.forEach((x, i) => {
      if (keys.has(x.key)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'key'], message: `duplicate task key ${x.key}` });
      keys.add(x.key);
    });
    t.tasks.forEach((x, i) =>
      x.dependsOn.forEach((d, j) => {
        if (!keys.has(d)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'dependsOn', j], message: `no task ${d}` });
      }),
    );
    const cycle = findCycle(t.tasks);
    if (cycle) ctx.addIssue({ code: 'custom', path: ['tasks'], message: `dependencies form a cycle: ${cycle.join(' → ')}` });
  });

export type TaskTemplateInput = z.input<typeof taskTemplateInput>;

export function toTemplate(input: z.output<typeof taskTemplateInput>, version: number): TaskTemplate {
  return { ...input, version };
}

function unique<T>(keyOf: (t: T) => string) {
  return (items: T[]) => new Set(items.map(keyOf)).size === items.length;
}

function findCycle(tasks: { key: string; dependsOn: string[] }[]): string[] | null {
  const deps = new Map(tasks.map((t) => [t.key, t.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (k: string): string[] | null => {
    if (state.get(k) === 'done') return null;
    if (state.get(k) === 'visiting') return [...path.slice(path.indexOf(k)), k];
    state.set(k, 'visiting');
    path.push(k);
    for (const d of deps.get(k) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    path.pop();
    state.set(k, 'done');
    return null;
  };
  for (const t of tasks) {
    const c = visit(t.key);
    if (c) return c;
  }
  return null;
}

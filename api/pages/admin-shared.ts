import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { ErrorType } from '../../workflows/errors.js';
import type { Label } from '../../workflows/reference.js';
import { Problem } from '../problem.js';
import { translator, type TextKey, type TextValues } from './catalog.js';

/** The admin pages' addresses, built in one place. */
export const ADMIN = {
  home: '/admin',
  users: '/admin/users',
  user: (id: string) => `/admin/users/${encodeURIComponent(id)}`,
  targets: '/admin/targets',
  calendar: '/admin/calendar',
  notifications: '/admin/notifications',
  templates: '/admin/templates',
  outbox: '/admin/outbox',
} as const;

/** What an admin action leaves in the address (`?done=userAdded&what=li.si`), for a flash line. */
export const ADMIN_NEWS = [
  'userAdded',
  'userDisabled',
  'passwordSet',
  'tokenRevoked',
  'targetSet',
  'calendarLoaded',
  'daySet',
  'contactAdded',
  'contactRemoved',
  'webhookAdded',
  'testQueued',
  'templateSaved',
  'redriven',
] as const;
export type AdminNews = (typeof ADMIN_NEWS)[number];

/** Anything else shows no flash line. */
export const adminNewsQuery = z.object({
  done: z.enum(ADMIN_NEWS).optional().catch(undefined),
  what: z
    .string()
    .regex(/^[^\p{C}]{1,100}$/u)
    .optional()
    .catch(undefined),
});
export type AdminNewsQuery = z.output<typeof adminNewsQuery>;

/** The address of a page with a flash line saying what was just done. */
export function withNews(path: string, done: AdminNews, what: string | number): string {
  return `${path}${path.includes('?') ? '&' : '?'}done=${done}&what=${encodeURIComponent(String(what))}`;
}

/** Choices that are their own label in both languages (cities, years). */
export function plainChoices(values: readonly (string | number)[]): { value: string; label: Label }[] {
  return values.map((v) => ({ value: String(v), label: { zh: String(v), en: String(v) } }));
}

/** Choices labelled from a vocabulary's labels (reference.ts) or the catalog. */
export function labelledChoices<K extends string>(values: readonly K[], labels: Readonly<Record<K, Label>>): { value: string; label: Label }[] {
  return values.map((v) => ({ value: v, label: labels[v] }));
}

/** A catalog text with its values filled in, in both languages: a choice's label. */
export const labelOf = (key: TextKey, values: TextValues): Label => ({ zh: translator('zh')(key, values), en: translator('en')(key, values) });

/** An empty form value is absent; anything else is passed on as typed. */
export const orNull = (value: string | undefined): string | null => (value?.trim() ? value.trim() : null);

/**
 * Runs a form's action; a refusal that names its fields (a login name already used, a currency
 * that is not the category's) is shown beside them, as the form page shows the workflow's own
 * refusals. `fieldOf` renames the API's field where the form's is called otherwise.
 */
export async function refusedBesideFields<T>(apply: () => Promise<T>, fieldOf: Readonly<Record<string, string>> = {}): Promise<T> {
  try {
    return await apply();
  } catch (err) {
    if (!(err instanceof Problem) || err.errors.length === 0) throw err;
    const details = err.errors.map((e) => ({ field: fieldOf[e.field] ?? e.field, reason: e.reason }));
    throw new WorkflowUpdateFailedError(err.detail, ApplicationFailure.create({ type: ErrorType.InvalidInput, message: err.detail, details, nonRetryable: true }));
  }
}

/** A form page's path parameters when it has none. */
export const noParams = z.object({});

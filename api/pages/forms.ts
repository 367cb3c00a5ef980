import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { z } from 'zod';
import type { User } from '../../db/users.js';
import { ErrorType, type FieldReason } from '../../workflows/errors.js';
import { normalizeText } from '../../workflows/input-rules.js';
import type { FieldType, FormField } from '../../workflows/templates.js';
import { FIELD_TEXT_RULES } from '../../workflows/decisions/forms.js';
import { parseAmount } from '../../workflows/money.js';
import type { Acting } from '../http.js';
import { toProblem } from '../problem.js';
import { VALIDATOR_LANG, type TextKey, type Translate } from './catalog.js';

/** Field kinds only the pages' own forms have; a template's task form has the FieldType kinds alone. */
export const PAGE_FIELD_TYPES = ['line', 'password', 'boolean'] as const;

/**
 * A field of a page's form: a task form's field (templates.ts), or one of the pages' own kinds:
 * `line`, one line of text; `password`; `boolean`, a checkbox sent as "true" when ticked.
 */
export type PageField = Omit<FormField, 'type'> & { type: FieldType | (typeof PAGE_FIELD_TYPES)[number] };

/** A form as submitted (urlencoded): every value is text. */
export type FormValues = Record<string, string>;

/** What a form shows: the values sent back, and each field's reason where one was refused. */
export interface FormState {
  values: FormValues;
  errors: Record<string, string>;
}

export const EMPTY_FORM: FormState = { values: {}, errors: {} };

/** "1200.5" yuan → "120050" fen, exactly; null if it is not an amount. */
export function toMinorUnits(amount: string): string | null {
  const parsed = parseAmount(amount);
  return 'amountMinor' in parsed ? parsed.amountMinor : null;
}

/**
 * Turns the submitted form into the task's data. A value that cannot be converted is passed on as
 * typed, so that the workflow's validator names the field.
 */
export function formToData(fields: readonly FormField[], form: Partial<FormValues>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const f of fields) {
    const value = normalizeText(form[f.key] ?? '');
    if (value === '') continue;
    if (f.type === 'number') data[f.key] = FIELD_TEXT_RULES.number.test(value) ? Number(value) : value;
    else if (f.type === 'money') data[f.key] = { amountMinor: toMinorUnits(value) ?? value, currency: form[`${f.key}__currency`] ?? 'CNY' };
    else data[f.key] = value;
  }
  return data;
}

/**
 * Who acts, with a request id from the token the form sent back: a double submission carries the
 * same token, and the workflow applies it once.
 */
export function formActing(user: User, form: Partial<FormValues>): Acting & { requestToken: string } {
  const requestToken = /^[\w-]{1,64}$/.test(form._request ?? '') ? form._request! : randomUUID();
  return { user, requestId: `${user.id}:form:${requestToken}`, requestToken };
}

/** What the browser says of a value of each checked type, as the field form's script shows it. */
export const FIELD_MESSAGES = { required: 'required', number: 'mustBeNumber', money: 'mustBeMoney', date: 'mustBeDate', document: 'mustBeDocument' } as const satisfies Partial<Record<FieldType | 'required', TextKey>>;

/** Server-side reasons (fields named data.<key>) in the user's language where we know them. */
export function errorsByField(t: Translate, fields: readonly PageField[], reasons: FieldReason[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of reasons) {
    const field = fieldNamed(fields, r.field);
    const key = field?.key ?? r.field.replace(/^data\./, '');
    out[key] = r.reason === 'required' ? t('required') : field ? localReason(t, field, r.reason) : r.reason;
  }
  return out;
}

/** A validator's reason, which says exactly what is wrong, in its own language; otherwise the catalog's reason for the field's type. */
function localReason(t: Translate, f: PageField, reason: string): string {
  const key = (FIELD_MESSAGES as Partial<Record<PageField['type'], TextKey>>)[f.type];
  return t.lang === VALIDATOR_LANG || !key ? reason : t(key);
}

/** Where a form shows a refusal that names none of its fields. */
export const FORM_ERROR = '_form';

/** Refusals a form shows to the user, who can change something and send it again (others are an error page: 403, 404). */
const SHOWN_REFUSALS: readonly string[] = [ErrorType.IllegalTransition, ErrorType.TaskNotOpen, ErrorType.ProjectClosed];

/**
 * A refusal of a form's values, as reasons beside the fields: the workflow's (invalid input; a move
 * not allowed now, with its message above the form), or a check of the API's that names the form's
 * fields (a Problem with field reasons). Any other failure is rethrown.
 */
export function fieldRefusal(t: Translate, fields: readonly PageField[], err: unknown): Record<string, string> {
  const failure = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : null;
  if (failure?.type === ErrorType.InvalidInput) return errorsByField(t, fields, (failure.details ?? []) as FieldReason[]);
  if (failure?.type && SHOWN_REFUSALS.includes(failure.type)) return { [FORM_ERROR]: failure.message, ...namedFields(t, fields, (failure.details ?? []) as FieldReason[]) };
  const problem = toProblem(err);
  if (problem && problem.status < 500) {
    const named = namedFields(t, fields, problem.errors);
    if (Object.keys(named).length) return named;
  }
  throw err;
}

/** The reasons that name one of the form's fields. */
function namedFields(t: Translate, fields: readonly PageField[], reasons: FieldReason[]): Record<string, string> {
  return errorsByField(t, fields, reasons.filter((r) => fieldNamed(fields, r.field)));
}

/** The form field a reason names: `data.<key>` (a task's data), `<key>`, or a part of it (`contracted.amountMinor`). */
function fieldNamed(fields: readonly PageField[], name: string): PageField | undefined {
  const key = name.replace(/^data\./, '');
  return fields.find((f) => f.key === key) ?? fields.find((f) => key.startsWith(`${f.key}.`));
}

/** The form's values checked by the API's own schema: every field's reason at once, in the user's language. */
export function checkForm<S extends z.ZodType>(t: Translate, fields: readonly PageField[], schema: S, input: unknown, form: FormValues): { data: z.output<S> } | { errors: Record<string, string> } {
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data };
  const reasons: FieldReason[] = result.error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    return { field, reason: (form[field.replace(/^data\./, '')] ?? '').trim() === '' ? 'required' : i.message };
  });
  return { errors: errorsByField(t, fields, reasons) };
}

import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { User } from '../../db/users.js';
import { ErrorType, type FieldReason } from '../../workflows/errors.js';
import { type TaskState } from '../../workflows/state.js';
import type { Acting } from '../http.js';
import { normalizeText } from '../../workflows/input-rules.js';
import type { FormField } from '../../workflows/templates.js';
import { FIELD_TEXT_RULES } from '../../workflows/decisions/forms.js';
import { parseAmount } from '../../workflows/money.js';
import { h, raw, type Html } from './html.js';
import { label, t, type Lang } from './i18n.js';

/** "1200.5" yuan → "120050" fen, exactly; null if it is not an amount. */
export function toMinorUnits(amount: string): string | null {
  const parsed = parseAmount(amount);
  return 'amountMinor' in parsed ? parsed.amountMinor : null;
}

/**
 * Turns the submitted form into the task's data. A value that cannot be converted is passed on as
 * typed, so that the workflow's validator names the field.
 */
export function formToData(fields: readonly FormField[], form: Record<string, string | undefined>): Record<string, unknown> {
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
export function formActing(user: User, form: Record<string, string | undefined>): Acting & { requestToken: string } {
  const requestToken = /^[\w-]{1,64}$/.test(form._request ?? '') ? form._request! : randomUUID();
  return { user, requestId: `${user.id}:form:${requestToken}`, requestToken };
}

/** The workflow's refusal of a form's values, as reasons beside the fields; any other failure is rethrown. */
export function fieldRefusal(lang: Lang, fields: readonly FormField[], err: unknown): Record<string, string> {
  const failure = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : null;
  if (failure?.type !== ErrorType.InvalidInput) throw err;
  return errorsByField(lang, fields, (failure.details ?? []) as FieldReason[]);
}

export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** Server-side reasons (fields named data.<key>) in the user's language where we know them. */
export function errorsByField(lang: Lang, fields: readonly FormField[], reasons: FieldReason[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of reasons) {
    const key = r.field.replace(/^data\./, '');
    const field = fields.find((f) => f.key === key);
    out[key] = r.reason === 'required' ? t(lang, 'required') : field ? localReason(lang, field, r.reason) : r.reason;
  }
  return out;
}

function localReason(lang: Lang, f: FormField, reason: string): string {
  if (lang === 'en') return reason;
  return { number: t(lang, 'mustBeNumber'), money: t(lang, 'mustBeMoney'), date: t(lang, 'mustBeDate'), document: t(lang, 'mustBeDocument') }[f.type as 'number'] ?? reason;
}

/** A task's form: its template's fields, sent as the task's data. */
export function renderTaskForm(lang: Lang, task: TaskState, action: string, csrfToken: string, requestToken: string, state: FormState): Html {
  return renderFieldForm(lang, task.fields, { id: 'task-form', action, csrfToken, requestToken, submitLabel: t(lang, 'submit') }, state);
}

export interface FieldFormOptions {
  id: string;
  action: string;
  csrfToken: string;
  /** Sent back with the form, so that a double submission is applied once. */
  requestToken: string;
  submitLabel: string;
}

/** A form rendered from a field schema, checked in the browser and again on the server. */
export function renderFieldForm(lang: Lang, formFields: readonly FormField[], o: FieldFormOptions, state: FormState): Html {
  const fields = formFields.map((f) => {
    const id = `f-${f.key}`;
    const value = state.values[f.key] ?? '';
    const error = state.errors[f.key];
    const attrs = h`id="${id}" name="${f.key}" data-type="${f.type}" ${f.required ? raw('required data-required="1"') : ''} aria-describedby="err-${f.key}"`;
    let input: Html;
    switch (f.type) {
      case 'text':
        input = h`<textarea ${attrs} rows="3">${value}</textarea>`;
        break;
      case 'choice':
        input = h`<select ${attrs}><option value="">${t(lang, 'choose')}</option>${(f.choices ?? []).map(
          (c) => h`<option value="${c.value}" ${c.value === value ? raw('selected') : ''}>${label(lang, c.label)}</option>`,
        )}</select>`;
        break;
      case 'money': {
        const currency = state.values[`${f.key}__currency`] ?? 'CNY';
        input = h`<div class="money"><input ${attrs} inputmode="decimal" value="${value}" placeholder="0.00"><select name="${f.key}__currency" aria-label="${t(lang, 'currency')}">${['CNY', 'USD'].map(
          (c) => h`<option ${c === currency ? raw('selected') : ''}>${c}</option>`,
        )}</select></div>`;
        break;
      }
      case 'date':
        input = h`<input ${attrs} type="date" value="${value}">`;
        break;
      case 'number':
        input = h`<input ${attrs} inputmode="decimal" value="${value}">`;
        break;
      default:
        input = h`<input ${attrs} value="${value}">`;
    }
    return h`<div class="field${error ? ' invalid' : ''}" data-field="${f.key}">
      <label for="${id}">${label(lang, f.label)}${f.required ? h` <span class="muted">(${t(lang, 'required')})</span>` : ''}</label>
      ${input}
      <p class="error" id="err-${f.key}" role="alert">${error ?? ''}</p>
    </div>`;
  });
  const messages = { required: t(lang, 'required'), number: t(lang, 'mustBeNumber'), money: t(lang, 'mustBeMoney'), date: t(lang, 'mustBeDate'), document: t(lang, 'mustBeDocument') };
  return h`<form method="post" action="${o.action}" novalidate id="${o.id}" class="card" data-check="${JSON.stringify(messages)}">
    ${Object.keys(state.errors).length ? h`<div class="alert">${t(lang, 'fixErrors')}</div>` : ''}
    <input type="hidden" name="_csrf" value="${o.csrfToken}"><input type="hidden" name="_request" value="${o.requestToken}">
    ${fields}
    <button type="submit" class="primary">${o.submitLabel}</button>
  </form>
  <script src="${FIELD_FORM_SCRIPT_PATH}"></script>`;
}

/** Served as a file, not inline, so that the Content-Security-Policy needs no exception for it. */
export const FIELD_FORM_SCRIPT_PATH = '/assets/luodi/field-form.js';

/**
 * The same rules, checked in the browser before sending; the server checks again. Every form
 * with `data-check` (its messages, as JSON) is checked.
 */
export const FIELD_FORM_SCRIPT = `(function(){
var RULES={${Object.entries(FIELD_TEXT_RULES).map(([type, rule]) => `${type}:${rule.toString()}`).join(',')}};
document.querySelectorAll('form[data-check]').forEach(function(form){
var M=JSON.parse(form.getAttribute('data-check'));
form.addEventListener('submit',function(e){
  var bad=false;
  form.querySelectorAll('[data-type]').forEach(function(el){
    var v=el.value.trim(),t=el.getAttribute('data-type'),msg='';
    if(!v){if(el.hasAttribute('data-required'))msg=M.required;}
    else if(RULES[t]&&!RULES[t].test(t==='money'?v.replace(/,/g,''):v))msg=M[t];
    var box=el.closest('.field');box.classList.toggle('invalid',!!msg);
    document.getElementById('err-'+el.name).textContent=msg;
    if(msg&&!bad){bad=true;el.focus();}
  });
  if(bad)e.preventDefault();
});
});
})();`;

import { CURRENCIES } from '../../../workflows/money.js';
import type { Translate } from '../catalog.js';
import { FIELD_MESSAGES, FORM_ERROR, type FormState, type PageField } from '../forms.js';
import { FIELD_FORM_SCRIPT_PATH } from '../scripts.js';
import { CsrfField, Script } from './layout.js';

export interface FieldFormProps {
  t: Translate;
  id: string;
  action: string;
  fields: readonly PageField[];
  csrfToken: string;
  /** Sent back with the form, so that a double submission is applied once. */
  requestToken: string;
  submitLabel: string;
  form: FormState;
}

function FieldInput({ t, field: f, values }: { t: Translate; field: PageField; values: FormState['values'] }) {
  const value = values[f.key] ?? '';
  const attrs = {
    id: `f-${f.key}`,
    name: f.key,
    'data-type': f.type,
    required: f.required,
    'data-required': f.required ? '1' : undefined,
    'aria-describedby': `err-${f.key}`,
  };
  switch (f.type) {
    case 'text':
      return (
        <textarea {...attrs} rows={3}>
          {value}
        </textarea>
      );
    case 'choice':
      return (
        <select {...attrs}>
          <option value="">{t('choose')}</option>
          {(f.choices ?? []).map((c) => (
            <option value={c.value} selected={c.value === value}>
              {t(c.label)}
            </option>
          ))}
        </select>
      );
    case 'money': {
      const currency = values[`${f.key}__currency`] ?? 'CNY';
      return (
        <div class="money">
          <input {...attrs} inputmode="decimal" value={value} placeholder="0.00" />
          <select name={`${f.key}__currency`} aria-label={t('currency')}>
            {CURRENCIES.map((c) => (
              <option selected={c === currency}>{c}</option>
            ))}
          </select>
        </div>
      );
    }
    case 'date':
      return <input {...attrs} type="date" value={value} />;
    case 'number':
      return <input {...attrs} inputmode="decimal" value={value} />;
    case 'password':
      return <input {...attrs} type="password" autocomplete="new-password" value="" />;
    case 'boolean':
      return <input {...attrs} type="checkbox" value="true" checked={value === 'true'} required={false} />;
    default:
      return <input {...attrs} value={value} />;
  }
}

/** A form rendered from a field schema, checked in the browser (by the served script) and again on the server. */
export function FieldForm({ t, id, action, fields, csrfToken, requestToken, submitLabel, form }: FieldFormProps) {
  const messages = Object.fromEntries(Object.entries(FIELD_MESSAGES).map(([type, key]) => [type, t(key)]));
  return (
    <>
      <form method="post" action={action} novalidate id={id} class="card" data-check={JSON.stringify(messages)}>
        {Object.keys(form.errors).length > 0 && <div class="alert">{form.errors[FORM_ERROR] ?? t('fixErrors')}</div>}
        <CsrfField token={csrfToken} />
        <input type="hidden" name="_request" value={requestToken} />
        {fields.map((f) => {
          const error = form.errors[f.key];
          return (
            <div class={error ? 'field invalid' : 'field'} data-field={f.key}>
              <label for={`f-${f.key}`}>
                {t(f.label)}
                {f.required && <> <span class="muted">({t('required')})</span></>}
              </label>
              <FieldInput t={t} field={f} values={form.values} />
              <p class="error" id={`err-${f.key}`} role="alert">
                {error ?? ''}
              </p>
            </div>
          );
        })}
        <button type="submit" class="primary">
          {submitLabel}
        </button>
      </form>
      <Script src={FIELD_FORM_SCRIPT_PATH} />
    </>
  );
}

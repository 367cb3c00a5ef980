import type { FieldReason } from '../errors.js';
import { dateProblem, textProblem, TEXT_LIMITS } from '../input-rules.js';
import { AMOUNT_TEXT, amountProblem, isCurrency } from '../money.js';
import type { FormField } from '../templates.js';

/** How a field's value is typed in a form, checked in the browser before sending (the server checks the values again). */
export const FIELD_TEXT_RULES = {
  number: /^-?\d+(\.\d+)?$/,
  money: AMOUNT_TEXT,
  date: /^\d{4}-\d{2}-\d{2}$/,
  document: new RegExp(`^\\S{1,${TEXT_LIMITS.line}}$`),
} as const;

/** Checks a task form's data against its fields; returns one reason per bad field (empty if valid). */
export function validateFormData(fields: readonly FormField[], data: unknown): FieldReason[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [{ field: 'data', reason: 'must be an object of field values' }];
  const values = data as Record<string, unknown>;
  const reasons: FieldReason[] = [];
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) reasons.push({ field: `data.${key}`, reason: 'not a field of this task' });
  }
  for (const f of fields) {
    const value = values[f.key];
    if (value === undefined || value === null || value === '') {
      if (f.required) reasons.push({ field: `data.${f.key}`, reason: 'required' });
      continue;
    }
    const reason = checkValue(f, value);
    if (reason) reasons.push({ field: `data.${f.key}`, reason });
  }
  return reasons;
}

function checkValue(f: FormField, value: unknown): string | null {
  switch (f.type) {
    case 'text':
      return textProblem(value, { max: TEXT_LIMITS.paragraph, multiline: true });
    case 'document':
      return textProblem(value, { max: TEXT_LIMITS.line }) ?? (FIELD_TEXT_RULES.document.test(value as string) ? null : 'must be a document reference (voucher or file number)');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'date':
      return dateProblem(value);
    case 'choice':
      return typeof value === 'string' && (f.choices ?? []).some((c) => c.value === value)
        ? null
        : `must be one of ${(f.choices ?? []).map((c) => c.value).join(', ')}`;
    case 'money': {
      const m = value as { amountMinor?: unknown; currency?: unknown };
      if (typeof m !== 'object' || m === null) return 'must be { amountMinor: whole minor units as a string, currency }';
      const keys = Object.keys(m).filter((k) => k !== 'amountMinor' && k !== 'currency');
      if (keys.length) return `unknown field(s): ${keys.join(', ')}`;
      const amount = amountProblem(m.amountMinor, { positive: false });
      if (amount) return `amountMinor ${amount}`;
      return isCurrency(m.currency) ? null : 'currency must be CNY or USD';
    }
  }
}

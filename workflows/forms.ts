import type { FieldReason } from './contract.js';
import type { FormField } from './templates.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

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
      return typeof value === 'string' && value.length <= 2000 ? null : 'must be text of at most 2000 characters';
    case 'document':
      return typeof value === 'string' && /^\S{1,200}$/.test(value) ? null : 'must be a document reference (voucher or file number)';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'date':
      return typeof value === 'string' && isDate(value) ? null : 'must be a date as YYYY-MM-DD';
    case 'choice':
      return typeof value === 'string' && (f.choices ?? []).some((c) => c.value === value)
        ? null
        : `must be one of ${(f.choices ?? []).map((c) => c.value).join(', ')}`;
    case 'money': {
      const m = value as { amountMinor?: unknown; currency?: unknown };
      if (typeof m !== 'object' || typeof m.amountMinor !== 'string' || !/^(0|[1-9]\d{0,17})$/.test(m.amountMinor)) {
        return 'must be { amountMinor: whole minor units as a string, currency }';
      }
      return m.currency === 'CNY' || m.currency === 'USD' ? null : 'currency must be CNY or USD';
    }
  }
}

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * The input boundary: what luodi accepts as text or a date, in one place (amounts: money.ts). The
 * zod forms (input.ts) build every schema from these rules, in the API and in the workflow alike,
 * because an update can reach a workflow from Temporal directly. Pure and deterministic.
 */

/** Dates luodi accepts anywhere: a signing, a receipt or an agreement falls in this range. */
export const DATE_RANGE = { from: '1990-01-01', to: '2100-12-31' } as const;

/** Text lengths, in UTF-16 code units (never more characters than PostgreSQL counts). */
export const TEXT_LIMITS = {
  /** Names, investors, evidence numbers: one line. */
  line: 200,
  /** A user id or a liaison. */
  id: 100,
  /** Reasons, descriptions, resolutions: several lines. */
  paragraph: 2000,
} as const;

export interface TextRule {
  max: number;
  /** Newlines and tabs are allowed only in multi-line text. */
  multiline?: boolean;
}

// C0 controls except tab and newline, DEL, and C1 controls; carriage returns are normalised away first.
/* eslint-disable no-control-regex -- finding control characters is the point */
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_IN_PARAGRAPH = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How text is stored: CRLF and CR become LF, surrounding space is trimmed, NFC. */
export function normalizeText(value: string): string {
  return value.replace(/\r\n?/g, '\n').trim().normalize('NFC');
}

/** Why a value is not acceptable text (already normalised), or null if it is. */
export function textProblem(value: unknown, rule: TextRule): string | null {
  if (typeof value !== 'string') return 'must be text';
  if (value.trim() === '') return 'must not be empty';
  if (value.length > rule.max) return `at most ${rule.max} characters`;
  if (LONE_SURROGATE.test(value)) return 'contains a broken character (a lone UTF-16 surrogate)';
  if ((rule.multiline ? CONTROL_IN_PARAGRAPH : CONTROL_IN_LINE).test(value)) {
    return rule.multiline ? 'contains a control character (only newlines and tabs are allowed)' : 'contains a control character or a line break';
  }
  return null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why a value is not an acceptable date (YYYY-MM-DD, a real calendar day within DATE_RANGE), or null. */
export function dateProblem(value: unknown): string | null {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) return 'must be a date as YYYY-MM-DD';
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // 2018-02-30 is no day at all: the same answer as a malformed date.
  if (Number(m[1]) < 1000 || day.toISOString().slice(0, 10) !== value) return 'must be a date as YYYY-MM-DD';
  if (value < DATE_RANGE.from || value > DATE_RANGE.to) return `must be between ${DATE_RANGE.from} and ${DATE_RANGE.to}`;
  return null;
}

/**
 * zod forms of the input boundary (input-rules.ts, money.ts): every schema that takes text, a date
 * or an amount from outside builds it from these, so the API, the pages, the import, the admin
 * routes and the workflow's messages accept exactly the same values. zod runs in the workflow
 * sandbox too: every update's handler parses its input with it (the replay and workflow suites).
 * A schema that a workflow parses with is built by a function (calendarDateSchema, currencySchema),
 * so that the workflow has instances of its own (messages.ts, inputSchemas).
 */
import { z } from 'zod';
import { dateProblem, normalizeText, textProblem, TEXT_LIMITS, type TextRule } from './input-rules.js';
import { amountProblem, CURRENCIES } from './money.js';

export { TEXT_LIMITS };

/** Text: normalised (CRLF → LF, trimmed, NFC), then refused if empty, too long, or holding control or broken characters. */
export function safeText(rule: TextRule | number) {
  const r: TextRule = typeof rule === 'number' ? { max: rule } : rule;
  return z
    .string('must be text')
    .transform(normalizeText)
    .superRefine((value, ctx) => {
      const problem = textProblem(value, r);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** Multi-line text: reasons, descriptions, resolutions. */
export const paragraph = (max: number = TEXT_LIMITS.paragraph) => safeText({ max, multiline: true });

/** A real calendar date as YYYY-MM-DD within DATE_RANGE. */
export function calendarDateSchema() {
  return z.string('must be a date as YYYY-MM-DD').superRefine((value, ctx) => {
    const problem = dateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
export const calendarDate = calendarDateSchema();

/** Whole minor units as a string of digits, at most MAX_AMOUNT_MINOR; `positive` refuses zero. */
export function minorUnits({ positive }: { positive: boolean }) {
  return z.string('must be whole minor units (fen or cents) as a string of digits').superRefine((value, ctx) => {
    const problem = amountProblem(value, { positive });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

export const currencySchema = () => z.enum(CURRENCIES, 'must be CNY or USD');
export const currency = currencySchema();

/** Money: integer minor units (fen, cents) as a string, and its currency. Never a float. */
export const money = z.strictObject({ amountMinor: minorUnits({ positive: false }), currency });

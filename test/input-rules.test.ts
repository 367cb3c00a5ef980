import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarDate, minorUnits, paragraph, safeText } from '../workflows/input.js';
import { dateProblem, normalizeText, textProblem } from '../workflows/input-rules.js';
import { amountProblem, MAX_AMOUNT_MINOR } from '../workflows/money.js';
import { validateFormData } from '../workflows/decisions/forms.js';
import type { FormField } from '../workflows/templates.js';

/** What PostgreSQL refuses to store in text or jsonb, or what no person types. */
const FORBIDDEN = ['a\u0000b', '\ud800', 'x\udfffy', 'bell\u0007', 'del\u007f', 'c1\u0085', 'esc\u001b[31m'];

describe('text', () => {
  it.each(FORBIDDEN)('refuses %j in a line and in a paragraph', (value) => {
    expect(textProblem(value, { max: 200 })).not.toBeNull();
    expect(textProblem(value, { max: 2000, multiline: true })).not.toBeNull();
    expect(safeText(200).safeParse(value).success).toBe(false);
    expect(paragraph().safeParse(value).success).toBe(false);
  });

  it('accepts right-to-left text, emoji and CJK, and newlines only in a paragraph', () => {
    for (const ok of ['سلام عليكم', '沈阳机器人产业园 🚀', 'Ünïcødé', '\u202eevil\u202c']) expect(textProblem(ok, { max: 200 })).toBeNull();
    expect(textProblem('one\ntwo', { max: 200 })).not.toBeNull();
    expect(textProblem('one\n\ttwo', { max: 2000, multiline: true })).toBeNull();
  });

  it('normalises CRLF, surrounding space and NFC before checking', () => {
    expect(paragraph().parse(' a\r\nb\rc ')).toBe('a\nb\nc');
    expect(safeText(10).parse('e\u0301')).toBe('\u00e9');
    expect(safeText(3).safeParse('   ').success).toBe(false);
    expect(safeText(3).safeParse('abcd').success).toBe(false);
  });

  it('never lets through what PostgreSQL cannot store, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (raw, multiline) => {
        const parsed = (multiline ? paragraph(300) : safeText(300)).safeParse(raw);
        if (!parsed.success) return;
        const v = parsed.data;
        expect(v.includes('\u0000')).toBe(false);
        expect(v).toBe(normalizeText(v));
        expect(v.length).toBeLessThanOrEqual(300);
        // Encodable as UTF-8 and back: no lone surrogates.
        expect(Buffer.from(v, 'utf8').toString('utf8')).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('dates', () => {
  it.each(['0000-01-01', '2018-02-30', '9999-12-31', '1989-12-31', '2101-01-01', '2018-2-3', '2018-02-03T00:00:00Z', ''])('refuses %j', (d) => {
    expect(dateProblem(d)).not.toBeNull();
    expect(calendarDate.safeParse(d).success).toBe(false);
  });

  it.each(['1990-01-01', '2018-02-28', '2020-02-29', '2100-12-31'])('accepts %s', (d) => {
    expect(dateProblem(d)).toBeNull();
  });

  it('accepts exactly the real days of the range', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }), (d) => {
        const s = d.toISOString().slice(0, 10);
        expect(dateProblem(s) === null).toBe(s >= '1990-01-01' && s <= '2100-12-31');
      }),
    );
  });
});

describe('amounts', () => {
  it.each(['-1', '1.5', '1e3', '10000000000000000000', ' 1', '01', 'abc', ''])('refuses %j', (a) => {
    expect(amountProblem(a, { positive: false })).not.toBeNull();
  });

  it('takes zero only where it may be zero, and nothing above the ceiling', () => {
    expect(amountProblem('0', { positive: false })).toBeNull();
    expect(amountProblem('0', { positive: true })).not.toBeNull();
    expect(amountProblem(MAX_AMOUNT_MINOR.toString(), { positive: true })).toBeNull();
    expect(amountProblem((MAX_AMOUNT_MINOR + 1n).toString(), { positive: true })).not.toBeNull();
    expect(minorUnits({ positive: true }).safeParse(100).success).toBe(false);
  });

  it('accepts every whole amount up to the ceiling', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AMOUNT_MINOR }), (n) => {
        expect(amountProblem(n.toString(), { positive: true })).toBeNull();
      }),
    );
  });
});

describe('task-form fields', () => {
  const fields: FormField[] = (['text', 'document', 'date', 'money', 'number'] as const).map((type) => ({ key: type, label: { zh: type, en: type }, type, required: false }));

  it('refuses control characters, impossible dates and amounts in every field type', () => {
    const reasons = validateFormData(fields, {
      text: 'a\u0000b',
      document: 'DOC\ud800',
      date: '2018-02-30',
      money: { amountMinor: '10000000000000000000', currency: 'CNY' },
      number: 'NaN',
    });
    expect(reasons.map((r) => r.field).sort()).toEqual(['data.date', 'data.document', 'data.money', 'data.number', 'data.text']);
  });

  it('refuses unknown keys inside a money value', () => {
    expect(validateFormData(fields, { money: { amountMinor: '1', currency: 'CNY', rate: 7 } })).toHaveLength(1);
  });
});

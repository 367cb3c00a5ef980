import { describe, expect, test } from 'vitest';
import { assertFitsSqlVisibility, overSqlVisibilityLimits } from '../../workflows/search-attribute-limits.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

describe("luodi's search attributes and PostgreSQL visibility", () => {
  test('they fit: 10 Keyword and 3 of each other type at most', () => {
    expect(overSqlVisibilityLimits(SEARCH_ATTRIBUTES)).toEqual([]);
    expect(() => assertFitsSqlVisibility(SEARCH_ATTRIBUTES)).not.toThrow();
  });

  test('a fourth Int is refused by name, with what to change', () => {
    const more = [...SEARCH_ATTRIBUTES, { name: 'SignedYear', type: 'INT' as const }];
    expect(overSqlVisibilityLimits(more)).toEqual(['4 INT attributes (OverdueTasks, EscalationRung, OpenBlockers, SignedYear), but PostgreSQL visibility allows 3']);
    expect(() => assertFitsSqlVisibility(more)).toThrow(/do not fit PostgreSQL visibility: 4 INT attributes .* Remove some in workflows\/search-attributes\.ts/);
  });

  test('an eleventh Keyword too', () => {
    const keywords = Array.from({ length: 11 }, (_, i) => ({ name: `K${i}`, type: 'KEYWORD' as const }));
    expect(overSqlVisibilityLimits(keywords)).toHaveLength(1);
    expect(overSqlVisibilityLimits(keywords.slice(0, 10))).toEqual([]);
  });
});

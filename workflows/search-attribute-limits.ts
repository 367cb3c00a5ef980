import type { SearchAttributeType } from '@temporalio/common';

/**
 * How many custom search attributes of each type one namespace may have on PostgreSQL (or MySQL,
 * SQLite) visibility, as Temporal documents them; Elasticsearch allows more, luodi stays within
 * these wherever it runs. A value may be at most 2 KB.
 */
export const SQL_VISIBILITY_LIMITS: Readonly<Record<SearchAttributeType, number>> = {
  KEYWORD: 10,
  TEXT: 3,
  INT: 3,
  DOUBLE: 3,
  BOOL: 3,
  DATETIME: 3,
  KEYWORD_LIST: 3,
};

/** Each type over its limit on SQL visibility, in words; empty when the attributes fit. */
export function overSqlVisibilityLimits(attributes: readonly { name: string; type: SearchAttributeType }[]): string[] {
  const byType = new Map<SearchAttributeType, string[]>();
  for (const a of attributes) byType.set(a.type, [...(byType.get(a.type) ?? []), a.name]);
  return [...byType]
    .filter(([type, names]) => names.length > SQL_VISIBILITY_LIMITS[type])
    .map(([type, names]) => `${names.length} ${type} attributes (${names.join(', ')}), but PostgreSQL visibility allows ${SQL_VISIBILITY_LIMITS[type]}`);
}

/** Throws, naming what to change, if the attributes do not fit SQL visibility (checked at start-up and at set-up). */
export function assertFitsSqlVisibility(attributes: readonly { name: string; type: SearchAttributeType }[]): void {
  const over = overSqlVisibilityLimits(attributes);
  if (over.length) throw new Error(`luodi's search attributes do not fit PostgreSQL visibility: ${over.join('; ')}. Remove some in workflows/search-attributes.ts.`);
}

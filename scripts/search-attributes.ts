import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { SearchAttributePair, SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { TemporalEndpoint } from '../config/temporal-connection.js';
import { assertFitsSqlVisibility } from '../workflows/search-attribute-limits.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

/**
 * Registers every luodi search attribute the namespace lacks. A dev server started from an older
 * state file, or any existing server, would otherwise refuse workflows that set the new ones.
 * Returns the names it added.
 */
export async function ensureSearchAttributes(endpoint: TemporalEndpoint, namespace: string): Promise<string[]> {
  assertFitsSqlVisibility(SEARCH_ATTRIBUTES);
  const connection = await Connection.connect(endpoint);
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]])),
      });
    }
    return missing.map((key) => key.name);
  } finally {
    await connection.close();
  }
}

const PROBE_VALUES: Record<SearchAttributeType, unknown> = {
  KEYWORD: 'probe',
  TEXT: 'probe',
  INT: 0,
  DOUBLE: 0,
  BOOL: false,
  DATETIME: new Date(0),
  KEYWORD_LIST: ['probe'],
};

/**
 * Waits until the server accepts a workflow that sets every luodi search attribute (on a new
 * namespace they reach every service within seconds), starting and terminating a probe workflow
 * that no worker runs.
 */
export async function waitUntilSearchAttributesUsable(endpoint: TemporalEndpoint, namespace: string, timeoutMs = 60_000): Promise<void> {
  const { address } = endpoint;
  const connection = await Connection.connect(endpoint);
  const client = new Client({ connection, namespace });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const handle = await client.workflow.start('luodiSearchAttributeProbe', {
          workflowId: `luodi-search-attribute-probe-${randomUUID()}`,
          taskQueue: 'luodi-search-attribute-probe',
          typedSearchAttributes: SEARCH_ATTRIBUTES.map((key) => ({ key, value: PROBE_VALUES[key.type] }) as SearchAttributePair),
        });
        await handle.terminate('search attribute probe');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the namespace ${namespace} at ${address} did not accept luodi's search attributes within ${timeoutMs / 1000} s: ${(err as Error).message}`, { cause: err });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}

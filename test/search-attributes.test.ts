import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { expect, inject, test } from 'vitest';
import { ensureSearchAttributes } from '../scripts/search-attributes.js';
import { testEndpoint } from './temporal-target.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

test('missing search attributes are registered once, on a namespace that lacks them', async () => {
  const endpoint = testEndpoint(inject('temporalAddress'));
  const namespace = `sa-${Date.now()}`;
  const connection = await Connection.connect(endpoint);
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const added = await ensureSearchAttributes(endpoint, namespace);
    expect(added.sort()).toEqual(SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(added));
    expect(await ensureSearchAttributes(endpoint, namespace)).toEqual([]);
  } finally {
    await connection.close();
  }
});

import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, test } from 'vitest';
import { openApiDocument } from '../api/openapi.js';

describe('the OpenAPI document', () => {
  const doc = openApiDocument('test');

  test('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test('describes every route, with request schemas taken from the validators', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'GET /api/inbox',
        'GET /api/projects',
        'GET /api/projects/{code}',
        'GET /api/stuck',
        'GET /api/notifications',
        'POST /api/notifications/{id}/read',
        'GET /api/me/channels',
        'POST /api/me/channels',
        'GET /api/outbox',
        'POST /api/outbox/{id}/redrive',
        'POST /api/contacts',
        'GET /api/contacts',
        'DELETE /api/contacts/{id}',
        'POST /api/webhooks',
        'POST /api/projects/{code}/capital-increases',
        'GET /api/statistics',
        'GET /api/reports',
        'GET /api/reports/{quarter}',
        'GET /api/reports/{quarter}.xlsx',
        'GET /api/targets',
        'POST /api/targets',
        'GET /api/projects/{code}/funds',
        'POST /api/projects/{code}/funds',
        'POST /api/projects/{code}/funds/{entryId}/verify',
        'POST /api/projects/{code}/funds/{entryId}/reverse',
        'POST /api/projects/{code}/funds/{entryId}/void',
        'POST /api/projects/{code}/reproject',
        'GET /api/users',
        'POST /api/users',
        'GET /api/users/{id}/tokens',
        'POST /api/users/{id}/tokens',
        'GET /api/me/tokens',
        'POST /api/tokens/{id}/revoke',
        'GET /api/templates',
        'POST /api/templates',
        'GET /api/templates/{projectType}',
        'GET /api/calendar/{year}',
        'POST /api/calendar/days',
        'GET /api/calendar',
        'POST /api/calendar/imports',
        'GET /api/templates/{projectType}/{version}',
        'GET /api/users/{id}',
        'POST /api/users/{id}/disable',
        'POST /api/users/{id}/password',
        'GET /api/webhooks',
        'POST /api/webhooks/{id}/test',
        'POST /api/imports',
        'POST /api/projects',
        'POST /api/projects/{code}/blockers',
        'POST /api/projects/{code}/blockers/{blockerId}/resolve',
        'POST /api/projects/{code}/liaison',
        'POST /api/projects/{code}/stage',
        'POST /api/projects/{code}/tasks/{taskKey}/complete',
        'POST /api/projects/{code}/withdraw',
        'POST /api/projects/{code}/merge',
      ].sort(),
    );
    const create = doc.components.schemas.CreateProject as { required: string[]; properties: Record<string, { enum?: string[] }> };
    expect(create.required.sort()).toEqual(['capitalType', 'city', 'code', 'investor', 'name']);
    expect(create.properties.city?.enum).toContain('沈阳');
    const list = doc.paths['/api/projects'].get.parameters.map((p) => p.name);
    expect(list).toEqual(expect.arrayContaining(['city', 'stage', 'stuck', 'overdue', 'liaison', 'q', 'limit', 'offset']));
    expect(doc.paths['/api/projects'].post.parameters.map((p) => p.name)).toContain('Idempotency-Key');
  });
});

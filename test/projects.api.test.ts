import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { ProjectCityAttr, ProjectStageAttr } from '../workflows/search-attributes.js';
import { reportBlocker } from '../workflows/messages.js';
import { bundle, eventually, newCode, startStack, type Stack, workflowExists } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
});
afterAll(async () => {
  await stack?.close();
});

const project = (code: string, over: Record<string, unknown> = {}) => ({
  code,
  name: '华晨宝马新工厂',
  city: '沈阳',
  investor: '华晨宝马汽车有限公司',
  capitalType: 'foreign',
  ...over,
});

async function projectionRow(code: string, version = 1) {
  return eventually(async () => {
    const row = await stack.db.selectFrom('projects').selectAll().where('code', '=', code).executeTakeFirst();
    return row && row.version >= version ? row : undefined;
  });
}

async function auditOf(code: string) {
  return stack.db.selectFrom('audit_log').selectAll().where('project_code', '=', code).orderBy('version').execute();
}


describe('POST /api/projects', () => {
  test('starts the workflow, which writes the projection row and an audit record', async () => {
    const code = newCode();
    const res = await stack.api('/api/projects', { body: project(code) });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/projects/${code}`);
    expect(res.body).toMatchObject({ code, stage: 'intention', links: { temporalUi: `/temporal/namespaces/default/workflows/${code}` } });
    // The Temporal UI is for province-level users: a city's coordinator gets no link to it.
    const asCity = await stack.api(`/api/projects/${code}`, { as: 'coordinatorShenyang' });
    expect(asCity.body.links).toEqual({ self: `/api/projects/${code}`, temporalUi: null });

    const row = await projectionRow(code);
    expect(row).toMatchObject({ name: '华晨宝马新工厂', city: '沈阳', capital_type: 'foreign', out_of_province: false, stage: 'intention', version: 1 });
    const audit = await auditOf(code);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ kind: 'project.registered', actor: stack.userIds.coordinator, version: 1 });

    const live = await stack.api(`/api/projects/${code}`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ code, stage: 'intention', investor: '华晨宝马汽车有限公司', version: 1 });
    expect(live.body.transitions).toEqual([expect.objectContaining({ from: null, to: 'intention', actor: stack.userIds.coordinator })]);
  });

  test('a project registered as signed (a summit batch) starts landing with its first tasks open', async () => {
    const code = newCode();
    const res = await stack.api('/api/projects', { body: project(code, { stage: 'signed', outOfProvince: true, capitalType: 'domestic' }) });
    expect(res.status).toBe(201);
    const row = await projectionRow(code);
    expect(row).toMatchObject({ stage: 'landing', out_of_province: true, capital_type: 'domestic', project_type: 'industrial', template_version: 1 });
    const tasks = await stack.db.selectFrom('tasks').select(['task_key', 'status']).where('project_code', '=', code).orderBy('task_key').execute();
    expect(tasks.filter((t) => t.status === 'open').map((t) => t.task_key)).toEqual(['land', 'registration']);
  });

  test('an unknown project type is a 400 naming projectType, and nothing starts', async () => {
    const code = newCode();
    const res = await stack.api('/api/projects', { body: project(code, { projectType: 'spaceport' }) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'projectType', reason: expect.any(String) }]);
    expect(await workflowExists(stack.client, code)).toBe(false);
  });

  test('the workflow carries typed search attributes, a static summary and current details for the Temporal UI', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code) });
    const handle = stack.client.workflow.getHandle(code);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(ProjectCityAttr)).toBe('沈阳');
    expect(description.typedSearchAttributes.get(ProjectStageAttr)).toBe('intention');
    expect(await description.staticSummary()).toBe('华晨宝马新工厂 · 沈阳 · 外资');
    expect(await description.staticDetails()).toContain('华晨宝马汽车有限公司');

    const metadata = await eventually(async () => {
      const m = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
      return m.currentDetails ? m : undefined;
    });
    expect(metadata.currentDetails).toContain('意向');
  });

  test('a confidential project shows its codename, never its name or investor, in what Temporal stores unencrypted', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code, { name: '某绝密新能源基地', codename: '青松项目', investor: '绝密投资集团' }) });
    const description = await stack.client.workflow.getHandle(code).describe();
    const shown = [await description.staticSummary(), await description.staticDetails(), JSON.stringify(description.typedSearchAttributes)].join('\n');
    expect(shown).toContain('青松项目');
    expect(shown).not.toContain('某绝密新能源基地');
    expect(shown).not.toContain('绝密投资集团');
  });

  test('a supervisor finds it by city with a visibility query, from the client and from the temporal CLI', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code, { city: '丹东' }) });
    const query = `ProjectCity = "丹东" AND ProjectStage = "intention" AND WorkflowId = "${code}"`;
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    });
    expect(found).toEqual([code]);

    const { stdout } = await promisify(execFile)(inject('temporalCliPath'), [
      'workflow', 'list', '--address', inject('temporalAddress'), '--query', `ProjectCity="丹东" AND WorkflowId="${code}"`, '--output', 'json',
    ]);
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ execution: expect.objectContaining({ workflowId: code }) })]);
  });

  test('starting the same code again is a 409 problem and changes nothing', async () => {
    const code = newCode();
    const first = await stack.api('/api/projects', { body: project(code) });
    await projectionRow(code);
    const again = await stack.api('/api/projects', { body: project(code, { name: '另一个名字', city: '大连' }) });
    expect(again.status).toBe(409);
    expect(again.contentType).toContain('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, errors: [{ field: 'code', reason: expect.any(String) }] });

    const runs: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "${code}"` })) runs.push(wf.runId);
    expect(runs).toEqual([first.body.runId]);
    expect(await stack.client.workflow.getHandle(code).describe()).toMatchObject({ runId: first.body.runId });
    expect((await stack.api(`/api/projects/${code}`)).body).toMatchObject({ name: '华晨宝马新工厂', city: '沈阳' });
    expect(await auditOf(code)).toHaveLength(1);
  });

  describe('bad input is a 400 problem naming the field, and starts and writes nothing', () => {
    const cases: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, string[]]> = [
      ['malformed JSON', { rawBody: '{"code": "LN-2018-SY-0001", "name": ', headers: { 'content-type': 'application/json' } }, ['(body)']],
      ['no JSON body', { rawBody: 'code=LN-2018-SY-0001', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, ['(body)']],
      ['a JSON array', { body: [] }, ['(body)']],
      ['a missing name', { body: { ...project('CODE'), name: undefined } }, ['name']],
      ['a number for the investor', { body: project('CODE', { investor: 42 }) }, ['investor']],
      ['a city outside Liaoning', { body: project('CODE', { city: '北京' }) }, ['city']],
      ['a string for outOfProvince', { body: project('CODE', { outOfProvince: 'yes' }) }, ['outOfProvince']],
      ['a stage reached only through the workflow', { body: project('CODE', { stage: 'operating' }) }, ['stage']],
      ['an unknown field', { body: project('CODE', { amount: 1 }) }, ['(body)']],
      ['a malformed code', { body: project('ln 2018/0042') }, ['code']],
    ];
    test.each(cases)('%s', async (_name, request, fields) => {
      const code = newCode();
      const req = { ...request };
      if (req.body && typeof req.body === 'object' && !Array.isArray(req.body) && (req.body as { code: string }).code === 'CODE') {
        req.body = { ...req.body, code };
      }
      const res = await stack.api('/api/projects', { method: 'POST', ...req });
      expect(res.status).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
      expect(await workflowExists(stack.client, code)).toBe(false);
      expect(await stack.db.selectFrom('projects').select('code').where('code', '=', code).executeTakeFirst()).toBeUndefined();
    });
  });
});

describe('POST /api/projects/:code/stage (update advanceStage)', () => {
  test('moves intention → negotiating → signed, recording who, when and why', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code) });
    const negotiating = await stack.api(`/api/projects/${code}/stage`, { body: { to: 'negotiating', reason: '项目锁定' } });
    expect(negotiating.status).toBe(200);
    expect(negotiating.body).toMatchObject({ stage: 'negotiating', version: 2 });
    const signed = await stack.api(`/api/projects/${code}/stage`, { body: { to: 'signed', reason: '集中签约' } });
    // Signing starts landing at once: the first milestones' tasks open.
    expect(signed.body).toMatchObject({ stage: 'landing', version: 3 });
    expect(signed.body.transitions.map((t: { to: string }) => t.to)).toEqual(['intention', 'negotiating', 'signed', 'landing']);

    expect(await projectionRow(code, 3)).toMatchObject({ stage: 'landing', version: 3 });
    const audit = await auditOf(code);
    expect(audit.map((a) => [a.kind, a.version])).toEqual([
      ['project.registered', 1],
      ['stage.advanced', 2],
      ['stage.advanced', 3],
    ]);
    expect(audit[2]?.data).toMatchObject({ from: 'negotiating', to: 'signed', actor: stack.userIds.coordinator, reason: '集中签约', opened: ['registration', 'land'] });

    const stage = await eventually(async () => {
      const d = await stack.client.workflow.getHandle(code).describe();
      return d.typedSearchAttributes.get(ProjectStageAttr) === 'landing' ? 'landing' : undefined;
    });
    expect(stage).toBe('landing');
  });

  test('an illegal transition is refused by the validator, with nothing written to history', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code) });
    await projectionRow(code);
    const handle = stack.client.workflow.getHandle(code);

    const res = await stack.api(`/api/projects/${code}/stage`, { body: { to: 'signed' } });
    expect(res.status).toBe(409);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'to', reason: expect.stringContaining('negotiating') }]);

    // The only update accepted is the start's own readiness check (update-with-start).
    const accepted = (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes && e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name !== 'whenReady') ?? [];
    expect(accepted).toHaveLength(0);
    expect((await stack.api(`/api/projects/${code}`)).body).toMatchObject({ stage: 'intention', version: 1 });
    expect(await auditOf(code)).toHaveLength(1);
  });

  test('the same Idempotency-Key applied twice changes the project once', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code) });
    const request = { body: { to: 'negotiating', reason: null }, headers: { 'Idempotency-Key': `advance-${code}` } };
    const first = await stack.api(`/api/projects/${code}/stage`, request);
    const second = await stack.api(`/api/projects/${code}/stage`, request);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ stage: 'negotiating', version: 2 });
    const live = await stack.api(`/api/projects/${code}`);
    expect(live.body.transitions).toHaveLength(2);
    await projectionRow(code, 2);
    expect(await auditOf(code)).toHaveLength(2);
  });

  test('bad input names the field; an unknown project is a 404', async () => {
    const code = newCode();
    await stack.api('/api/projects', { body: project(code) });
    const bad = await stack.api(`/api/projects/${code}/stage`, { body: { to: 'landed', reason: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['to', 'reason']);
    const badKey = await stack.api(`/api/projects/${code}/stage`, { body: { to: 'negotiating' }, headers: { 'Idempotency-Key': 'x'.repeat(201) } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.errors[0].field).toBe('Idempotency-Key');
    expect((await stack.api(`/api/projects/${code}`)).body.stage).toBe('intention');
    const missing = await stack.api(`/api/projects/${newCode()}/stage`, { body: { to: 'negotiating' } });
    expect(missing.status).toBe(404);
    expect(missing.contentType).toContain('application/problem+json');
  });
});

describe('GET /api/projects', () => {
  test('lists the projection, filtered by city and stage', async () => {
    const inJinzhou = newCode('JZ');
    const signedInJinzhou = newCode('JZ');
    await stack.api('/api/projects', { body: project(inJinzhou, { city: '锦州' }) });
    await stack.api('/api/projects', { body: project(signedInJinzhou, { city: '锦州', stage: 'signed' }) });
    await projectionRow(inJinzhou);
    await projectionRow(signedInJinzhou);

    const all = await stack.api(`/api/projects?city=${encodeURIComponent('锦州')}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((p: { code: string }) => p.code).sort()).toEqual([inJinzhou, signedInJinzhou].sort());
    expect(all.body.total).toBe(2);

    const signed = await stack.api(`/api/projects?city=${encodeURIComponent('锦州')}&stage=landing`);
    expect(signed.body.items.map((p: { code: string }) => p.code)).toEqual([signedInJinzhou]);
    expect(signed.body.items[0]).toMatchObject({ capitalType: 'foreign', links: { self: `/api/projects/${signedInJinzhou}` } });

    const page = await stack.api(`/api/projects?city=${encodeURIComponent('锦州')}&limit=1&offset=1`);
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.body.items).toHaveLength(1);
  });

  test('stuck=true lists the projects that are stuck, from the projection', async () => {
    const stuck = newCode('FX');
    const moving = newCode('FX');
    await stack.api('/api/projects', { body: project(stuck, { city: '阜新', stage: 'signed' }) });
    await stack.api('/api/projects', { body: project(moving, { city: '阜新', stage: 'signed' }) });
    await stack.client.workflow.getHandle(stuck).executeUpdate(reportBlocker, {
      args: [{ requestId: `b-${stuck}`, category: 'infrastructure', description: '供电未接入', actor: { id: stack.userIds.coordinator, department: null, city: null } }],
    });
    await projectionRow(moving);
    const res = await eventually(async () => {
      const r = await stack.api(`/api/projects?city=${encodeURIComponent('阜新')}&stuck=true`);
      return r.body.items.length ? r : undefined;
    });
    expect(res.body.items.map((p: { code: string }) => p.code)).toEqual([stuck]);
    expect(res.body.items[0]).toMatchObject({ stuck: true, stuckReasons: ['blocker'], stage: 'landing' });
  });

  test('filters on liaison, overdue tasks and text in the name or code', async () => {
    const code = newCode('TL');
    await stack.api('/api/projects', { body: project(code, { city: '铁岭', name: '铁岭专用车产业园', stage: 'signed', liaison: `liaison.${code}` }) });
    await projectionRow(code);
    const byLiaison = await stack.api(`/api/projects?liaison=liaison.${code}`);
    expect(byLiaison.body.items.map((p: { code: string }) => p.code)).toEqual([code]);
    const byText = await stack.api(`/api/projects?city=${encodeURIComponent('铁岭')}&q=${encodeURIComponent('专用车')}`);
    expect(byText.body.items.map((p: { code: string }) => p.code)).toContain(code);
    const byCode = await stack.api(`/api/projects?q=${code.slice(3, 12).toLowerCase()}`);
    expect(byCode.body.items.map((p: { code: string }) => p.code)).toEqual([code]);
    // Nothing is overdue yet (a working day lasts a minute in this file).
    const overdue = await stack.api(`/api/projects?liaison=liaison.${code}&overdue=true`);
    expect(overdue.body.items).toEqual([]);
    const notOverdue = await stack.api(`/api/projects?liaison=liaison.${code}&overdue=false`);
    expect(notOverdue.body.items).toHaveLength(1);
  });

  test('bad query parameters are a 400 naming them', async () => {
    const res = await stack.api('/api/projects?limit=many&stage=done');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'stage']);
  });
});

describe('GET /api/projects/:code', () => {
  test('an unknown code is a 404 problem; a malformed one a 400', async () => {
    const unknown = await stack.api(`/api/projects/${newCode()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toContain('application/problem+json');
    const malformed = await stack.api('/api/projects/not-a-code');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('code');
  });
});

describe('API documentation', () => {
  test('the OpenAPI document and its browsable page are served without a token', async () => {
    const doc = await stack.api('/api/openapi.json', { as: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const page = await stack.api('/api/docs', { as: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain('/api/openapi.json');
    const asset = await fetch(`${stack.baseUrl}/api/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
  });
});

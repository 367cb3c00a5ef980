import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addTemplateVersion } from '../db/templates.js';
import { setPassword } from '../db/users.js';
import { bundle, eventually, newCode, signInPages, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
  // One milestone: completing it brings the project to the funds stage.
  await addTemplateVersion(
    stack.db,
    { projectType: 'funds_quick', name: { zh: '到资快测', en: 'Funds quick' }, tasks: [{ key: 'only', department: 'natural_resources', title: { zh: '唯一任务', en: 'The only task' }, dependsOn: [], dueWorkingDays: 300, fields: [] }] },
    'admin.test',
  );
});
afterAll(async () => {
  await stack?.close();
});

async function signedProject(): Promise<string> {
  const code = newCode();
  const res = await stack.api('/api/projects', {
    body: { code, name: '到资测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', contracted: { amountMinor: '1000000000', currency: 'CNY' } },
  });
  expect(res.status).toBe(201);
  await eventually(async () => ((await stack.db.selectFrom('projects').select('code').where('code', '=', code).executeTakeFirst()) ? true : undefined));
  return code;
}

const tranche = { amountMinor: '250000000', currency: 'CNY', receivedOn: '2018-07-10', evidence: 'ZZ-2018-0710-01' };

describe('the funds ledger', () => {
  test('an entry counts once a verifier other than who entered it has verified it', async () => {
    const code = await signedProject();
    const recorded = await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ id: 'F1', kind: 'tranche', amountMinor: '250000000', enteredBy: stack.userIds.coordinator, verifiedAt: null });

    // The coordinator who entered it may not verify it (and is no verifier); a verifier may.
    const self = await stack.api(`/api/projects/${code}/funds/F1/verify`, { body: {} });
    expect(self.status).toBe(403);
    const verified = await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ verifiedBy: stack.userIds.verifier, verifiedAt: expect.any(String) });
    expect((await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} })).status).toBe(409);

    const ledger = await stack.api(`/api/projects/${code}/funds`, { as: 'supervisor' });
    expect(ledger.body.items).toEqual([expect.objectContaining({ id: 'F1', amountMinor: '250000000', currency: 'CNY', verifiedBy: stack.userIds.verifier })]);
    const details = await eventually(async () => {
      const m = await stack.client.workflow.getHandle(code).query<{ currentDetails: string }>('__temporal_workflow_metadata');
      return m.currentDetails.includes('2500000.00 CNY') ? m.currentDetails : undefined;
    });
    expect(details).toContain('2500000.00 CNY of 10000000.00 CNY contracted (25.0%)');
  });

  test('only verified entries count toward funds in place', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    await stack.api(`/api/projects/${code}/funds`, { body: { ...tranche, amountMinor: '100', evidence: 'ZZ-2' } });
    await stack.api(`/api/projects/${code}/funds/F2/verify`, { as: 'verifier', body: {} });
    const details = (await stack.client.workflow.getHandle(code).query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
    expect(details).toContain('Funds in place 实际到位资金 (verified): 1.00 CNY');
    expect(details).toContain('1 entry awaiting verification');
  });

  test('a mistake is corrected by a verified reversal, never by an edit', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} });
    const reversal = await stack.api(`/api/projects/${code}/funds/F1/reverse`, { body: { reason: '凭证号录错' } });
    expect(reversal.status).toBe(201);
    expect(reversal.body).toMatchObject({ id: 'F2', kind: 'reversal', amountMinor: '-250000000', reverses: 'F1', reason: '凭证号录错', verifiedAt: null });
    expect((await stack.api(`/api/projects/${code}/funds/F1/reverse`, { body: { reason: '再来一次' } })).status).toBe(409);
    expect((await stack.api(`/api/projects/${code}/funds/F2/reverse`, { body: { reason: '反转冲销' } })).status).toBe(409);
    await stack.api(`/api/projects/${code}/funds/F2/verify`, { as: 'verifier', body: {} });
    const details = (await stack.client.workflow.getHandle(code).query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
    expect(details).toContain('0.00 CNY of 10000000.00 CNY contracted (0.0%)');
    const rows = await stack.db.selectFrom('funds_entries').select(['entry_id', 'amount_minor', 'reverses']).where('project_code', '=', code).orderBy('entry_id').execute();
    expect(rows).toEqual([
      { entry_id: `${code}:F1`, amount_minor: '250000000', reverses: null },
      { entry_id: `${code}:F2`, amount_minor: '-250000000', reverses: `${code}:F1` },
    ]);
  });

  test('a retried request records one entry; bad amounts are refused naming the field', async () => {
    const code = await signedProject();
    const request = { body: tranche, headers: { 'Idempotency-Key': `funds-${code}` } };
    const a = await stack.api(`/api/projects/${code}/funds`, request);
    const b = await stack.api(`/api/projects/${code}/funds`, request);
    expect(b.body).toEqual(a.body);
    expect(await stack.db.selectFrom('funds_entries').select('entry_id').where('project_code', '=', code).execute()).toHaveLength(1);
    for (const amountMinor of ['12.5', '0', '-5', 12]) {
      const bad = await stack.api(`/api/projects/${code}/funds`, { body: { ...tranche, amountMinor } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('amountMinor');
    }
    const badCurrency = await stack.api(`/api/projects/${code}/funds`, { body: { ...tranche, currency: 'EUR' } });
    expect(badCurrency.body.errors[0].field).toBe('currency');
  });
});

describe('the database itself keeps the ledger honest', () => {
  test('no entry or verification can be updated or deleted', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} });
    const id = `${code}:F1`;
    await expect(stack.db.updateTable('funds_entries').set({ amount_minor: '1' }).where('entry_id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(stack.db.deleteFrom('funds_entries').where('entry_id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(stack.db.deleteFrom('funds_verifications').where('entry_id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate funds_entries cascade`.execute(stack.db)).rejects.toThrow(/append-only/);
    expect((await stack.db.selectFrom('funds_entries').select('amount_minor').where('entry_id', '=', id).executeTakeFirstOrThrow()).amount_minor).toBe('250000000');
  });

  test('whoever entered an entry cannot verify it, even bypassing the workflow; a reversal must negate its entry', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    const id = `${code}:F1`;
    await expect(
      stack.db.insertInto('funds_verifications').values({ entry_id: id, verified_by: stack.userIds.coordinator, verified_at: new Date().toISOString() }).execute(),
    ).rejects.toThrow(/four-eyes/);
    await expect(
      stack.db
        .insertInto('funds_entries')
        .values({ entry_id: `${code}:X`, project_code: code, kind: 'reversal', amount_minor: '-1', currency: 'CNY', received_on: '2018-07-10', evidence: 'x', entered_by: 'x', entered_at: new Date().toISOString(), reverses: id, reason: 'x' })
        .execute(),
    ).rejects.toThrow(/must negate/);
  });
});

describe('voiding, reversing and closing', () => {
  test('an unverified mistake is voided, never reversed; it never counts and cannot be verified', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    const reversal = await stack.api(`/api/projects/${code}/funds/F1/reverse`, { body: { reason: '录错了' } });
    expect(reversal.status).toBe(409);
    expect(reversal.body.errors).toEqual([{ field: 'entryId', reason: expect.stringContaining('void') }]);
    expect((await stack.api(`/api/projects/${code}/funds/F1/void`, { as: 'verifier', body: { reason: 'x' } })).status).toBe(403);
    expect((await stack.api(`/api/projects/${code}/funds/F1/void`, { body: { reason: 'a\u0000b' } })).status).toBe(400);
    const voided = await stack.api(`/api/projects/${code}/funds/F1/void`, { body: { reason: '重复录入' } });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ id: 'F1', voidedBy: stack.userIds.coordinator, voidReason: '重复录入', verifiedAt: null });
    expect((await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} })).status).toBe(409);
    expect((await stack.api(`/api/projects/${code}/funds/F1/void`, { body: { reason: '再作废' } })).status).toBe(409);
    const ledger = await eventually(async () => {
      const l = await stack.api(`/api/projects/${code}/funds`);
      return l.body.items[0]?.voidedAt ? l.body.items : undefined;
    });
    expect(ledger).toEqual([expect.objectContaining({ id: 'F1', voidedBy: stack.userIds.coordinator, voidReason: '重复录入', verifiedAt: null })]);
    // Even past the workflow, the database keeps verified and voided apart.
    await expect(stack.db.insertInto('funds_verifications').values({ entry_id: `${code}:F1`, verified_by: 'someone.else', verified_at: new Date().toISOString() }).execute()).rejects.toThrow(/voided/);
    const queue = await stack.db.selectFrom('funds_voids').select('entry_id').where('entry_id', '=', `${code}:F1`).execute();
    expect(queue).toHaveLength(1);
  });

  test('the project page offers a coordinator 作废 for an unverified entry, and its form page opens', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    await setPassword(stack.db, stack.userIds.coordinator, 'a long enough password');
    const { cookie } = await signInPages(stack.baseUrl, stack.userIds.coordinator, 'a long enough password');
    const projectPage = await (await fetch(`${stack.baseUrl}/projects/${code}`, { headers: { cookie: cookie! } })).text();
    expect(projectPage).toContain(`/projects/${code}/funds/F1/void`);
    expect(projectPage).not.toContain(`/projects/${code}/funds/F1/reverse`);
    const form = await fetch(`${stack.baseUrl}/projects/${code}/funds/F1/void`, { headers: { cookie: cookie! } });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('id="void-form"');
  });

  test('a verified entry is not voided; a voided reversal frees its tranche to be reversed again; totals never go negative', async () => {
    const code = await signedProject();
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} });
    expect((await stack.api(`/api/projects/${code}/funds/F1/void`, { body: { reason: '想作废' } })).status).toBe(409);
    await eventually(async () => ((await stack.db.selectFrom('funds_verifications').select('entry_id').where('entry_id', '=', `${code}:F1`).executeTakeFirst()) ? true : undefined));
    await expect(stack.db.insertInto('funds_voids').values({ entry_id: `${code}:F1`, voided_by: 'x', voided_at: new Date().toISOString(), reason: 'x' }).execute()).rejects.toThrow(/verified/);
    expect((await stack.api(`/api/projects/${code}/funds/F1/reverse`, { body: { reason: '金额错' } })).status).toBe(201);
    expect((await stack.api(`/api/projects/${code}/funds/F2/void`, { body: { reason: '冲正错了' } })).status).toBe(200);
    const again = await stack.api(`/api/projects/${code}/funds/F1/reverse`, { body: { reason: '金额确实错' } });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: 'F3', reverses: 'F1' });
    await stack.api(`/api/projects/${code}/funds/F3/verify`, { as: 'verifier', body: {} });
    const state = (await stack.api(`/api/projects/${code}`)).body;
    const verified = state.funds.filter((e: { verifiedAt: string | null }) => e.verifiedAt).reduce((sum: bigint, e: { amountMinor: string }) => sum + BigInt(e.amountMinor), 0n);
    expect(verified).toBe(0n);
  });

  test('funds → operating is refused while entries await verification, naming them', async () => {
    const code = newCode();
    expect((await stack.api('/api/projects', { body: { code, name: '投产测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', projectType: 'funds_quick' } })).status).toBe(201);
    expect((await stack.api(`/api/projects/${code}/tasks/only/complete`, { as: 'staffLand', body: { data: {} } })).status).toBe(200);
    expect((await stack.api(`/api/projects/${code}`)).body.stage).toBe('funds');
    await stack.api(`/api/projects/${code}/funds`, { body: tranche });
    await stack.api(`/api/projects/${code}/funds`, { body: { ...tranche, evidence: 'ZZ-2' } });
    await stack.api(`/api/projects/${code}/funds/F1/verify`, { as: 'verifier', body: {} });
    const refused = await stack.api(`/api/projects/${code}/stage`, { body: { to: 'operating' } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('F2');
    expect(refused.body.errors).toEqual([{ field: 'funds.F2', reason: expect.stringContaining('verif') }]);
    await stack.api(`/api/projects/${code}/funds/F2/void`, { body: { reason: '重复' } });
    expect((await stack.api(`/api/projects/${code}/stage`, { body: { to: 'operating' } })).status).toBe(200);
  });
});

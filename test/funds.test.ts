import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle());
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

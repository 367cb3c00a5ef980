import { Router } from 'express';
import { entryIdOf, projectLedger } from '../db/funds.js';
import { increaseCapital, recordFunds, reverseFunds, verifyFunds, voidFunds } from '../workflows/messages.js';
import { currentUser } from './auth.js';
import { actingOf, codeOf, parse, projectScope, updateProject, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { fundsEntryParams, increaseCapitalBody, recordFundsBody, reverseFundsBody, voidFundsBody } from './schemas.js';

/** The funds ledger (实际到位资金): coordinators record and reverse, verifiers verify (four-eyes). */
export function createFundsRouter(deps: RouteDeps): Router {
  const router = Router();

  router.get('/:code/funds', async (req, res) => {
    const code = codeOf(req);
    authorize(currentUser(res), 'project.read', { city: (await projectScope(deps, code)).city });
    const rows = await projectLedger(deps.db, code);
    res.json({
      items: rows.map((r) => ({
        id: entryIdOf(code, r.entry_id),
        kind: r.kind,
        amountMinor: r.amount_minor,
        currency: r.currency,
        receivedOn: r.received_on,
        evidence: r.evidence,
        enteredBy: r.entered_by,
        enteredAt: r.entered_at.toISOString(),
        reverses: r.reverses ? entryIdOf(code, r.reverses) : null,
        reason: r.reason,
        verifiedBy: r.verified_by,
        verifiedAt: r.verified_at?.toISOString() ?? null,
        voidedBy: r.voided_by,
        voidedAt: r.voided_at?.toISOString() ?? null,
        voidReason: r.void_reason,
      })),
    });
  });

  router.post('/:code/funds', async (req, res) => {
    const code = codeOf(req);
    const body = parse(recordFundsBody, req.body, 'body');
    res.status(201).json(await updateProject(deps, actingOf(res), { code, action: 'funds.record' }, recordFunds, (actor, requestId) => ({ requestId, ...body, actor })));
  });

  router.post('/:code/funds/:entryId/verify', async (req, res) => {
    const { code, entryId } = parse(fundsEntryParams, req.params, 'path');
    res.json(await updateProject(deps, actingOf(res), { code, action: 'funds.verify' }, verifyFunds, (actor, requestId) => ({ requestId, entryId, actor })));
  });

  // An unverified entry made by mistake is voided (作废), with a reason; a verified one is reversed instead.
  router.post('/:code/funds/:entryId/void', async (req, res) => {
    const { code, entryId } = parse(fundsEntryParams, req.params, 'path');
    const { reason } = parse(voidFundsBody, req.body, 'body');
    res.json(await updateProject(deps, actingOf(res), { code, action: 'funds.void' }, voidFunds, (actor, requestId) => ({ requestId, entryId, reason, actor })));
  });

  router.post('/:code/funds/:entryId/reverse', async (req, res) => {
    const { code, entryId } = parse(fundsEntryParams, req.params, 'path');
    const { reason } = parse(reverseFundsBody, req.body, 'body');
    res.status(201).json(await updateProject(deps, actingOf(res), { code, action: 'funds.reverse' }, reverseFunds, (actor, requestId) => ({ requestId, entryId, reason, actor })));
  });

  router.post('/:code/capital-increases', async (req, res) => {
    const code = codeOf(req);
    const body = parse(increaseCapitalBody, req.body, 'body');
    res.status(201).json(await updateProject(deps, actingOf(res), { code, action: 'funds.record' }, increaseCapital, (actor, requestId) => ({ requestId, ...body, actor })));
  });

  return router;
}

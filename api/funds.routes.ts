import { Router } from 'express';
import { entryIdOf, projectLedger } from '../db/funds.js';
import { currentUser } from './auth.js';
import { codeOf, projectCityOf, type RouteDeps } from './http.js';
import { authorize } from './policy.js';

/** The funds ledger (实际到位资金) as PostgreSQL keeps it; its changes are project actions (project-actions.routes.ts). */
export function createFundsRouter(deps: RouteDeps): Router {
  const router = Router();

  router.get('/:code/funds', async (req, res) => {
    const code = codeOf(req);
    authorize(currentUser(res), 'project.read', { city: await projectCityOf(deps, code) });
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

  return router;
}

import { Router } from 'express';
import { currentUser } from './auth.js';
import type { RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { Problem } from './problem.js';
import { importSummitBatch } from './summit-import/run.js';
import { SHEET_TYPES, type SheetFormat } from './summit-import/sheet.js';

/** POST /api/imports: a summit's signing batch as CSV or XLSX in the request body. */
export function createImportsRouter(deps: RouteDeps): Router {
  const router = Router();
  router.post('/imports', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'project.create');
    const format = (Object.entries(SHEET_TYPES).find(([, type]) => req.is(type))?.[0] ?? null) as SheetFormat | null;
    if (!format || !Buffer.isBuffer(req.body)) {
      throw new Problem(415, 'Unsupported file', `Send the file as the request body with Content-Type ${SHEET_TYPES.csv} or ${SHEET_TYPES.xlsx}.`);
    }
    res.json(await importSummitBatch(deps, user, req.body, format));
  });
  return router;
}

import express, { type Router } from 'express';
import { render } from 'preact-render-to-string';
import type { VNode } from 'preact';
import type { Logger } from '../../config/logger.js';
import type { RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { Problem, toProblem } from '../problem.js';
import { ImportRejected, importSummitBatch } from '../summit-import/run.js';
import { readSheet, SHEET_TYPES, type SheetFormat, type SheetRow } from '../summit-import/sheet.js';
import { sendPage, viewerOf } from './page.js';
import { checkCsrfHeader, requireSignIn } from './session.js';
import { ImportPage, ImportSummary, RowProblems } from './views/import.js';

/**
 * The summit import page (coordinators): the same import as POST /api/imports. The page's script
 * sends the file; the answer is a line of JSON per step (newline-delimited): the status, progress
 * as projects start, and last the outcome as server-rendered HTML, with `outcome`
 * (done, rejected or failed).
 */
export function registerImportPages(router: Router, deps: RouteDeps & { log: Logger }): void {
  router.get('/imports', requireSignIn, (_req, res) => {
    const { user, t, csrfToken } = viewerOf(res);
    authorize(user, 'project.create');
    sendPage(res, 200, t('importBatch'), <ImportPage t={t} csrfToken={csrfToken} />);
  });

  router.post('/imports', requireSignIn, express.raw({ type: Object.values(SHEET_TYPES), limit: '10mb' }), checkCsrfHeader, async (req, res) => {
    const { user, t } = viewerOf(res);
    authorize(user, 'project.create');
    const format = (Object.entries(SHEET_TYPES).find(([, type]) => req.is(type))?.[0] ?? null) as SheetFormat | null;
    if (!format || !Buffer.isBuffer(req.body)) throw new Problem(415, 'Unsupported file', 'Choose a CSV or XLSX file.');
    const content = req.body;
    res.status(200).type('application/x-ndjson').set('Cache-Control', 'no-store');
    const send = (line: object) => res.write(`${JSON.stringify(line)}\n`);
    const finish = (outcome: 'done' | 'rejected' | 'failed', view: VNode) => {
      send({ outcome, html: render(view) });
      res.end();
    };
    send({ status: t('importChecking') });
    try {
      const result = await importSummitBatch(deps, user, content, format, (done, total) => send({ status: t('importProgress', { done, total }), progress: { done, total } }));
      finish('done', <ImportSummary t={t} result={result} />);
    } catch (err) {
      if (err instanceof ImportRejected) {
        // The rows as read, to show each problem against its row (an unreadable file has none).
        const rows: SheetRow[] = await readSheet(content, format).catch(() => []);
        return finish('rejected', <RowProblems t={t} problems={err.problems} rows={rows} />);
      }
      // The answer has begun: a failure is its last line, never a broken page.
      const problem = toProblem(err);
      if (!problem) deps.log.error({ err }, 'summit import failed');
      finish('failed', <div class="alert">{problem?.detail ?? t('error')}</div>);
    }
  });
}

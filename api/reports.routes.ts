import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { listReports, reportWithRestatements } from '../db/reports.js';
import type { User } from '../db/users.js';
import { currentUser } from './auth.js';
import { notFound, parse, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { reportWorkbook, type ReportContent } from './statistics/report-workbook.js';
import { PROVINCE_WIDE } from '../workflows/reference.js';

/**
 * What of a report a user may read: all of it province-wide; a city's user, that city's figures
 * only (not the province's, nor other cities'). The content hash is the whole report's.
 */
export function reportForUser(content: unknown, user: User): ReportContent {
  const report = content as ReportContent;
  if (!user.city) return report;
  const own = report.cities[user.city];
  return { quarter: report.quarter, cities: own ? { [user.city]: own } : {} };
}

export const reportParams = z.object({ quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter such as 2017Q1') });
export const reportWorkbookQuery = z.object({ restatement: z.coerce.number().int().min(1).optional() });

/** The frozen reports, newest first, with how many restatements each has. */
export async function reportList(db: RouteDeps['db']) {
  return (await listReports(db)).map((r) => ({ quarter: r.quarter, contentHash: r.content_hash, frozenAt: r.frozen_at.toISOString(), restatements: Number(r.restatements ?? 0) }));
}

/** A quarter's frozen report (or ?restatement=N) as an Excel download, within what the user may read: for the API and the pages alike. */
export async function sendReportWorkbook(deps: Pick<RouteDeps, 'db'>, user: User, req: Request, res: Response): Promise<void> {
  authorize(user, 'statistics.read');
  const { quarter } = parse(reportParams, req.params, 'path');
  const { restatement } = parse(reportWorkbookQuery, req.query, 'query');
  const found = await reportWithRestatements(deps.db, quarter);
  if (!found) throw notFound(`report for ${quarter}`);
  const chosen = restatement ? found.restatements.find((r) => r.seq === restatement) : undefined;
  if (restatement && !chosen) throw notFound(`restatement ${restatement} of ${quarter}`);
  const version = chosen ? `更正第${chosen.seq}版` : '发布版';
  const workbook = await reportWorkbook(reportForUser((chosen ?? found.report).content, user), version, (chosen ?? found.report).content_hash);
  res
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .set('Content-Disposition', `attachment; filename="luodi-${quarter}.xlsx"; filename*=UTF-8''${encodeURIComponent(`调度报告-${quarter}-${version}.xlsx`)}`)
    .send(workbook);
}

/** Frozen quarterly reports and their restatements. */
export function createReportsRouter(deps: RouteDeps): Router {
  const router = Router();
  router.get('/reports', async (_req, res) => {
    authorize(currentUser(res), 'statistics.read');
    res.json({ items: await reportList(deps.db) });
  });
  /** The frozen report, or with ?restatement=N that restatement, as an Excel sheet with Chinese headers. */
  router.get('/reports/:quarter.xlsx', async (req, res) => sendReportWorkbook(deps, currentUser(res), req, res));

  router.get('/reports/:quarter', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'statistics.read');
    const { quarter } = parse(reportParams, req.params, 'path');
    const found = await reportWithRestatements(deps.db, quarter);
    if (!found) throw notFound(`report for ${quarter}`);
    res.json({
      quarter,
      scope: user.city ?? PROVINCE_WIDE,
      frozen: { content: reportForUser(found.report.content, user), contentHash: found.report.content_hash, frozenAt: found.report.frozen_at.toISOString() },
      restatements: found.restatements.map((r) => ({ seq: r.seq, content: reportForUser(r.content, user), contentHash: r.content_hash, previousHash: r.previous_hash, restatedAt: r.restated_at.toISOString() })),
    });
  });
  return router;
}

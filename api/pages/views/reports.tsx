import type { reportList } from '../../reports.routes.js';
import type { Translate } from '../catalog.js';
import { TableHead } from './table-head.js';

export type ReportRow = Awaited<ReturnType<typeof reportList>>[number];

/** The frozen quarterly dispatch reports, each with its Excel download and one per restatement (更正). */
export function Reports({ t, reports, scope }: { t: Translate; reports: readonly ReportRow[]; scope: string }) {
  return (
    <>
      <h1>
        {t('reports')} · {scope}
      </h1>
      <p class="muted">{t('reportsHelp')}</p>
      {reports.length === 0 ? (
        <p class="card">{t('noReports')}</p>
      ) : (
        <table id="reports">
          <TableHead headings={[t('quarter'), t('frozenAt'), t('contentHash'), t('downloads')]} />
          <tbody>
            {reports.map((r) => (
              <tr data-quarter={r.quarter}>
                <td>{r.quarter}</td>
                <td data-label={t('frozenAt')}>{t.time(r.frozenAt)}</td>
                <td data-label={t('contentHash')}>
                  <code>{r.contentHash.slice(0, 12)}</code>
                </td>
                <td data-label={t('downloads')}>
                  <a href={`/reports/${r.quarter}.xlsx`}>{t('published')}</a>
                  {Array.from({ length: r.restatements }, (_, i) => (
                    <>
                      {' · '}
                      <a href={`/reports/${r.quarter}.xlsx?restatement=${i + 1}`}>{t('restatement', { n: i + 1 })}</a>
                    </>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

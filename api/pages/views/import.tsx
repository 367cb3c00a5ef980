import type { ImportResult } from '../../summit-import/run.js';
import type { RowProblem } from '../../summit-import/rows.js';
import type { SheetRow } from '../../summit-import/sheet.js';
import type { Translate } from '../catalog.js';
import { projectPath } from '../paths.js';
import { IMPORT_SCRIPT_PATH } from '../scripts.js';
import { CsrfField, Script } from './layout.js';
import { TableHead } from './table-head.js';

/** The summit import page: a file, then progress while its projects start, then a summary or the rows to fix. */
export function ImportPage({ t, csrfToken }: { t: Translate; csrfToken: string }) {
  return (
    <>
      <h1>{t('importBatch')}</h1>
      <p class="muted">{t('importHelp')}</p>
      <form method="post" action="/imports" enctype="multipart/form-data" id="import-form" class="card" data-no-file={t('importNoFile')}>
        <CsrfField token={csrfToken} />
        <label for="import-file">{t('importFile')}</label>
        <input type="file" id="import-file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
        <button type="submit" class="primary">
          {t('importStart')}
        </button>
      </form>
      <progress id="import-progress" hidden></progress>
      <p id="import-status" role="status"></p>
      <div id="import-result"></div>
      <Script src={IMPORT_SCRIPT_PATH} />
    </>
  );
}

/** What the import did: how many started, how many had started before, and any row another project took meanwhile. */
export function ImportSummary({ t, result }: { t: Translate; result: ImportResult }) {
  return (
    <div class="flash" id="import-summary" role="status">
      <p>
        <strong>{t('importDone', { started: result.started.length, already: result.alreadyStarted.length, total: result.total })}</strong>
      </p>
      {result.started.length > 0 && (
        <p>
          {result.started.map((code) => (
            <>
              <a href={projectPath(code)}>{code}</a>{' '}
            </>
          ))}
        </p>
      )}
      {result.conflicts.length > 0 && <RowProblems t={t} problems={result.conflicts} rows={[]} />}
    </div>
  );
}

/** The rows to fix, each shown with its code and name and every problem in it; nothing was started. */
export function RowProblems({ t, problems, rows }: { t: Translate; problems: readonly RowProblem[]; rows: readonly SheetRow[] }) {
  const byRow = new Map<number, RowProblem[]>();
  for (const p of problems) byRow.set(p.row, [...(byRow.get(p.row) ?? []), p]);
  const cellsOf = (row: number) => rows.find((r) => r.row === row)?.cells ?? {};
  return (
    <div class="alert" id="import-problems">
      <p>
        <strong>{t('importRejected', { rows: byRow.size, problems: problems.length })}</strong>
      </p>
      <table>
        <TableHead headings={[t('sheetRow'), t('project'), t('importProblem')]} />
        <tbody>
          {[...byRow.entries()].map(([row, list]) => (
            <tr data-row={row}>
              <td data-label={t('sheetRow')}>{row}</td>
              <td data-label={t('project')}>
                {cellsOf(row)['项目编号'] ?? ''} {cellsOf(row)['项目名称'] ?? ''}
              </td>
              <td data-label={t('importProblem')}>
                {list.map((p) => (
                  <div>
                    <strong>{p.column}</strong>: {p.reason}
                    {p.column in cellsOf(row) && <span class="muted"> （{cellsOf(row)[p.column] || '—'}）</span>}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { randomUUID } from 'node:crypto';
import { entryIdOf, type pendingVerifications } from '../../../db/funds.js';
import { formatMinor } from '../../../workflows/money.js';
import { fundsProgress } from '../../../workflows/project-state.js';
import type { FundsEntry, ProjectState } from '../../../workflows/state.js';
import type { Translate } from '../catalog.js';
import type { FundsNews } from '../params.js';
import { entryPath, projectPath } from '../paths.js';
import { CsrfField } from './layout.js';
import { TableHead } from './table-head.js';

/** The funds actions the signed-in user may take on this project now. */
export interface FundsPermissions {
  record: boolean;
  reverse: boolean;
  verify: boolean;
  void: boolean;
}

const money = (amountMinor: string | bigint, currency: string) => `${formatMinor(BigInt(amountMinor))} ${currency}`;

export function FundsFlash({ t, news }: { t: Translate; news: FundsNews | null }) {
  return news ? (
    <div class="flash" role="status">
      {t(`fundsFlash.${news.what}`)}: {news.id}
    </div>
  ) : null;
}

/** A verifier's button; `next` is where to go afterwards (the queue, or the project). */
function VerifyButton({ t, code, entryId, csrfToken, next }: { t: Translate; code: string; entryId: string; csrfToken: string; next: string }) {
  return (
    <form method="post" action={`${entryPath(code, entryId)}/verify`} class="verify">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="_request" value={randomUUID()} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class="primary">
        {t('verify')} {entryId}
      </button>
    </form>
  );
}

function EntryStatus({ t, entry: e }: { t: Translate; entry: FundsEntry }) {
  return (
    <>
      {e.voidedAt ? (
        <>
          <span class="badge">{t('voidedBy')}</span> {e.voidedBy}
          <div class="muted">{e.voidReason}</div>
        </>
      ) : e.verifiedAt ? (
        <>
          <span class="badge">{t('verifiedBy')}</span> {e.verifiedBy}
        </>
      ) : (
        <span class="badge red">{t('awaitingVerification')}</span>
      )}
      {e.reversedBy && (
        <div class="muted">
          {t('reversedBy')} {e.reversedBy}
        </div>
      )}
      <div class="muted">
        {t('enteredBy')} {e.enteredBy}
      </div>
    </>
  );
}

export interface FundsSectionProps {
  t: Translate;
  state: ProjectState;
  may: FundsPermissions;
  /** The signed-in user: nobody verifies what they entered themselves. */
  viewerId: string;
  csrfToken: string;
}

/** Totals and every entry of a project's ledger, with the actions the signed-in user may take. */
export function FundsSection({ t, state, may, viewerId, csrfToken }: FundsSectionProps) {
  const totals = fundsProgress(state);
  const at = projectPath(state.code);
  return (
    <>
      <h2 id="funds">{t('funds')}</h2>
      <div class="card">
        {totals.length === 0 && <span class="muted">—</span>}
        {totals.map(({ currency, verified, contracted, share }) => (
          <div data-total={currency}>
            {t('verifiedTotal')}: <strong>{money(verified, currency)}</strong>
            {share && ` / ${t('contracted')} ${money(contracted, currency)} (${share}%)`}
          </div>
        ))}
        {state.capitalIncreases.map((c) => (
          <div data-increase={c.id}>
            {t('capitalIncreases')} {c.id}: {money(c.amountMinor, c.currency)} · {c.agreedOn} · {c.enteredBy}
          </div>
        ))}
        {may.record && (
          <div>
            <a href={`${at}/funds/new`} id="record-funds">
              {t('recordFunds')} →
            </a>
            {' · '}
            <a href={`${at}/capital-increases/new`} id="increase-capital">
              {t('increaseCapital')} →
            </a>
          </div>
        )}
      </div>
      {state.funds.length > 0 && (
        <table id="ledger">
          <TableHead headings={[t('funds'), t('amount'), t('receivedOn'), t('status'), '']} />
          <tbody>
            {state.funds.map((e) => (
              <tr data-entry={e.id}>
                <td>
                  {e.id} · {t(`entryKind.${e.kind}`)}
                  {e.reverses && ` ${e.reverses}`}
                  <div class="muted">{e.reason ?? e.evidence}</div>
                </td>
                <td data-label={t('amount')}>{money(e.amountMinor, e.currency)}</td>
                <td data-label={t('receivedOn')}>{e.receivedOn}</td>
                <td data-label={t('status')}>
                  <EntryStatus t={t} entry={e} />
                </td>
                <td>
                  {may.verify && !e.verifiedAt && !e.voidedAt && e.enteredBy !== viewerId && <VerifyButton t={t} code={state.code} entryId={e.id} csrfToken={csrfToken} next={at} />}
                  {/* A verified tranche is corrected by a reversal; an unverified entry is voided. */}
                  {may.reverse && e.kind === 'tranche' && e.verifiedAt && !e.reversedBy && <a href={`${entryPath(state.code, e.id)}/reverse`}>{t('reverse')}</a>}
                  {may.void && !e.verifiedAt && !e.voidedAt && <a href={`${entryPath(state.code, e.id)}/void`}>{t('void')}</a>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export type PendingEntry = Awaited<ReturnType<typeof pendingVerifications>>[number];

/** The verifier's queue: every entry in the verifier's city awaiting verification, oldest first. */
export function FundsQueue({ t, city, entries, viewerId, csrfToken, news }: { t: Translate; city: string | null; entries: readonly PendingEntry[]; viewerId: string; csrfToken: string; news: FundsNews | null }) {
  return (
    <>
      <FundsFlash t={t} news={news} />
      <h1>
        {t('fundsQueue')}
        {city && ` · ${city}`}
      </h1>
      {entries.length === 0 && <p class="card">{t('nothingToVerify')}</p>}
      {entries.map((e) => {
        const id = entryIdOf(e.project_code, e.entry_id);
        return (
          <article class="card" data-entry={`${e.project_code}/${id}`}>
            <div>
              <strong>{money(e.amount_minor, e.currency)}</strong> · {t(`entryKind.${e.kind}`)} {id}
              {e.reverses && ` (${entryIdOf(e.project_code, e.reverses)})`}
            </div>
            <div>
              <a href={`${projectPath(e.project_code)}#funds`}>
                {e.name} · {e.project_code}
              </a>{' '}
              · {e.city}
            </div>
            <div class="muted">
              {t('receivedOn')} {e.received_on} · {t('evidence')}: {e.reason ?? e.evidence} · {t('enteredBy')} {e.entered_by} · {t.time(e.entered_at)}
            </div>
            {e.entered_by !== viewerId && <VerifyButton t={t} code={e.project_code} entryId={id} csrfToken={csrfToken} next="/funds" />}
          </article>
        );
      })}
    </>
  );
}

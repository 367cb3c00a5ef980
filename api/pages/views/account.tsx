import type { listApiTokens } from '../../../db/users.js';
import type { Translate } from '../catalog.js';
import { CsrfField } from './layout.js';
import { TableHead } from './table-head.js';

export type ApiTokenRow = Awaited<ReturnType<typeof listApiTokens>>[number];

/** The pages of one's own account. */
export function AccountNav({ t }: { t: Translate }) {
  return (
    <nav class="actions" aria-label={t('account')}>
      <a href="/account/password">{t('changePassword')}</a>
      <a href="/account/channels">{t('myChannels')}</a>
      <a href="/account/tokens">{t('myTokens')}</a>
    </nav>
  );
}

/** One's own API tokens (never the token itself), each active one with a button that revokes it. */
export function MyTokens({ t, tokens, csrfToken, revoked }: { t: Translate; tokens: readonly ApiTokenRow[]; csrfToken: string; revoked: string | null }) {
  return (
    <>
      <h1>{t('myTokens')}</h1>
      <AccountNav t={t} />
      {revoked && (
        <div class="flash" role="status">
          {t('tokenRevokedMine', { id: revoked })}
        </div>
      )}
      <p class="muted">{t('myTokensHelp')}</p>
      {tokens.length === 0 ? (
        <p class="card">{t('noTokens')}</p>
      ) : (
        <table id="my-tokens">
          <TableHead headings={[t('tokenLabel'), t('tokenCreated'), t('tokenLastUsed'), t('tokenExpires'), '']} />
          <tbody>
            {tokens.map((k) => (
              <tr data-token={k.id}>
                <td>{k.label}</td>
                <td data-label={t('tokenCreated')}>{t.time(k.createdAt)}</td>
                <td data-label={t('tokenLastUsed')}>{t.time(k.lastUsedAt)}</td>
                <td data-label={t('tokenExpires')}>{k.expiresAt ? t.time(k.expiresAt) : '—'}</td>
                <td>
                  {k.active ? (
                    <form method="post" action={`/account/tokens/${k.id}/revoke`} class="inline">
                      <CsrfField token={csrfToken} />
                      <button type="submit" class="link">
                        {t('revokeToken')}
                      </button>
                    </form>
                  ) : (
                    <span class="badge">{k.revokedAt ? t('tokenRevokedBadge') : t('tokenExpiredBadge')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

import type { listApiTokens, listUsers, userDetails } from '../../../db/users.js';
import { DEPARTMENT_LABELS, type Department } from '../../../workflows/reference.js';
import { ADMIN, type AdminNewsQuery } from '../admin-shared.js';
import type { Translate } from '../catalog.js';
import { AdminPage, FormLink, PostButton } from './admin.js';
import { TableHead } from './table-head.js';

export type UserRow = Awaited<ReturnType<typeof listUsers>>[number];
export type UserDetails = NonNullable<Awaited<ReturnType<typeof userDetails>>>;
export type TokenRow = Awaited<ReturnType<typeof listApiTokens>>[number];

const departmentOf = (t: Translate, d: string | null) => (d ? t(DEPARTMENT_LABELS[d as Department]) : '—');

function UserStatus({ t, disabledAt }: { t: Translate; disabledAt: Date | null }) {
  return disabledAt ? <span class="badge red">{t('userDisabled')}</span> : <span class="badge">{t('userActive')}</span>;
}

/** Every user the admin manages, with a link to each and to the form that adds one. */
export function UserList({ t, users, news }: { t: Translate; users: readonly UserRow[]; news: AdminNewsQuery }) {
  return (
    <AdminPage t={t} title={t('adminUsers')} news={news}>
      <FormLink href={`${ADMIN.users}/new`} label={t('addUser')} id="add-user" />
      <table>
        <TableHead headings={[t('loginName'), t('role'), t('city'), t('department'), t('status')]} />
        <tbody>
          {users.map((u) => (
            <tr data-user={u.id}>
              <td>
                <a href={ADMIN.user(u.id)}>{u.id}</a>
                <div class="muted">{u.name}</div>
              </td>
              <td data-label={t('role')}>{t(`role.${u.role}`)}</td>
              <td data-label={t('city')}>{u.city ?? t('province')}</td>
              <td data-label={t('department')}>{departmentOf(t, u.department)}</td>
              <td data-label={t('status')}>
                <UserStatus t={t} disabledAt={u.disabled_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminPage>
  );
}

export interface UserPageProps {
  t: Translate;
  user: UserDetails;
  tokens: readonly TokenRow[];
  csrfToken: string;
  /** The admin looking: they cannot disable themselves. */
  viewerId: string;
  news: AdminNewsQuery;
}

/** One user: who they are, their API tokens (each revocable), and what an admin can do to them. */
export function UserPage({ t, user, tokens, csrfToken, viewerId, news }: UserPageProps) {
  const path = ADMIN.user(user.id);
  return (
    <AdminPage t={t} title={`${user.name} · ${user.id}`} news={news}>
      <div class="card" id="user-details">
        <div>
          {t(`role.${user.role}`)} · {user.city ?? t('province')} · {departmentOf(t, user.department)} · <UserStatus t={t} disabledAt={user.disabled_at} />
        </div>
        <div class="muted">{user.email ?? t('noEmail')}</div>
        <p>
          <a href={`${path}/password`} id="set-password">
            {t('setPassword')}
          </a>
          {!user.disabled_at && user.id !== viewerId && <PostButton action={`${path}/disable`} csrfToken={csrfToken} label={t('disableUser')} id="disable-user" />}
        </p>
      </div>
      <h2>{t('apiTokens')}</h2>
      <FormLink href={`${path}/tokens/new`} label={t('issueToken')} id="issue-token" />
      {tokens.length === 0 ? (
        <p class="card">{t('noTokens')}</p>
      ) : (
        <table>
          <TableHead headings={[t('tokenLabel'), t('issuedAt'), t('expiresAt'), t('lastUsedAt'), t('status'), '']} />
          <tbody>
            {tokens.map((k) => (
              <tr data-token={k.id}>
                <td>{k.label}</td>
                <td data-label={t('issuedAt')}>{t.time(k.createdAt)}</td>
                <td data-label={t('expiresAt')}>{k.expiresAt ? t.time(k.expiresAt) : t('never')}</td>
                <td data-label={t('lastUsedAt')}>{k.lastUsedAt ? t.time(k.lastUsedAt) : t('never')}</td>
                <td data-label={t('status')}>{k.revokedAt ? `${t('tokenRevoked')} ${t.time(k.revokedAt)}` : k.active ? t('tokenActive') : t('tokenExpired')}</td>
                <td>{!k.revokedAt && <PostButton action={`${path}/tokens/${k.id}/revoke`} csrfToken={csrfToken} label={t('revokeToken')} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminPage>
  );
}

/** A new API token, on the one page that shows it; or why it is no longer shown. */
export function IssuedToken({ t, userId, token }: { t: Translate; userId: string; token: string | null }) {
  return (
    <AdminPage t={t} title={t('issueToken')}>
      {token ? (
        <div class="card">
          <p>{t('tokenShownOnce')}</p>
          <p class="secret" id="new-token">
            {token}
          </p>
        </div>
      ) : (
        <p class="alert">{t('tokenNoLongerShown')}</p>
      )}
      <p>
        <a href={ADMIN.user(userId)}>← {userId}</a>
      </p>
    </AdminPage>
  );
}

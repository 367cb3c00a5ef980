import { sql } from 'kysely';
import type { NotificationRequest } from '../workflows/state.js';
import type { Db } from './connection.js';

/** Records what a workflow asked to be sent; the dedupe key makes a retried request a no-op. */
export async function insertNotificationRequests(db: Db, requests: NotificationRequest[]): Promise<void> {
  if (!requests.length) return;
  await db
    .insertInto('notification_requests')
    .values(
      requests.map((r) => ({
        dedupe_key: r.dedupeKey,
        project_code: r.projectCode,
        kind: r.kind,
        audience: r.audience,
        city: r.city,
        department: r.department,
        payload: JSON.stringify(r.payload),
        requested_at: r.requestedAt,
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/** A user's newest in-app notifications (at most 100), newest first. */
export async function inAppNotifications(db: Db, userId: string) {
  return db.selectFrom('in_app_notifications').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(100).execute();
}

/** How many of a user's in-app notifications are unread. */
export async function unreadNotificationCount(db: Db, userId: string): Promise<number> {
  const unread = await db.selectFrom('in_app_notifications').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirstOrThrow();
  return Number(unread.n);
}

/** Marks one of the user's notifications read; reading it again keeps the first time. False if the user has no such notification. */
export async function markNotificationRead(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db.updateTable('in_app_notifications').set({ read_at: sql<string>`coalesce(read_at, now())` }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

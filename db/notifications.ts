import type { NotificationRequest } from '../workflows/contract.js';
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

import { sql } from 'kysely';
import type { WriteFailureRecord } from '../workflows/state.js';
import type { Db } from './connection.js';

/**
 * Records a write that failed for good, once, and marks the project's row (if it has one) stuck
 * with reason `system`, so that lists and the stuck list show it before any re-projection.
 */
export async function recordWriteFailure(db: Db, f: WriteFailureRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('write_failures')
      .values({ project_code: f.projectCode, city: f.city, activity: f.activity, version: f.version, message: f.message, failed_at: f.at })
      .onConflict((oc) => oc.columns(['project_code', 'version', 'activity']).doNothing())
      .execute();
    await trx
      .updateTable('projects')
      .set({
        stuck: true,
        stuck_reasons: sql<string[]>`array(select distinct r from unnest(stuck_reasons || array['system']) r order by r)`,
        stuck_since: sql<string>`coalesce(stuck_since, ${f.at}::timestamptz)`,
      })
      .where('code', '=', f.projectCode)
      .execute();
  });
}

/** Open failures of projects that have no projection row at all (their registration could not be written). */
export async function unprojectedFailures(db: Db, city: string | null) {
  let q = db
    .selectFrom('write_failures as f')
    .leftJoin('projects as p', 'p.code', 'f.project_code')
    .where('f.resolved_at', 'is', null)
    .where('p.code', 'is', null)
    .select(['f.project_code', 'f.city', 'f.activity', 'f.message', 'f.failed_at'])
    .orderBy('f.failed_at');
  if (city) q = q.where('f.city', '=', city);
  return q.execute();
}

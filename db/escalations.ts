import type { Db } from './connection.js';

/** A project's escalations (督办), the earliest first. */
export async function projectEscalations(db: Db, projectCode: string) {
  return db.selectFrom('escalations').selectAll().where('project_code', '=', projectCode).orderBy('escalated_at').execute();
}

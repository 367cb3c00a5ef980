import type { Db } from './connection.js';

/** A project's audit log, newest first: every action taken on it, by whom and when. */
export async function projectHistory(db: Db, code: string, limit = 200) {
  return db
    .selectFrom('audit_log')
    .select(['version', 'kind', 'actor', 'occurred_at', 'data'])
    .where('project_code', '=', code)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
}

export type HistoryEntry = Awaited<ReturnType<typeof projectHistory>>[number];

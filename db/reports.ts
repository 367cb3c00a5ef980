import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './connection.js';

export type PublishOutcome =
  | { status: 'frozen'; hash: string }
  | { status: 'unchanged'; hash: string }
  | { status: 'restated'; hash: string; seq: number; previousHash: string };

/** JSON with every object's keys sorted: the same figures always give the same text, wherever they were stored. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the canonical JSON: anyone can check a frozen report against its hash. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * Freezes a quarter's report the first time; later, a report with other figures becomes a
 * restatement against the latest published version, and the same figures change nothing.
 * `publishedBy` (the workflow run) makes a retry idempotent in its outcome too: if that run
 * published the latest version, the retry is told what it published, not "unchanged", so that
 * the run still notifies supervisors.
 */
export async function publishReport(db: Db, quarter: string, content: Record<string, unknown>, publishedBy: string | null = null): Promise<PublishOutcome> {
  const hash = contentHash(content);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`report:${quarter}`}))`.execute(trx);
    const frozen = await trx.selectFrom('reports').select(['content_hash', 'published_by']).where('quarter', '=', quarter).executeTakeFirst();
    if (!frozen) {
      await trx.insertInto('reports').values({ quarter, content: JSON.stringify(content), content_hash: hash, published_by: publishedBy }).execute();
      return { status: 'frozen', hash } as const;
    }
    const last = await trx
      .selectFrom('report_restatements')
      .select(['seq', 'content_hash', 'previous_hash', 'published_by'])
      .where('quarter', '=', quarter)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const latest = last?.content_hash ?? frozen.content_hash;
    if (latest === hash) {
      const byThisRun = publishedBy !== null && (last ? last.published_by : frozen.published_by) === publishedBy;
      if (!byThisRun) return { status: 'unchanged', hash } as const;
      return last ? ({ status: 'restated', hash, seq: last.seq, previousHash: last.previous_hash } as const) : ({ status: 'frozen', hash } as const);
    }
    const seq = (last?.seq ?? 0) + 1;
    await trx.insertInto('report_restatements').values({ quarter, seq, content: JSON.stringify(content), content_hash: hash, previous_hash: latest, published_by: publishedBy }).execute();
    return { status: 'restated', hash, seq, previousHash: latest } as const;
  });
}

export async function reportWithRestatements(db: Db, quarter: string) {
  const report = await db.selectFrom('reports').selectAll().where('quarter', '=', quarter).executeTakeFirst();
  if (!report) return undefined;
  const restatements = await db.selectFrom('report_restatements').selectAll().where('quarter', '=', quarter).orderBy('seq').execute();
  return { report, restatements };
}

export async function listReports(db: Db) {
  return db
    .selectFrom('reports')
    .select((eb) => [
      'quarter',
      'content_hash',
      'frozen_at',
      eb.selectFrom('report_restatements').whereRef('report_restatements.quarter', '=', 'reports.quarter').select(eb.fn.countAll<string>().as('n')).as('restatements'),
    ])
    .orderBy('quarter', 'desc')
    .execute();
}

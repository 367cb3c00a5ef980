import type { CapitalIncrease, FundsEntry } from '../workflows/state.js';
import type { Db } from './connection.js';

/** The ledger's key for an entry: unique across projects. */
export const ledgerId = (projectCode: string, entryId: string) => `${projectCode}:${entryId}`;
/** The entry's id within its project (F1) from its ledger key. */
export const entryIdOf = (projectCode: string, ledgerKey: string) => ledgerKey.slice(projectCode.length + 1);

/** Appends an entry; writing the same entry again (a retried activity) does nothing. */
export async function appendFundsEntry(db: Db, projectCode: string, e: FundsEntry): Promise<void> {
  await db
    .insertInto('funds_entries')
    .values({
      entry_id: ledgerId(projectCode, e.id),
      project_code: projectCode,
      kind: e.kind,
      amount_minor: e.amountMinor,
      currency: e.currency,
      received_on: e.receivedOn,
      evidence: e.evidence,
      entered_by: e.enteredBy,
      entered_at: e.enteredAt,
      reverses: e.reverses ? ledgerId(projectCode, e.reverses) : null,
      reason: e.reason,
    })
    .onConflict((oc) => oc.column('entry_id').doNothing())
    .execute();
}

/** Records who verified an entry; the database refuses the person who entered it. */
export async function appendVerification(db: Db, projectCode: string, entryId: string, verifiedBy: string, verifiedAt: string): Promise<void> {
  await db
    .insertInto('funds_verifications')
    .values({ entry_id: ledgerId(projectCode, entryId), verified_by: verifiedBy, verified_at: verifiedAt })
    .onConflict((oc) => oc.column('entry_id').doNothing())
    .execute();
}

const ENTRY_COLUMNS = [
  'funds_entries.entry_id',
  'funds_entries.kind',
  'funds_entries.amount_minor',
  'funds_entries.currency',
  'funds_entries.received_on',
  'funds_entries.evidence',
  'funds_entries.entered_by',
  'funds_entries.entered_at',
  'funds_entries.reverses',
  'funds_entries.reason',
] as const;

export async function projectLedger(db: Db, projectCode: string) {
  return db
    .selectFrom('funds_entries')
    .leftJoin('funds_verifications', 'funds_verifications.entry_id', 'funds_entries.entry_id')
    .leftJoin('funds_voids', 'funds_voids.entry_id', 'funds_entries.entry_id')
    .select([...ENTRY_COLUMNS, 'funds_verifications.verified_by', 'funds_verifications.verified_at', 'funds_voids.voided_by', 'funds_voids.voided_at', 'funds_voids.reason as void_reason'])
    .where('funds_entries.project_code', '=', projectCode)
    .orderBy('funds_entries.entered_at')
    .orderBy('funds_entries.entry_id')
    .execute();
}

/** Records that an entry is void; again (a retried activity) does nothing. The database refuses a verified entry. */
export async function appendVoid(db: Db, projectCode: string, v: { entryId: string; voidedBy: string; voidedAt: string; reason: string }): Promise<void> {
  await db
    .insertInto('funds_voids')
    .values({ entry_id: ledgerId(projectCode, v.entryId), voided_by: v.voidedBy, voided_at: v.voidedAt, reason: v.reason })
    .onConflict((oc) => oc.column('entry_id').doNothing())
    .execute();
}

/** Records a capital increase's increment; the same increase again (a retried activity) does nothing. */
export async function appendCapitalIncrease(db: Db, projectCode: string, increase: CapitalIncrease): Promise<void> {
  await db
    .insertInto('capital_increases')
    .values({
      increase_id: ledgerId(projectCode, increase.id),
      project_code: projectCode,
      amount_minor: increase.amountMinor,
      currency: increase.currency,
      agreed_on: increase.agreedOn,
      entered_by: increase.enteredBy,
    })
    .onConflict((oc) => oc.column('increase_id').doNothing())
    .execute();
}

/** Entries nobody has verified yet, in a city or province-wide (`city` null), oldest first: a verifier's queue. */
export async function pendingVerifications(db: Db, { city, limit }: { city: string | null; limit: number }) {
  let query = db
    .selectFrom('funds_entries')
    .innerJoin('projects', 'projects.code', 'funds_entries.project_code')
    .leftJoin('funds_verifications', 'funds_verifications.entry_id', 'funds_entries.entry_id')
    .leftJoin('funds_voids', 'funds_voids.entry_id', 'funds_entries.entry_id')
    .select([...ENTRY_COLUMNS, 'funds_entries.project_code', 'projects.name', 'projects.city'])
    .where('funds_verifications.entry_id', 'is', null)
    .where('funds_voids.entry_id', 'is', null);
  if (city) query = query.where('projects.city', '=', city);
  return query.orderBy('funds_entries.entered_at').orderBy('funds_entries.entry_id').limit(limit).execute();
}

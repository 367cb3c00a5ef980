import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from './connection.js';
import type { TargetTable } from './schema.js';

/** An annual target (年度目标) of a city or the province, in one category. */
export type Target = Selectable<TargetTable>;
export type NewTarget = Insertable<TargetTable>;

/** A year's targets, or a city's only, by city then category. */
export async function listTargets(db: Db, year: number, city: string | null): Promise<Target[]> {
  let q = db.selectFrom('targets').selectAll().where('year', '=', year);
  if (city) q = q.where('city', '=', city);
  return q.orderBy('city').orderBy('category').execute();
}

/** Sets a target; setting it again replaces the amount and records who set it, and when. */
export async function setTarget(db: Db, target: NewTarget): Promise<void> {
  await db
    .insertInto('targets')
    .values(target)
    .onConflict((oc) => oc.columns(['year', 'city', 'category']).doUpdateSet((eb) => ({ amount_minor: eb.ref('excluded.amount_minor'), set_by: eb.ref('excluded.set_by'), set_at: sql<Date>`now()` })))
    .execute();
}

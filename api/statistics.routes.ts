import { Router } from 'express';
import { z } from 'zod';
import { CATEGORY_CURRENCY, quarterPeriod, statistics } from '../db/report-content.js';
import { type Period } from '../db/statistics.js';
import { CITIES, PROVINCE_WIDE } from '../workflows/reference.js';
import { listTargets, setTarget } from '../db/targets.js';
import type { Db } from '../db/connection.js';
import type { User } from '../db/users.js';
import { currentUser } from './auth.js';
import type { RouteDeps } from './http.js';
import { parse } from './http.js';
import { authorize } from './policy.js';
import { calendarDate, currency, minorUnits, safeText } from '../workflows/input.js';
import { Problem } from './problem.js';

const date = calendarDate;
export const statisticsQuery = z
  .strictObject({
    city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`).optional(),
    /** A quarter (2017Q1), a year to date (ytd=2017-04-30), or a range (from, to). */
    quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter such as 2017Q1').optional(),
    ytd: date.optional(),
    from: date.optional(),
    to: date.optional(),
    /** The signing cohort for the landing rate: a signing event; by default the projects signed in the period. */
    signingEvent: safeText(200).optional(),
  })
  .refine((q) => [q.quarter, q.ytd, q.from ?? q.to].filter(Boolean).length === 1 && (q.from === undefined) === (q.to === undefined), {
    message: 'give one period: quarter, ytd, or both from and to',
    path: ['period'],
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const targetBody = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  city: z.enum([PROVINCE_WIDE, ...CITIES], `must be ${PROVINCE_WIDE} or one of ${CITIES.join(', ')}`),
  category: z.enum(['domestic', 'foreign', 'out_of_province'], 'must be domestic, foreign or out_of_province'),
  amountMinor: minorUnits({ positive: true }),
  currency,
});

/** Sets an annual target; a currency other than the category's is a 400 naming the field. */
export async function saveTarget(db: Db, admin: User, t: z.output<typeof targetBody>): Promise<void> {
  if (t.currency !== CATEGORY_CURRENCY[t.category]) {
    throw new Problem(400, 'Invalid request', `A ${t.category} target is in ${CATEGORY_CURRENCY[t.category]}.`, [{ field: 'currency', reason: `must be ${CATEGORY_CURRENCY[t.category]} for a ${t.category} target` }]);
  }
  await setTarget(db, { year: t.year, city: t.city, category: t.category, amount_minor: t.amountMinor, currency: t.currency, set_by: admin.id });
}

function periodOf(q: z.output<typeof statisticsQuery>): Period {
  if (q.quarter) return quarterPeriod(q.quarter);
  if (q.ytd) return { from: `${q.ytd.slice(0, 4)}-01-01`, to: q.ytd };
  return { from: q.from!, to: q.to! };
}

export function createStatisticsRouter(deps: RouteDeps): Router {
  const router = Router();

  router.get('/statistics', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'statistics.read');
    const q = parse(statisticsQuery, req.query, 'query');
    if (user.city && q.city && q.city !== user.city) throw new Problem(403, 'Forbidden', `${user.id} reads figures for ${user.city} only.`);
    res.json(await statistics(deps.db, user.city ?? q.city ?? null, periodOf(q), q.signingEvent));
  });

  router.get('/targets', async (req, res) => {
    const user = currentUser(res);
    authorize(user, 'statistics.read');
    const { year } = parse(z.object({ year: z.coerce.number('must be a year').int().min(2000).max(2100) }), req.query, 'query');
    // A city's users see their city's targets only.
    res.json({ items: await listTargets(deps.db, year, user.city) });
  });

  router.post('/targets', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'targets.manage');
    const t = parse(targetBody, req.body, 'body');
    await saveTarget(deps.db, admin, t);
    res.status(201).json(t);
  });

  return router;
}

import { z } from 'zod';
import { taskKey } from '../../workflows/messages.js';
import { CITIES } from '../../workflows/reference.js';
import { taskParams } from '../schemas.js';

// Path parameters are the API's (codeParams, taskParams, fundsEntryParams); these are the pages' own.

/** 督办单 of a task at a rung. */
export const noticeParams = taskParams.extend({ rung: z.coerce.number('must be a rung').int('must be a whole number') });

/** An in-app notification, as the API names it. */
export const notificationParams = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a number') });

const FUNDS_NEWS = ['recorded', 'verified', 'reversed', 'voided', 'increased'] as const;

/** What a funds action leaves in the address (`?funds=recorded:F1`), for a flash line. */
export interface FundsNews {
  what: (typeof FUNDS_NEWS)[number];
  id: string;
}

/** Anything else in `funds` shows no flash line. */
const fundsNews = z
  .string()
  .regex(new RegExp(`^(${FUNDS_NEWS.join('|')}):[FC]\\d{1,6}$`))
  .transform((v): FundsNews => {
    const [what, id] = v.split(':') as [FundsNews['what'], string];
    return { what, id };
  })
  .optional()
  .catch(undefined);

const PROJECT_NEWS = ['stage', 'liaison', 'withdrawn', 'merged', 'blocker', 'resolved', 'created', 'reprojected'] as const;
/** What a project action leaves in the address (`?did=merged`), for a flash line. */
export type ProjectNews = (typeof PROJECT_NEWS)[number];

/** The project page after an action: the task just completed, the funds entry just touched, or what else was done. */
export const projectPageQuery = z.object({ done: taskKey.optional().catch(undefined), funds: fundsNews, did: z.enum(PROJECT_NEWS).optional().catch(undefined) });

/** A task's form after a blocker was reported from it. */
export const taskPageQuery = z.object({ blocker: z.literal('reported').optional().catch(undefined) });

export const fundsQueueQuery = z.object({ funds: fundsNews });

/** The password page after a change: `changed=1` says so. */
export const passwordPageQuery = z.object({ changed: z.literal('1').optional().catch(undefined) });

/** The dashboard's period (checked by periodOf, so that the form can say what is wrong) and city; an unknown city is the whole province. */
export const dashboardQuery = z.object({
  period: z.string('must be a quarter or a date').optional(),
  city: z.enum(CITIES).optional().catch(undefined),
});

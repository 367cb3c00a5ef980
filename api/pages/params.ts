import { z } from 'zod';
import { taskKey } from '../../workflows/messages.js';
import { CITIES } from '../../workflows/reference.js';
import { taskParams } from '../schemas.js';
import type { FundsNews } from './views/funds.js';

// Path parameters are the API's (codeParams, taskParams, fundsEntryParams); these are the pages' own.

/** 督办单 of a task at a rung. */
export const noticeParams = taskParams.extend({ rung: z.coerce.number('must be a rung').int('must be a whole number') });

/** An in-app notification, as the API names it. */
export const notificationParams = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a number') });

/** What a funds action leaves in the address, for a flash line; anything else shows none. */
const fundsNews = z
  .string()
  .regex(/^(recorded|verified|reversed|voided|increased):[FC]\d{1,6}$/)
  .transform((v): FundsNews => {
    const [what, id] = v.split(':') as [FundsNews['what'], string];
    return { what, id };
  })
  .optional()
  .catch(undefined);

/** The project page after an action: the task just completed, or the funds entry just touched. */
export const projectPageQuery = z.object({ done: taskKey.optional().catch(undefined), funds: fundsNews });

export const fundsQueueQuery = z.object({ funds: fundsNews });

/** The dashboard's period (checked by periodOf, so that the form can say what is wrong) and city; an unknown city is the whole province. */
export const dashboardQuery = z.object({
  period: z.string('must be a quarter or a date').optional(),
  city: z.enum(CITIES).optional().catch(undefined),
});

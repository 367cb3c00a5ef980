import { Router } from 'express';
import { z } from 'zod';
import { calendarExceptions, setCalendarDays } from '../db/calendar.js';
import { ROLES } from '../db/schema.js';
import { addTemplateVersion, latestTemplate, listTemplates, TemplateError } from '../db/templates.js';
import { createApiToken, createUser, listUsers, userExists } from '../db/users.js';
import { CITIES, DEPARTMENTS } from '../workflows/reference.js';
import { currentUser } from './auth.js';
import { notFound, parse, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { calendarDate, safeText } from '../workflows/input.js';
import { Problem } from './problem.js';

export const newUserBody = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'must be a login name: lower-case letters, digits, . _ -'),
    name: safeText(100),
    role: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`),
    city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`).nullable().default(null),
    department: z.enum(DEPARTMENTS, `must be one of ${DEPARTMENTS.join(', ')}`).nullable().default(null),
    email: z.email('must be an email address').nullable().default(null),
  })
  .refine((u) => (u.role === 'staff') === (u.department !== null), { message: 'is required for staff, and only for staff', path: ['department'] });

export const calendarDayBody = z.strictObject({
  day: calendarDate,
  kind: z.enum(['holiday', 'workday'], 'must be holiday or workday'),
  name: safeText(100),
});

/** What admins manage: users, task templates and the working-day calendar. */
export function createAdminRouter(deps: RouteDeps): Router {
  const router = Router();

  router.get('/users', async (_req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'users.manage');
    // An admin for one city sees that city's users only.
    res.json({ items: (await listUsers(deps.db)).filter((u) => !admin.city || u.city === admin.city) });
  });

  router.post('/users', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'users.manage');
    const user = parse(newUserBody, req.body, 'body');
    if (await userExists(deps.db, user.id)) {
      throw new Problem(409, 'User exists', `A user named ${user.id} already exists.`, [{ field: 'id', reason: 'already used' }]);
    }
    await createUser(deps.db, user);
    // Shown once: only its hash is kept.
    const token = await createApiToken(deps.db, user.id, `created by ${admin.id}`);
    res.status(201).json({ ...user, token });
  });

  router.get('/templates', async (_req, res) => {
    authorize(currentUser(res), 'reference.read');
    res.json({ items: await listTemplates(deps.db) });
  });

  router.get('/templates/:projectType', async (req, res) => {
    authorize(currentUser(res), 'reference.read');
    const { projectType } = parse(z.object({ projectType: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a project type such as industrial') }), req.params, 'path');
    const template = await latestTemplate(deps.db, projectType);
    if (!template) throw notFound(`template for project type ${projectType}`);
    res.json(template);
  });

  router.post('/templates', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'templates.manage');
    try {
      res.status(201).json(await addTemplateVersion(deps.db, req.body, admin.id));
    } catch (err) {
      if (err instanceof TemplateError) throw new Problem(400, 'Invalid template', 'Fix these parts of the template; nothing was saved.', err.issues);
      throw err;
    }
  });

  router.get('/calendar/:year', async (req, res) => {
    authorize(currentUser(res), 'reference.read');
    const { year } = parse(z.object({ year: z.string().regex(/^\d{4}$/, 'must be a year') }), req.params, 'path');
    const days = await calendarExceptions(deps.db, `${year}-01-01`, `${year}-12-31`);
    res.json({ year: Number(year), days: [...days].sort().map(([day, kind]) => ({ day, kind })) });
  });

  router.post('/calendar/days', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'calendar.manage');
    const day = parse(calendarDayBody, req.body, 'body');
    await setCalendarDays(deps.db, [day], `admin:${admin.id}`);
    res.status(201).json(day);
  });

  return router;
}

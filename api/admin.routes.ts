import { Router } from 'express';
import { z } from 'zod';
import { calendarExceptions, calendarYearCounts, importOfficialCalendar, officialCalendarYears, setCalendarDays } from '../db/calendar.js';
import type { Db } from '../db/connection.js';
import { passwordProblem } from '../db/passwords.js';
import { ROLES } from '../db/schema.js';
import { addTemplateVersion, latestTemplate, listTemplates, TemplateError, templateVersion } from '../db/templates.js';
import { createApiToken, createUser, disableUser, listUsers, setPassword, userDetails, userExists, type User } from '../db/users.js';
import { CITIES, DEPARTMENTS } from '../workflows/reference.js';
import { currentUser } from './auth.js';
import { notFound, parse, type RouteDeps } from './http.js';
import { authorize } from './policy.js';
import { calendarDate, safeText } from '../workflows/input.js';
import { Problem } from './problem.js';

const loginName = z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'must be a login name: lower-case letters, digits, . _ -');
export const userParams = z.object({ id: loginName });

/** A password as sign-in accepts it (db/passwords.ts says what is too short or too long). */
const password = z.string('must be a password').superRefine((p, ctx) => {
  const problem = passwordProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
export const passwordBody = z.strictObject({ password });

export const newUserBody = z
  .strictObject({
    id: loginName,
    name: safeText(100),
    role: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`),
    city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`).nullable().default(null),
    department: z.enum(DEPARTMENTS, `must be one of ${DEPARTMENTS.join(', ')}`).nullable().default(null),
    email: z.email('must be an email address').nullable().default(null),
    /** For signing in to the pages; without one, the user has an API token only until an admin sets one. */
    password: password.optional(),
  })
  .refine((u) => (u.role === 'staff') === (u.department !== null), { message: 'is required for staff, and only for staff', path: ['department'] });

export const calendarDayBody = z.strictObject({
  day: calendarDate,
  kind: z.enum(['holiday', 'workday'], 'must be holiday or workday'),
  name: safeText(100),
});

export const calendarImportBody = z.strictObject({
  year: z.number('must be a year').refine((y) => officialCalendarYears().includes(y), 'must be a year that chinese-days publishes'),
});

export const templateVersionParams = z.object({
  projectType: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a project type such as industrial'),
  version: z.coerce.number('must be a version number').int('must be a whole number').min(1, 'must be 1 or more'),
});

/** Adds a user (with their first password, if given); a login name already used is a 409 naming the field. */
export async function addUser(db: Db, user: z.output<typeof newUserBody>): Promise<void> {
  if (await userExists(db, user.id)) {
    throw new Problem(409, 'User exists', `A user named ${user.id} already exists.`, [{ field: 'id', reason: 'already used' }]);
  }
  const { password: first, ...details } = user;
  await createUser(db, details, first);
}

/** A user an admin manages: an admin for one city manages that city's users only; anyone else is a 404. */
export async function managedUser(db: Db, admin: User, id: string) {
  const user = await userDetails(db, id);
  if (!user || (admin.city && user.city !== admin.city)) throw notFound(`user ${id}`);
  return user;
}

/** Disables a user (their sessions and tokens stop working); an admin cannot lock themselves out. */
export async function disableManagedUser(db: Db, admin: User, id: string): Promise<void> {
  await managedUser(db, admin, id);
  if (id === admin.id) throw new Problem(409, 'Not allowed', 'Admins cannot disable themselves.', [{ field: 'id', reason: 'is you' }]);
  await disableUser(db, id);
}

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
    await addUser(deps.db, user);
    // Shown once: only its hash is kept.
    const token = await createApiToken(deps.db, user.id, `created by ${admin.id}`);
    const { password: _, ...shown } = user;
    res.status(201).json({ ...shown, token });
  });

  router.get('/users/:id', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'users.manage');
    res.json(await managedUser(deps.db, admin, parse(userParams, req.params, 'path').id));
  });

  router.post('/users/:id/disable', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'users.manage');
    const { id } = parse(userParams, req.params, 'path');
    await disableManagedUser(deps.db, admin, id);
    res.json({ id, disabled: true });
  });

  router.post('/users/:id/password', async (req, res) => {
    const admin = currentUser(res);
    authorize(admin, 'users.manage');
    const { id } = parse(userParams, req.params, 'path');
    const body = parse(passwordBody, req.body, 'body');
    await managedUser(deps.db, admin, id);
    await setPassword(deps.db, id, body.password);
    res.json({ id, passwordSet: true });
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

  router.get('/templates/:projectType/:version', async (req, res) => {
    authorize(currentUser(res), 'reference.read');
    const { projectType, version } = parse(templateVersionParams, req.params, 'path');
    const template = await templateVersion(deps.db, projectType, version);
    if (!template) throw notFound(`version ${version} of the template for project type ${projectType}`);
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

  router.get('/calendar', async (_req, res) => {
    authorize(currentUser(res), 'reference.read');
    res.json({ years: await calendarYearCounts(deps.db), official: officialCalendarYears() });
  });

  router.post('/calendar/imports', async (req, res) => {
    authorize(currentUser(res), 'calendar.manage');
    const { year } = parse(calendarImportBody, req.body, 'body');
    res.status(201).json({ year, added: await importOfficialCalendar(deps.db, year) });
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

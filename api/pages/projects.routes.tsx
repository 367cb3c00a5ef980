import type { Router } from 'express';
import { z } from 'zod';
import { listProjects } from '../../db/projects.js';
import { templateProjectTypes } from '../../db/templates.js';
import type { User } from '../../db/users.js';
import { CAPITAL_TYPE_LABELS, CAPITAL_TYPES, CITIES, INITIAL_STAGES, STAGE_LABELS } from '../../workflows/reference.js';
import { parse, type RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { Problem } from '../problem.js';
import { createProjectBody, listProjectsQuery } from '../schemas.js';
import { registerProject } from '../start-project.js';
import { CATALOG } from './catalog.js';
import { registerFormPage } from './form-page.js';
import { toMinorUnits, type FormValues, type PageField } from './forms.js';
import { sendPage, viewerOf } from './page.js';
import { projectPath } from './paths.js';
import { requireSignIn } from './session.js';
import { ProjectList } from './views/projects.js';

/** The list's query as a page sends it: an empty filter is no filter, and the language switch is not a filter. */
const listPageQuery = z.preprocess(
  (q) => Object.fromEntries(Object.entries((q ?? {}) as Record<string, unknown>).filter(([k, v]) => v !== '' && k !== 'lang')),
  listProjectsQuery,
);

/** Blank optional form values are absent (null), as the API's defaults expect. */
const orNull = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v);

/** The new-project form: the fields of POST /api/projects, checked by its schema. */
function newProjectFields(cities: readonly string[], projectTypes: readonly string[]): PageField[] {
  return [
    { key: 'code', type: 'line', required: true, label: CATALOG.projectCode },
    { key: 'name', type: 'line', required: true, label: CATALOG.projectName },
    { key: 'codename', type: 'line', required: false, label: CATALOG.codename },
    { key: 'city', type: 'choice', required: true, label: CATALOG.city, choices: cities.map((c) => ({ value: c, label: { zh: c, en: c } })) },
    { key: 'investor', type: 'line', required: true, label: CATALOG.investor },
    { key: 'capitalType', type: 'choice', required: true, label: CATALOG.capitalType, choices: CAPITAL_TYPES.map((c) => ({ value: c, label: CAPITAL_TYPE_LABELS[c] })) },
    { key: 'outOfProvince', type: 'boolean', required: false, label: CATALOG.outOfProvince },
    { key: 'stage', type: 'choice', required: true, label: CATALOG.initialStage, choices: INITIAL_STAGES.map((s) => ({ value: s, label: STAGE_LABELS[s] })) },
    { key: 'projectType', type: 'choice', required: true, label: CATALOG.projectType, choices: projectTypes.map((p) => ({ value: p, label: { zh: p, en: p } })) },
    { key: 'liaison', type: 'line', required: false, label: CATALOG.liaisonOptional },
    { key: 'contracted', type: 'money', required: false, label: CATALOG.contractedOptional },
    { key: 'signingEvent', type: 'line', required: false, label: CATALOG.signingEventOptional },
    { key: 'signedOn', type: 'date', required: false, label: CATALOG.signedOnOptional },
  ];
}

function newProjectInput(form: FormValues) {
  const amount = form.contracted?.trim() ?? '';
  return {
    code: form.code?.trim() ?? '',
    name: form.name ?? '',
    codename: orNull(form.codename),
    city: form.city ?? '',
    investor: form.investor ?? '',
    capitalType: form.capitalType ?? '',
    outOfProvince: form.outOfProvince === 'true',
    stage: form.stage ?? '',
    projectType: form.projectType ?? '',
    liaison: orNull(form.liaison),
    contracted: amount === '' ? null : { amountMinor: toMinorUnits(amount) ?? amount, currency: form.contracted__currency ?? 'CNY' },
    signingEvent: orNull(form.signingEvent),
    signedOn: orNull(form.signedOn),
  };
}

/** The coordinators' project pages: the list (from the projection) and the new-project form. */
export function registerProjectListPages(router: Router, deps: RouteDeps): void {
  router.get('/projects', requireSignIn, async (req, res) => {
    const { user, t } = viewerOf(res);
    authorize(user, 'project.read');
    const filters = parse(listPageQuery, req.query, 'query');
    // A city's users see their city only, as on the API.
    if (user.city && filters.city && filters.city !== user.city) throw new Problem(403, 'Forbidden', `${user.id} sees projects in ${user.city} only.`);
    const { items, total } = await listProjects(deps.db, { ...filters, city: user.city ?? filters.city });
    const mayCreate = user.role === 'coordinator';
    sendPage(res, 200, t('projects'), <ProjectList t={t} city={user.city} filters={filters} items={items} total={total} mayCreate={mayCreate} />);
  });

  registerFormPage(router, deps.db, {
    getPath: '/projects/new',
    postPath: '/projects',
    formId: 'project-form',
    params: z.object({}),
    load: async (_params: object, _query: object, user: User) => ({ projectTypes: await templateProjectTypes(deps.db), cities: user.city ? [user.city] : CITIES }),
    allows: 'project.create',
    target: () => undefined,
    title: () => 'newProject',
    // The cities offered are the user's own (every city for a province-wide coordinator); the API checks again.
    fields: ({ projectTypes, cities }) => newProjectFields(cities, projectTypes),
    initial: () => ({ stage: 'intention', projectType: 'industrial', capitalType: 'domestic' }),
    submit: 'createProject',
    postTo: () => '/projects',
    schema: createProjectBody,
    toInput: newProjectInput,
    apply: async (_ctx, body, acting) => {
      const { input } = await registerProject(deps, acting.user, body);
      return `${projectPath(input.code)}?did=created`;
    },
  });
}

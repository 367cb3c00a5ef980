import type { Router } from 'express';
import { z } from 'zod';
import { listProjects } from '../../db/projects.js';
import { activeUsersOfCity } from '../../db/users.js';
import { allowedNextStages, isTerminal } from '../../workflows/decisions/stages.js';
import { taskKey } from '../../workflows/messages.js';
import { advanceStage, markMerged, reassignLiaison, reportBlocker, resolveBlocker, withdraw } from '../../workflows/messages.js';
import { BLOCKER_CATEGORIES, BLOCKER_CATEGORY_LABELS, STAGE_LABELS } from '../../workflows/reference.js';
import type { ProjectState } from '../../workflows/state.js';
import { codeParams, notFound, queryProject, updateProject, type RouteDeps } from '../http.js';
import { checkMergeTarget } from '../merge-target.js';
import { advanceStageBody, blockerParams, mergeBody, projectCode, reassignLiaisonBody, reportBlockerBody, resolveBlockerBody, withdrawBody } from '../schemas.js';
import { safeText } from '../../workflows/input.js';
import { CATALOG, type TextKey } from './catalog.js';
import { registerFormPage } from './form-page.js';
import type { ProjectNews } from './params.js';
import { projectPath, taskPath } from './paths.js';
import { MergeCandidates } from './views/merge-candidates.js';

/** A closed project takes no more actions: the form says so instead of being shown. */
const closedProject = <C extends { state: ProjectState }>({ state }: C): TextKey | null => (isTerminal(state.stage) ? 'projectClosedForm' : null);

/** Where a project action goes after it is applied: the project page, with a line saying what was done. */
const doneOn = (code: string, news: ProjectNews) => `${projectPath(code)}?did=${news}`;

/**
 * The coordinators' actions on a project, each a form on the generic form page: move the stage,
 * reassign the liaison, withdraw, mark as a duplicate, and report (coordinators and staff) or
 * resolve a blocker. Each is checked by the API's schema, then sent as the workflow update the
 * API sends; the workflow's refusal is shown beside its field.
 */
export function registerProjectActionPages(router: Router, deps: RouteDeps): void {
  const loadProject = async ({ code }: { code: string }) => ({ state: await queryProject(deps, code) });
  /** A form about the project at /projects/:code/<verb>, posting to the same address. */
  const onProject = (verb: string) => ({
    getPath: `/projects/:code/${verb}`,
    postPath: `/projects/:code/${verb}`,
    formId: `${verb}-form`,
    params: codeParams,
    postTo: ({ state }: { state: ProjectState }) => `${projectPath(state.code)}/${verb}`,
  });

  registerFormPage(router, deps.db, {
    ...onProject('stage'),
    load: loadProject,
    allows: 'project.advance',
    title: () => 'advanceStage',
    subtitle: ({ state }, t) => ` · ${t('stage')}: ${t(STAGE_LABELS[state.stage])}`,
    closed: ({ state }) => closedProject({ state }) ?? (allowedNextStages(state.stage).length ? null : 'noStageMove'),
    fields: ({ state }) => [
      { key: 'to', type: 'choice', required: true, label: CATALOG.nextStage, choices: allowedNextStages(state.stage).map((s) => ({ value: s, label: STAGE_LABELS[s] })) },
      { key: 'reason', type: 'text', required: false, label: CATALOG.reasonOptional },
    ],
    submit: 'advanceStage',
    schema: advanceStageBody,
    toInput: (form) => ({ to: form.to ?? '', reason: form.reason?.trim() ? form.reason : null }),
    apply: async ({ state }, body, acting) => {
      await updateProject(deps, acting, { code: state.code, action: 'project.advance' }, advanceStage, (actor, requestId) => ({ ...body, actor, requestId }));
      return doneOn(state.code, 'stage');
    },
  });

  registerFormPage(router, deps.db, {
    ...onProject('liaison'),
    load: async (params: { code: string }) => {
      const { state } = await loadProject(params);
      return { state, people: await activeUsersOfCity(deps.db, state.city) };
    },
    allows: 'project.liaison',
    title: () => 'reassignLiaison',
    subtitle: ({ state }, t) => ` · ${t('liaison')}: ${state.liaison ?? '—'}`,
    closed: closedProject,
    fields: ({ people }) => [
      { key: 'liaison', type: 'choice', required: true, label: CATALOG.newLiaison, choices: people.map((p) => ({ value: p.id, label: { zh: `${p.name}（${p.id}）`, en: `${p.name} (${p.id})` } })) },
      { key: 'reason', type: 'text', required: false, label: CATALOG.reasonOptional },
    ],
    initial: ({ state }) => ({ liaison: state.liaison ?? '' }),
    submit: 'reassignLiaison',
    schema: reassignLiaisonBody,
    toInput: (form) => ({ liaison: form.liaison ?? '', reason: form.reason?.trim() ? form.reason : null }),
    apply: async ({ state }, body, acting) => {
      await updateProject(deps, acting, { code: state.code, action: 'project.liaison' }, reassignLiaison, (actor, requestId) => ({ ...body, actor, requestId }));
      return doneOn(state.code, 'liaison');
    },
  });

  registerFormPage(router, deps.db, {
    ...onProject('withdraw'),
    load: loadProject,
    allows: 'project.withdraw',
    title: () => 'withdrawProject',
    closed: closedProject,
    fields: () => [{ key: 'reason', type: 'text', required: true, label: CATALOG.withdrawReason }],
    submit: 'withdrawProject',
    schema: withdrawBody,
    toInput: (form) => ({ reason: form.reason ?? '' }),
    apply: async ({ state }, body, acting) => {
      await updateProject(deps, acting, { code: state.code, action: 'project.withdraw' }, withdraw, (actor, requestId) => ({ ...body, actor, requestId }));
      return doneOn(state.code, 'withdrawn');
    },
  });

  // Mark as a duplicate: search the city's open projects by code or name, choose one, give a reason.
  registerFormPage(router, deps.db, {
    ...onProject('merge'),
    query: z.object({ q: safeText(100).optional().catch(undefined), into: projectCode.optional().catch(undefined) }),
    load: async (params: { code: string }, { q, into }: { q?: string | undefined; into?: string | undefined }) => {
      const { state } = await loadProject(params);
      const found = q ? (await listProjects(deps.db, { city: state.city, q, limit: 20, offset: 0 })).items : [];
      return { state, q: q ?? '', into: into ?? '', candidates: found.filter((p) => p.code !== state.code && !isTerminal(p.stage as ProjectState['stage'])) };
    },
    allows: 'project.merge',
    title: () => 'markDuplicate',
    closed: closedProject,
    intro: ({ state, q, candidates }, t) => <MergeCandidates t={t} code={state.code} q={q} candidates={candidates} />,
    fields: () => [
      { key: 'into', type: 'line', required: true, label: CATALOG.duplicateOf },
      { key: 'reason', type: 'text', required: true, label: CATALOG.duplicateReason },
    ],
    initial: ({ into }) => ({ into }),
    submit: 'markDuplicate',
    schema: mergeBody,
    toInput: (form) => ({ into: (form.into ?? '').trim(), reason: form.reason ?? '' }),
    apply: async ({ state }, body, acting) => {
      await checkMergeTarget(deps, acting.user, state.code, body.into);
      await updateProject(deps, acting, { code: state.code, action: 'project.merge' }, markMerged, (actor, requestId) => ({ ...body, actor, requestId }));
      return doneOn(state.code, 'merged');
    },
  });

  // Report a blocker (瓶颈): from the project page, or from a task's form (?task=<key>), which it goes back to.
  registerFormPage(router, deps.db, {
    ...onProject('blockers'),
    getPath: '/projects/:code/blockers/new',
    formId: 'blocker-form',
    query: z.object({ task: taskKey.optional().catch(undefined) }),
    load: async (params: { code: string }, { task }: { task?: string | undefined }) => ({ ...(await loadProject(params)), task: task ?? null }),
    allows: 'blocker.report',
    title: () => 'reportBlocker',
    subtitle: ({ state, task }, t) => {
      const about = state.tasks.find((x) => x.key === task);
      return about ? ` · ${t(about.title)}` : '';
    },
    closed: closedProject,
    fields: () => [
      { key: 'category', type: 'choice', required: true, label: CATALOG.blockerCategory, choices: BLOCKER_CATEGORIES.map((c) => ({ value: c, label: BLOCKER_CATEGORY_LABELS[c] })) },
      { key: 'description', type: 'text', required: true, label: CATALOG.blockerDescription },
    ],
    submit: 'reportBlocker',
    postTo: ({ state, task }) => `${projectPath(state.code)}/blockers${task ? `?task=${task}` : ''}`,
    schema: reportBlockerBody,
    toInput: (form) => ({ category: form.category ?? '', description: form.description ?? '' }),
    apply: async ({ state, task }, body, acting) => {
      await updateProject(deps, acting, { code: state.code, action: 'blocker.report' }, reportBlocker, (actor, requestId) => ({ ...body, actor, requestId }));
      return task && state.tasks.some((x) => x.key === task) ? `${taskPath(state.code, task)}?blocker=reported` : doneOn(state.code, 'blocker');
    },
  });

  registerFormPage(router, deps.db, {
    getPath: '/projects/:code/blockers/:blockerId/resolve',
    postPath: '/projects/:code/blockers/:blockerId/resolve',
    formId: 'resolve-form',
    params: blockerParams,
    load: async ({ code, blockerId }: { code: string; blockerId: string }) => {
      const { state } = await loadProject({ code });
      const blocker = state.blockers.find((b) => b.id === blockerId);
      if (!blocker) throw notFound(`blocker ${blockerId} in project ${code}`);
      return { state, blocker };
    },
    allows: 'blocker.resolve',
    title: () => 'resolveBlocker',
    subtitle: ({ blocker }, t) => ` · ${blocker.id} · ${t(BLOCKER_CATEGORY_LABELS[blocker.category])} · ${blocker.description}`,
    closed: ({ state, blocker }) => closedProject({ state }) ?? (blocker.resolvedAt ? 'blockerAlreadyResolved' : null),
    fields: () => [{ key: 'resolution', type: 'text', required: true, label: CATALOG.resolution }],
    submit: 'resolveBlocker',
    postTo: ({ state, blocker }) => `${projectPath(state.code)}/blockers/${blocker.id}/resolve`,
    schema: resolveBlockerBody,
    toInput: (form) => ({ resolution: form.resolution ?? '' }),
    apply: async ({ state, blocker }, body, acting) => {
      await updateProject(deps, acting, { code: state.code, action: 'blocker.resolve' }, resolveBlocker, (actor, requestId) => ({ ...body, blockerId: blocker.id, actor, requestId }));
      return doneOn(state.code, 'resolved');
    },
  });
}

import type { Router } from 'express';
import { departmentInbox } from '../../db/projects.js';
import { completeTask, getState } from '../../workflows/messages.js';
import { DEPARTMENT_LABELS } from '../../workflows/reference.js';
import { notFound, updateProject, type RouteDeps } from '../http.js';
import { authorize } from '../policy.js';
import { completeTaskBody, taskParams } from '../schemas.js';
import { registerFormPage } from './form-page.js';
import { formToData } from './forms.js';
import { sendPage, viewerOf } from './page.js';
import { taskPageQuery } from './params.js';
import { projectPath, taskPath } from './paths.js';
import { requireSignIn } from './session.js';
import { Inbox, TaskIntro } from './views/inbox.js';

/** Department staff's pages: their inbox, and each task's form. */
export function registerTaskPages(router: Router, deps: RouteDeps): void {
  router.get('/inbox', requireSignIn, async (_req, res) => {
    const { user, t } = viewerOf(res);
    authorize(user, 'inbox.read');
    const { items } = await departmentInbox(deps.db, { department: user.department!, city: user.city, limit: 200, offset: 0 });
    sendPage(res, 200, t('inbox'), <Inbox t={t} department={user.department!} tasks={items} />);
  });

  /** A task's form: its template's fields, sent as the task's data; the workflow checks them against the same template. */
  registerFormPage(router, deps.db, {
    getPath: '/projects/:code/tasks/:taskKey',
    postPath: '/projects/:code/tasks/:taskKey',
    formId: 'task-form',
    params: taskParams,
    query: taskPageQuery,
    load: async ({ code, taskKey }: { code: string; taskKey: string }, { blocker }: { blocker?: 'reported' | undefined }) => {
      const state = await deps.client.workflow.getHandle(code).query(getState);
      const task = state.tasks.find((x) => x.key === taskKey);
      if (!task) throw notFound(`task ${taskKey} in project ${code}`);
      return { state, task, blockerReported: blocker === 'reported' };
    },
    allows: 'task.complete',
    target: ({ state, task }) => ({ city: state.city, department: task.department }),
    title: ({ task }) => task.title,
    subtitle: ({ task }, t) => ` · ${t(DEPARTMENT_LABELS[task.department])} · ${t('due')}: ${t.time(task.dueAt)}`,
    closed: ({ task }) => (task.status === 'open' ? null : `taskStatus.${task.status}`),
    fields: ({ task }) => task.fields,
    // What holds the task up (land, approvals, financing) is reported from here, and the form comes back.
    intro: ({ state, task, blockerReported }, t) => <TaskIntro t={t} code={state.code} taskKey={task.key} blockerReported={blockerReported} />,
    submit: 'submit',
    postTo: ({ state, task }) => taskPath(state.code, task.key),
    schema: completeTaskBody,
    toInput: (form, { task }) => ({ data: formToData(task.fields, form) }),
    apply: async ({ state, task }, { data }, acting) => {
      await updateProject(deps, acting, { code: state.code, action: 'task.complete' }, completeTask, (actor, requestId) => ({ requestId, taskKey: task.key, actor, data }));
      return `${projectPath(state.code)}?done=${encodeURIComponent(task.key)}`;
    },
  });
}

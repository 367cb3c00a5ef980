import type { departmentInbox } from '../../../db/projects.js';
import { DEPARTMENT_LABELS, type Department } from '../../../workflows/reference.js';
import type { Translate } from '../catalog.js';
import { projectPath, taskPath } from '../paths.js';

export type InboxTask = Awaited<ReturnType<typeof departmentInbox>>['items'][number];

/** A department's open tasks, the most overdue first. */
export function Inbox({ t, department, tasks }: { t: Translate; department: Department; tasks: readonly InboxTask[] }) {
  return (
    <>
      <h1>
        {t('inbox')} · {t(DEPARTMENT_LABELS[department])}
      </h1>
      {tasks.length === 0 && <p class="card">{t('noTasks')}</p>}
      {tasks.map((task) => (
        <article class={task.rung > 0 ? 'card overdue' : 'card'} data-task={`${task.project_code}/${task.task_key}`}>
          <div>
            <strong>{t({ zh: task.title_zh, en: task.title_en })}</strong>
            {task.rung > 0 && (
              <>
                {' '}
                <span class="badge red">
                  {t('overdue')} · {t('rung')} {task.rung}
                </span>
              </>
            )}
          </div>
          <div class="muted">
            {task.name} · {task.project_code} · {task.city}
          </div>
          <div class="muted">
            {t('due')}: {t.time(task.due_at)}
          </div>
          <a href={taskPath(task.project_code, task.task_key)}>{t('open')} →</a>
        </article>
      ))}
    </>
  );
}

/** Above a task's form: a blocker just reported from it, and where to report one. */
export function TaskIntro({ t, code, taskKey, blockerReported }: { t: Translate; code: string; taskKey: string; blockerReported: boolean }) {
  return (
    <>
      {blockerReported && (
        <div class="flash" role="status">
          {t('blockerReported')}
        </div>
      )}
      <p>
        <a href={`${projectPath(code)}/blockers/new?task=${encodeURIComponent(taskKey)}`} id="report-blocker">
          {t('reportBlocker')}
        </a>
      </p>
    </>
  );
}

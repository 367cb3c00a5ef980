import { AUDIENCE_LABELS, DEPARTMENT_LABELS, nextRungAudiences, rungAudiences, type Audience } from '../../../workflows/reference.js';
import type { ProjectState, TaskState } from '../../../workflows/state.js';
import type { Translate } from '../catalog.js';
import { PRINT_SCRIPT_PATH } from '../scripts.js';
import { Script } from './layout.js';

export interface NoticeProps {
  /** The notice is Chinese whatever the page's language: it is printed and sent on paper. */
  t: Translate;
  state: ProjectState;
  task: TaskState;
  rung: number;
  nowMs: number;
}

/** Whole days from the due date to now (Beijing midnight boundaries are close enough for a notice). */
function daysOverdue(task: TaskState, nowMs: number): number {
  return task.dueAt ? Math.max(0, Math.floor((nowMs - Date.parse(task.dueAt)) / 86_400_000)) : 0;
}

/** 督办单: a printable supervision notice for a task at rung 2 or above. */
export function Notice({ t, state, task, rung, nowMs }: NoticeProps) {
  const audiences = (list: readonly Audience[]) => list.map((a) => t(AUDIENCE_LABELS[a])).join(t('notice.listSeparator'));
  const department = t(DEPARTMENT_LABELS[task.department]);
  const byWhen = task.rungAt[rung] ?? null;
  const next = nextRungAudiences(rung);
  return (
    <>
      <article class="notice card">
        <h1 style="text-align:center">{t('notice.title')}</h1>
        <p class="muted" style="text-align:center">
          {t('notice.number', { number: `${state.code}-${task.key}-${rung}` })}
        </p>
        <table>
          <tr>
            <th>{t('notice.project')}</th>
            <td>
              {state.codename ?? state.name}（{state.code}）
            </td>
          </tr>
          <tr>
            <th>{t('notice.city')}</th>
            <td>{state.city}</td>
          </tr>
          <tr>
            <th>{t('notice.task')}</th>
            <td>{t(task.title)}</td>
          </tr>
          <tr>
            <th>{t('notice.department')}</th>
            <td>{department}</td>
          </tr>
          <tr>
            <th>{t('notice.due')}</th>
            <td>{t.time(task.dueAt)}</td>
          </tr>
          <tr>
            <th>{t('notice.overdue')}</th>
            <td data-field="overdue">{t('notice.days', { n: daysOverdue(task, nowMs) })}</td>
          </tr>
          <tr>
            <th>{t('notice.rung')}</th>
            <td data-field="rung">{t('notice.rungValue', { rung, audiences: audiences(rungAudiences(rung)) })}</td>
          </tr>
          <tr>
            <th>{t('notice.ask')}</th>
            <td data-field="ask">
              {t('notice.askText', { department, when: byWhen ? t.time(byWhen) : t('notice.immediately') })}
              {next && t('notice.next', { audiences: audiences(next) })}
            </td>
          </tr>
          <tr>
            <th>{t('notice.liaison')}</th>
            <td>{state.liaison ?? '—'}</td>
          </tr>
        </table>
        <p class="muted">{t('notice.footer', { time: t.time(new Date(nowMs)) })}</p>
        <button type="button" class="primary noprint" data-print>
          {t('notice.print')}
        </button>
      </article>
      <Script src={PRINT_SCRIPT_PATH} />
    </>
  );
}

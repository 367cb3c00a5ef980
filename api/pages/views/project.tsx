import type { HistoryEntry } from '../../../db/audit-log.js';
import type { projectEscalations } from '../../../db/escalations.js';
import { formatMinor } from '../../../workflows/money.js';
import { BLOCKER_CATEGORY_LABELS, DEPARTMENT_LABELS, STAGE_LABELS, STUCK_REASON_LABELS, type Department } from '../../../workflows/reference.js';
import type { ProjectState, TaskState } from '../../../workflows/state.js';
import { CATALOG, type TextKey, type Translate } from '../catalog.js';
import type { FundsNews, ProjectNews } from '../params.js';
import { projectPath } from '../paths.js';
import { FundsFlash, FundsSection, type FundsSectionProps } from './funds.js';
import { CsrfField } from './layout.js';
import { TableHead } from './table-head.js';

export type Escalation = Awaited<ReturnType<typeof projectEscalations>>[number];

export interface ProjectPageProps extends FundsSectionProps {
  t: Translate;
  state: ProjectState;
  escalations: readonly Escalation[];
  /** The workflow in the Temporal UI, for a viewer who may open it; null: no link. */
  temporalUi: string | null;
  /** The task just completed, for a flash line. */
  done: TaskState | null;
  fundsNews: FundsNews | null;
  /** What else was just done, for a flash line. */
  news: ProjectNews | null;
  history: readonly HistoryEntry[];
  actions: ProjectActions;
}

/** The project actions the viewer may take now. */
export interface ProjectActions {
  advance: boolean;
  liaison: boolean;
  withdraw: boolean;
  merge: boolean;
  reportBlocker: boolean;
  resolveBlocker: boolean;
  reproject: boolean;
}

/** Links to the forms of the actions the viewer may take now. */
function ActionLinks({ t, code, actions, csrfToken }: { t: Translate; code: string; actions: ProjectActions; csrfToken: string }) {
  const base = projectPath(code);
  const links: [boolean, string, TextKey][] = [
    [actions.advance, `${base}/stage`, 'advanceStage'],
    [actions.reportBlocker, `${base}/blockers/new`, 'reportBlocker'],
    [actions.liaison, `${base}/liaison`, 'reassignLiaison'],
    [actions.merge, `${base}/merge`, 'markDuplicate'],
    [actions.withdraw, `${base}/withdraw`, 'withdrawProject'],
  ];
  const shown = links.filter(([may]) => may);
  if (!shown.length && !actions.reproject) return null;
  return (
    <nav class="card actions" aria-label={t('projectActions')} id="project-actions">
      {shown.map(([, href, label]) => (
        <a class="button" href={href}>
          {t(label)}
        </a>
      ))}
      {actions.reproject && (
        <form method="post" action={`${base}/reproject`} class="inline" id="reproject-form">
          <p class="muted">{t('reprojectHelp')}</p>
          <CsrfField token={csrfToken} />
          <button type="submit" class="primary">
            {t('reproject')}
          </button>
        </form>
      )}
    </nav>
  );
}

/** One audit record, as people read it: when, what, who, and its reason or the task it concerns. */
function HistoryLine({ t, entry: e }: { t: Translate; entry: HistoryEntry }) {
  const key = `historyKind.${e.kind}`;
  const what = key in CATALOG ? t(key as TextKey) : e.kind;
  const d = e.data as { to?: string; reason?: string | null; taskKey?: string; blockerId?: string; liaison?: string; entryId?: string };
  const detail = [d.to && d.to in STAGE_LABELS ? t(STAGE_LABELS[d.to as keyof typeof STAGE_LABELS]) : null, d.taskKey, d.blockerId, d.entryId, d.liaison, d.reason].filter(Boolean).join(' · ');
  return (
    <li data-kind={e.kind}>
      {t.time(e.occurred_at)} · <strong>{what}</strong> · {e.actor}
      {detail && ` · ${detail}`}
    </li>
  );
}

/** A task's submitted value as people read it: money as an amount and its currency. */
function fieldValue(v: unknown): string {
  const money = v as { amountMinor?: unknown; currency?: unknown } | null;
  return typeof money === 'object' && money && typeof money.amountMinor === 'string' ? `${formatMinor(BigInt(money.amountMinor))} ${String(money.currency)}` : String(v);
}

function TaskRow({ t, task: x }: { t: Translate; task: TaskState }) {
  const fieldLabel = (key: string) => {
    const field = x.fields.find((f) => f.key === key);
    return field ? t(field.label) : key;
  };
  return (
    <tr data-task={x.key}>
      <td>
        {t(x.title)}
        {x.data && (
          <div class="muted">
            {Object.entries(x.data).map(([k, v]) => `${fieldLabel(k)}: ${fieldValue(v)}; `)}
          </div>
        )}
      </td>
      <td data-label={t('department')}>{t(DEPARTMENT_LABELS[x.department])}</td>
      <td data-label={t('status')}>
        {t(`taskStatus.${x.status}`)}
        {x.rung > 0 && x.status === 'open' && (
          <>
            {' '}
            <span class="badge red">
              {t('rung')} {x.rung}
            </span>
          </>
        )}
        {x.completedBy && (
          <div class="muted">
            {t('by')} {x.completedBy}
          </div>
        )}
      </td>
      <td data-label={t('due')}>{t.time(x.dueAt)}</td>
    </tr>
  );
}

/** One project: where it stands, its timeline, tasks, funds, blockers and escalations. */
export function ProjectPage({ t, state, escalations, temporalUi, done, fundsNews, news, history, actions, ...funds }: ProjectPageProps) {
  return (
    <>
      {news && (
        <div class="flash" role="status">
          {t(`projectNews.${news}`)}
        </div>
      )}
      {done && (
        <div class="flash" role="status">
          {t('taskDone')}: {t(done.title)}
        </div>
      )}
      <FundsFlash t={t} news={fundsNews} />
      <h1>
        {state.name} <span class="muted">{state.code}</span>
      </h1>
      <div class="card">
        <div>
          {t('stage')}: <strong>{t(STAGE_LABELS[state.stage])}</strong> · {t('city')}: {state.city} · {t('liaison')}: {state.liaison ?? '—'}
        </div>
        {state.stuck.stuck && (
          <div>
            <span class="badge red">{t('stuck')}</span> {state.stuck.reasons.map((r) => t(STUCK_REASON_LABELS[r])).join(', ')} · {t('since')} {t.time(state.stuck.since)}
          </div>
        )}
        {temporalUi && (
          <div>
            <a href={temporalUi} target="_blank" rel="noopener" id="temporal-ui">
              {t('temporalUi')} ↗
            </a>
          </div>
        )}
      </div>
      <ActionLinks t={t} code={state.code} actions={actions} csrfToken={funds.csrfToken} />
      <h2>{t('timeline')}</h2>
      <ol class="card">
        {state.transitions.map((x) => (
          <li>
            {t.time(x.at)} · {t(STAGE_LABELS[x.to])} · {x.actor}
            {x.reason && ` · ${x.reason}`}
          </li>
        ))}
      </ol>
      <h2>{t('tasks')}</h2>
      <table>
        <TableHead headings={[t('tasks'), t('department'), t('status'), t('due')]} />
        <tbody>
          {state.tasks.map((x) => (
            <TaskRow t={t} task={x} />
          ))}
        </tbody>
      </table>
      <FundsSection t={t} state={state} {...funds} />
      <h2>{t('blockers')}</h2>
      {state.blockers.length === 0 && <p class="muted">—</p>}
      {state.blockers.map((b) => (
        <div class="card" data-blocker={b.id}>
          [{t(BLOCKER_CATEGORY_LABELS[b.category])}] {b.description}{' '}
          <span class="muted">
            {b.reportedBy} · {t.time(b.reportedAt)}
          </span>
          {b.resolvedAt && (
            <>
              {' · '}
              <span class="badge">{t('resolved')}</span> {b.resolution}
            </>
          )}
          {!b.resolvedAt && actions.resolveBlocker && (
            <>
              {' · '}
              <a href={`${projectPath(state.code)}/blockers/${b.id}/resolve`}>{t('resolveBlocker')}</a>
            </>
          )}
        </div>
      ))}
      <h2>{t('escalations')}</h2>
      {escalations.length === 0 ? (
        <p class="muted">—</p>
      ) : (
        <ul class="card">
          {escalations.map((e) => (
            <li>
              {t.time(e.escalated_at)} · {e.task_key} · {t(DEPARTMENT_LABELS[e.department as Department])} · {t('rung')} {e.rung}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('history')}</h2>
      <ol class="card" id="history">
        {history.map((e) => (
          <HistoryLine t={t} entry={e} />
        ))}
      </ol>
    </>
  );
}

import type { listProjects } from '../../../db/projects.js';
import type { unprojectedFailures } from '../../../db/write-failures.js';
import { STAGE_LABELS, STUCK_REASON_LABELS, type Label, type Stage, type StuckReason } from '../../../workflows/reference.js';
import type { Translate } from '../catalog.js';
import { projectPath } from '../paths.js';
import { TableHead } from './table-head.js';

export type StuckProject = Awaited<ReturnType<typeof listProjects>>['items'][number];
export type UnprojectedFailure = Awaited<ReturnType<typeof unprojectedFailures>>[number];

export interface StuckListProps {
  t: Translate;
  /** The supervisor's city, or null province-wide. */
  city: string | null;
  projects: readonly StuckProject[];
  /** Stuck (system) before their first row could be written: known only by their failures. */
  unprojected: readonly UnprojectedFailure[];
  /** A project's workflow in the Temporal UI, for a viewer who may open it; null: no link. */
  temporalUi: (code: string) => string | null;
  /** The Temporal UI's list with a supervisor's query set (api/temporal-views.ts), for a viewer who may open it. */
  views?: readonly { label: Label; href: string }[];
}

const reasonLabel = (t: Translate, reason: string) => (reason in STUCK_REASON_LABELS ? t(STUCK_REASON_LABELS[reason as StuckReason]) : reason);

function TemporalLink({ href }: { href: string | null }) {
  if (!href) return null;
  return (
    <a href={href} target="_blank" rel="noopener">
      Temporal ↗
    </a>
  );
}

export function StuckList({ t, city, projects, unprojected, temporalUi, views = [] }: StuckListProps) {
  return (
    <>
      <h1>
        {t('stuck')}
        {city && ` · ${city}`}
      </h1>
      {projects.length === 0 ? (
        <p class="card">{t('noStuck')}</p>
      ) : (
        <table>
          <TableHead headings={[t('project'), t('city'), t('stage'), t('reasons'), t('since'), '']} />
          <tbody>
            {projects.map((p) => (
              <tr data-project={p.code}>
                <td>
                  <a href={projectPath(p.code)}>{p.name}</a>
                  <div class="muted">{p.code}</div>
                </td>
                <td data-label={t('city')}>{p.city}</td>
                <td data-label={t('stage')}>{t(STAGE_LABELS[p.stage as Stage])}</td>
                <td data-label={t('reasons')}>
                  {p.stuck_reasons.map((r) => reasonLabel(t, r)).join(', ')}
                  {p.escalation_rung > 0 && (
                    <>
                      {' '}
                      <span class="badge red">
                        {t('rung')} {p.escalation_rung}
                      </span>
                    </>
                  )}
                </td>
                <td data-label={t('since')}>{t.time(p.stuck_since)}</td>
                <td>
                  <TemporalLink href={temporalUi(p.code)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unprojected.map((f) => (
        <div class="card" data-unprojected={f.project_code}>
          <strong>{f.project_code}</strong> · {f.city} · <span class="badge red">{t(STUCK_REASON_LABELS.system)}</span>
          <div class="muted">
            {f.activity}: {f.message} · {t.time(f.failed_at)}
          </div>
          <TemporalLink href={temporalUi(f.project_code)} />
        </div>
      ))}
      {views.length > 0 && (
        <section class="card" id="temporal-views">
          <h2>{t({ zh: '在 Temporal 界面中查看', en: 'In the Temporal UI' })}</h2>
          <p class="muted">{t({ zh: '列表的查询已设好；在界面的列设置中加入 ProjectStage、StuckReasons、OverdueDepartments、EscalationRung 四列。', en: 'The list opens with its query set; add the columns ProjectStage, StuckReasons, OverdueDepartments and EscalationRung in the UI\'s column settings.' })}</p>
          <ul>
            {views.map((v) => (
              <li>
                <a href={v.href} target="_blank" rel="noopener">
                  {t(v.label)} ↗
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

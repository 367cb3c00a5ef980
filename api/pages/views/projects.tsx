import type { ProjectFilter } from '../../../db/projects.js';
import type { Project } from '../../../db/schema.js';
import { CITIES, STAGE_LABELS, STAGES, STUCK_REASON_LABELS, type Stage, type StuckReason } from '../../../workflows/reference.js';
import type { Translate } from '../catalog.js';
import { projectPath } from '../paths.js';
import { TableHead } from './table-head.js';

/** The list's filters as the page was asked for them: the projection's own filter. */
export type ProjectFilters = ProjectFilter;

export interface ProjectListProps {
  t: Translate;
  /** The viewer's city, or null province-wide: a city's users see their city only. */
  city: string | null;
  filters: ProjectFilters;
  items: readonly Project[];
  total: number;
  /** Whether the viewer may register projects and import a summit batch. */
  mayCreate: boolean;
}

/** The address of the list with these filters and this page. */
function listHref(f: ProjectFilters, offset: number): string {
  const q = new URLSearchParams();
  for (const key of ['city', 'stage', 'liaison', 'q'] as const) if (f[key]) q.set(key, f[key]);
  if (f.stuck) q.set('stuck', 'true');
  if (f.overdue) q.set('overdue', 'true');
  q.set('limit', String(f.limit));
  if (offset) q.set('offset', String(offset));
  return `/projects?${q}`;
}

function Filters({ t, city, filters: f }: Pick<ProjectListProps, 't' | 'city' | 'filters'>) {
  return (
    <form method="get" action="/projects" class="card search" role="search" id="project-filters">
      <label for="f-q">{t('searchProjectsAll')}</label>
      <input id="f-q" name="q" value={f.q ?? ''} />
      {city === null && (
        <select name="city" aria-label={t('city')}>
          <option value="">{t('allCities')}</option>
          {CITIES.map((c) => (
            <option selected={c === f.city}>{c}</option>
          ))}
        </select>
      )}
      <select name="stage" aria-label={t('stage')}>
        <option value="">{t('allStages')}</option>
        {STAGES.map((s) => (
          <option value={s} selected={s === f.stage}>
            {t(STAGE_LABELS[s])}
          </option>
        ))}
      </select>
      <input name="liaison" value={f.liaison ?? ''} placeholder={t('liaison')} aria-label={t('liaison')} />
      <span>
        <input type="checkbox" id="f-stuck" name="stuck" value="true" checked={f.stuck === true} class="check" /> <label for="f-stuck" class="inline">{t('stuck')}</label>
      </span>
      <span>
        <input type="checkbox" id="f-overdue" name="overdue" value="true" checked={f.overdue === true} class="check" /> <label for="f-overdue" class="inline">{t('overdue')}</label>
      </span>
      <button type="submit">{t('search')}</button>
    </form>
  );
}

/** The coordinators' project list: the projection, filtered and paged, each row a link to its project. */
export function ProjectList({ t, city, filters, items, total, mayCreate }: ProjectListProps) {
  const { offset, limit } = filters;
  return (
    <>
      <h1>
        {t('projects')}
        {city && ` · ${city}`}
      </h1>
      {mayCreate && (
        <nav class="actions" aria-label={t('projectActions')}>
          <a class="button" href="/projects/new">
            {t('newProject')}
          </a>
          <a class="button" href="/imports">
            {t('importBatch')}
          </a>
        </nav>
      )}
      <Filters t={t} city={city} filters={filters} />
      <p class="muted" id="project-count">
        {t('projectCount', { total, from: total ? offset + 1 : 0, to: Math.min(offset + limit, total) })}
      </p>
      {items.length === 0 ? (
        <p class="card">{t('noProjects')}</p>
      ) : (
        <table id="project-list">
          <TableHead headings={[t('project'), t('city'), t('stage'), t('liaison'), t('status')]} />
          <tbody>
            {items.map((p) => (
              <tr data-project={p.code}>
                <td>
                  <a href={projectPath(p.code)}>{p.name}</a>
                  <div class="muted">
                    {p.code} · {p.investor}
                  </div>
                </td>
                <td data-label={t('city')}>{p.city}</td>
                <td data-label={t('stage')}>{t(STAGE_LABELS[p.stage as Stage])}</td>
                <td data-label={t('liaison')}>{p.liaison ?? '—'}</td>
                <td data-label={t('status')}>
                  {p.stuck && <span class="badge red">{p.stuck_reasons.map((r) => (r in STUCK_REASON_LABELS ? t(STUCK_REASON_LABELS[r as StuckReason]) : r)).join(', ')}</span>}
                  {p.overdue_tasks > 0 && (
                    <>
                      {' '}
                      <span class="badge">{t('overdueTasks', { n: p.overdue_tasks })}</span>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label={t('pages')}>
        {offset > 0 && (
          <a href={listHref(filters, Math.max(0, offset - limit))} rel="prev">
            ← {t('previousPage')}
          </a>
        )}
        {offset + limit < total && (
          <a href={listHref(filters, offset + limit)} rel="next">
            {t('nextPage')} →
          </a>
        )}
      </nav>
    </>
  );
}

import type { Project } from '../../../db/schema.js';
import { STAGE_LABELS, type Stage } from '../../../workflows/reference.js';
import type { Translate } from '../catalog.js';
import { projectPath } from '../paths.js';

export interface MergeCandidatesProps {
  t: Translate;
  /** The project being marked a duplicate. */
  code: string;
  q: string;
  candidates: readonly Pick<Project, 'code' | 'name' | 'stage' | 'investor'>[];
}

/** A search of the city's open projects by code or name; choosing one fills in the form's `into`. */
export function MergeCandidates({ t, code, q, candidates }: MergeCandidatesProps) {
  const here = `${projectPath(code)}/merge`;
  return (
    <>
      <p class="muted">{t('duplicateNote')}</p>
      <form method="get" action={here} class="card search" role="search">
        <label for="merge-q">{t('searchProjects')}</label>
        <input id="merge-q" name="q" value={q} />
        <button type="submit">{t('search')}</button>
      </form>
      {q !== '' && (
        <ul class="card" id="merge-candidates">
          {candidates.length === 0 && <li class="muted">{t('noCandidates')}</li>}
          {candidates.map((p) => (
            <li data-candidate={p.code}>
              <a href={`${here}?q=${encodeURIComponent(q)}&into=${encodeURIComponent(p.code)}`}>{t('chooseThis')}</a> {p.code} · {p.name} · {p.investor} ·{' '}
              {t(STAGE_LABELS[p.stage as Stage])}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

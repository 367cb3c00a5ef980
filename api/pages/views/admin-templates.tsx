import type { listTemplates } from '../../../db/templates.js';
import type { TaskTemplate } from '../../../workflows/templates.js';
import { ADMIN, type AdminNewsQuery } from '../admin-shared.js';
import type { Translate } from '../catalog.js';
import { AdminPage, FormLink } from './admin.js';
import { TableHead } from './table-head.js';

export type TemplateVersionRow = Awaited<ReturnType<typeof listTemplates>>[number];

export const templatePath = (projectType: string, version: number) => `${ADMIN.templates}/${projectType}/${version}`;

/** Every version of every project type's template, newest version last, and the form that uploads one. */
export function TemplateList({ t, versions, news }: { t: Translate; versions: readonly TemplateVersionRow[]; news: AdminNewsQuery }) {
  return (
    <AdminPage t={t} title={t('adminTemplates')} news={news}>
      <FormLink href={`${ADMIN.templates}/new`} label={t('uploadTemplate')} id="upload-template" />
      <table>
        <TableHead headings={[t('projectType'), t('templateVersion'), t('savedBy')]} />
        <tbody>
          {versions.map((v) => (
            <tr data-template={`${v.project_type}/${v.version}`}>
              <td>{v.project_type}</td>
              <td data-label={t('templateVersion')}>
                <a href={templatePath(v.project_type, v.version)}>v{v.version}</a>
              </td>
              <td data-label={t('savedBy')}>
                {v.created_by} · {t.time(v.created_at)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </AdminPage>
  );
}

/** One version of a template, as the JSON an admin uploads (a start for the next version). */
export function TemplateVersion({ t, template }: { t: Translate; template: TaskTemplate }) {
  const { version: _version, ...input } = template;
  return (
    <AdminPage t={t} title={`${t(template.name)} · ${template.projectType} v${template.version}`}>
      <p>
        <a href={ADMIN.templates}>← {t('adminTemplates')}</a>
      </p>
      <pre class="card json" id="template-json">
        {JSON.stringify(input, null, 2)}
      </pre>
    </AdminPage>
  );
}

import type { Router } from 'express';
import { z } from 'zod';
import { addTemplateVersion, listTemplates, templateIssues, templateVersion } from '../../db/templates.js';
import { taskTemplateInput, type TaskTemplateInput } from '../../db/template-schema.js';
import { templateVersionParams } from '../admin.routes.js';
import { notFound, parse, type RouteDeps } from '../http.js';
import { ADMIN, withNews } from './admin-shared.js';
import { CATALOG } from './catalog.js';
import { NO_CONTEXT, registerAdminForm, registerAdminList } from './admin-form.js';
import type { PageField } from './forms.js';
import { TemplateList, TemplateVersion } from './views/admin-templates.js';

const TEMPLATE_FIELDS: PageField[] = [{ key: 'definition', type: 'text', required: true, label: CATALOG.templateJson }];

/**
 * The upload form's one field: JSON text, checked by the template schema (the API's, db/template-schema.ts).
 * Each of the schema's reasons names the part of the template it is about, beside the field.
 */
const templateText = z.strictObject({
  definition: z.string().transform((text, ctx): TaskTemplateInput => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not JSON: ${(err as Error).message}` });
      return z.NEVER;
    }
    const checked = taskTemplateInput.safeParse(json);
    if (!checked.success) ctx.addIssue({ code: 'custom', message: templateIssues(checked.error).map((i) => `${i.field}: ${i.reason}`).join('\n') });
    return json as TaskTemplateInput;
  }),
});

/** Task templates: every version of each project type, and uploading a new version. */
export function registerAdminTemplatePages(router: Router, deps: Pick<RouteDeps, 'db'>): void {
  const { db } = deps;

  registerAdminList(router, {
    path: ADMIN.templates,
    allows: 'templates.manage',
    title: 'adminTemplates',
    view: async ({ t, news }) => <TemplateList t={t} versions={await listTemplates(db)} news={news} />,
  });

  registerAdminForm(router, db, {
    getPath: `${ADMIN.templates}/new`,
    postPath: ADMIN.templates,
    formId: 'template-form',
    ...NO_CONTEXT,
    allows: 'templates.manage',
    title: 'uploadTemplate',
    about: 'uploadTemplateAbout',
    fields: () => TEMPLATE_FIELDS,
    schema: templateText,
    toInput: (form) => ({ definition: form.definition ?? '' }),
    apply: async (_ctx, { definition }, { user }) => {
      const saved = await addTemplateVersion(db, definition, user.id);
      return withNews(ADMIN.templates, 'templateSaved', `${saved.projectType} v${saved.version}`);
    },
  });

  registerAdminList(router, {
    path: `${ADMIN.templates}/:projectType/:version`,
    allows: 'templates.manage',
    title: 'adminTemplates',
    view: async ({ req, t }) => {
      const { projectType, version } = parse(templateVersionParams, req.params, 'path');
      const template = await templateVersion(db, projectType, version);
      if (!template) throw notFound(`version ${version} of the template for project type ${projectType}`);
      return <TemplateVersion t={t} template={template} />;
    },
  });
}

import type { Request, Router } from 'express';
import type { VNode } from 'preact';
import type { z } from 'zod';
import type { Db } from '../../db/connection.js';
import type { User } from '../../db/users.js';
import { parse } from '../http.js';
import { authorize, type Action } from '../policy.js';
import { adminNewsQuery, noParams, type AdminNewsQuery } from './admin-shared.js';
import type { TextKey, TextValues, Translate } from './catalog.js';
import { registerFormPage, type FormPageSpec } from './form-page.js';
import { sendPage, viewerOf } from './page.js';
import { requireSignIn } from './session.js';

/**
 * An admin's form: the generic form page, titled and submitted with one text, with a line above
 * it saying what it does, about the whole province unless `target` names a city, posting to `postPath`.
 */
export type AdminFormSpec<PS extends z.ZodType, C extends object, S extends z.ZodType> = Omit<FormPageSpec<PS, C, S>, 'title' | 'submit' | 'intro' | 'postTo' | 'target'> & {
  title: TextKey;
  about: TextKey;
  aboutValues?(ctx: C): TextValues;
  target?: FormPageSpec<PS, C, S>['target'];
  postTo?(ctx: C): string;
};

/** A form about nothing in particular: no path parameters, nothing to load. */
export const NO_CONTEXT = { params: noParams, load: async () => ({}) };

export function registerAdminForm<PS extends z.ZodType, C extends object, S extends z.ZodType>(router: Router, db: Db, spec: AdminFormSpec<PS, C, S>): void {
  const { title, about, aboutValues, target, postTo, ...form } = spec;
  registerFormPage(router, db, {
    ...form,
    title: () => title,
    submit: title,
    intro: (ctx, t) => <p class="muted">{t(about, aboutValues?.(ctx))}</p>,
    target: target ?? (() => undefined),
    postTo: postTo ?? (() => spec.postPath),
  });
}

/** What an admin's list page is given: the request, who looks, and what was just done. */
export interface AdminListRequest {
  req: Request;
  user: User;
  t: Translate;
  csrfToken: string;
  news: AdminNewsQuery;
}

/** An admin's page that shows rows (GET): the flash line parsed, the action authorized, then the view. */
export function registerAdminList(router: Router, spec: { path: string; allows: Action; title: TextKey; view(request: AdminListRequest): Promise<VNode> }): void {
  router.get(spec.path, requireSignIn, async (req, res) => {
    const news = parse(adminNewsQuery, req.query, 'query');
    const viewer = viewerOf(res);
    authorize(viewer.user, spec.allows);
    sendPage(res, 200, viewer.t(spec.title), await spec.view({ req, ...viewer, news }));
  });
}

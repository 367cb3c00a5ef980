import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { VNode } from 'preact';
import type { z } from 'zod';
import type { Db } from '../../db/connection.js';
import { claimKey, forgetKey, keepOutcome } from '../../db/idempotency-keys.js';
import type { User } from '../../db/users.js';
import { IDEMPOTENCY_DEFAULTS } from '../idempotency.js';
import { Problem } from '../problem.js';
import type { ProjectState } from '../../workflows/state.js';
import { parse, type Acting } from '../http.js';
import { authorize, type Action, type Target } from '../policy.js';
import type { Text, Translate } from './catalog.js';
import { checkForm, EMPTY_FORM, FORM_ERROR, type PageField, fieldRefusal, formActing, type FormState, type FormValues } from './forms.js';
import { sendPage, viewerOf } from './page.js';
import { checkCsrf, requireSignIn } from './session.js';
import { FormPage } from './views/form-page.js';

/**
 * A form, declared as data: what it parses, loads, allows, shows and does. A form about one project
 * loads it as `state`: the page then names the project and, unless `target` says otherwise, the
 * user must act for the project's city. Other forms (a new project, the admin's) load what they need.
 */
export interface FormPageSpec<PS extends z.ZodType, C extends object, S extends z.ZodType, Q extends z.ZodType = z.ZodType<Record<string, never>>> {
  /** Where the form is shown (GET) and where it is sent (POST). */
  getPath: string;
  postPath: string;
  formId: string;
  /** The path parameters, parsed with the API's schemas. */
  params: PS;
  /** The page's query (a search on the page, a value to start with); by default none is read. */
  query?: Q;
  /** Loads the project and what the form is about (404 if it is not there), for the signed-in user. */
  load(params: z.output<PS>, query: z.output<Q>, user: User): Promise<C>;
  /** The values the empty form starts with. */
  initial?(ctx: C): FormValues;
  /** What the user must be allowed to do, and to what (by default: the project's city, if there is one). */
  allows: Action;
  target?(ctx: C): Target | undefined;
  title(ctx: C): Text;
  subtitle?(ctx: C, t: Translate): string;
  /** Why the form is not offered now, or null; a POST still goes to the workflow, which refuses it. */
  closed?(ctx: C): Text | null;
  fields(ctx: C): readonly PageField[];
  /** Shown above the form: what it is about, or what the user should know first. */
  intro?(ctx: C, t: Translate): VNode | null;
  submit: Text;
  /** The concrete address the form posts to. */
  postTo(ctx: NoInfer<C>): string;
  /** The API's schema for the same request: the page refuses what the API would. */
  schema: S;
  toInput(form: FormValues, ctx: C): unknown;
  /** Applies the checked values; returns where to go next. */
  apply(ctx: C, data: z.output<S>, acting: Acting): Promise<string>;
}

/**
 * Applies a form once per request token, whatever it does (a workflow update, or a row of the
 * admin's): a double click or a resend waits for the first and goes where it went. The token is
 * held as an idempotency key of the user's (`form:<token>`), as an Idempotency-Key is on the API;
 * a refused or failed form frees it, so that the corrected form can be sent with it.
 */
async function once(db: Db, acting: Acting & { requestToken: string }, path: string, data: unknown, apply: () => Promise<string>): Promise<string | 'mismatch'> {
  const key = `form:${acting.requestToken}`;
  const request = { userId: acting.user.id, key, method: 'POST', path, requestHash: createHash('sha256').update(`POST ${path}\n`).update(JSON.stringify(data)).digest('hex') };
  for (const deadline = Date.now() + IDEMPOTENCY_DEFAULTS.leaseMs; ; ) {
    const claim = await claimKey(db, request, IDEMPOTENCY_DEFAULTS);
    if (claim.outcome === 'claimed') break;
    if (claim.outcome === 'done') return (claim.response as { next: string }).next;
    if (claim.outcome === 'mismatch') return 'mismatch';
    if (Date.now() > deadline) throw new Problem(409, 'Still running', 'This form is still being applied; reload the page in a moment.');
    await new Promise((r) => setTimeout(r, Math.min(claim.retryAfterMs, 100)));
  }
  try {
    const next = await apply();
    await keepOutcome(db, acting.user.id, key, 303, { next });
    return next;
  } catch (err) {
    await forgetKey(db, acting.user.id, key);
    throw err;
  }
}

/** The project a form is about, if it is about one. */
function projectOf(ctx: object): ProjectState | null {
  return 'state' in ctx ? (ctx.state as ProjectState) : null;
}

/**
 * A form page: GET shows it empty; POST checks it with the API's schema, applies it, and goes on,
 * or shows it again with each refused field's reason. Each request is parsed, loaded and
 * authorized before anything is rendered or applied.
 */
export function registerFormPage<PS extends z.ZodType, C extends object, S extends z.ZodType, Q extends z.ZodType = z.ZodType<Record<string, never>>>(router: Router, db: Db, spec: FormPageSpec<PS, C, S, Q>): void {
  const prepare = async (req: Request, user: User): Promise<C> => {
    const params = parse(spec.params, req.params, 'path');
    const query = (spec.query ? parse(spec.query, req.query, 'query') : {}) as z.output<Q>;
    const ctx = await spec.load(params, query, user);
    const project = projectOf(ctx);
    authorize(user, spec.allows, spec.target ? spec.target(ctx) : project ? { city: project.city } : undefined);
    return ctx;
  };

  const show = (res: Response, status: number, ctx: C, form: FormState, requestToken: string) => {
    const { t, csrfToken } = viewerOf(res);
    const title = t(spec.title(ctx));
    const closed = spec.closed?.(ctx) ?? null;
    sendPage(
      res,
      status,
      title,
      <FormPage
        t={t}
        title={title}
        project={projectOf(ctx)}
        intro={spec.intro?.(ctx, t) ?? null}
        subtitle={spec.subtitle?.(ctx, t) ?? ''}
        closed={closed === null ? null : t(closed)}
        id={spec.formId}
        action={spec.postTo(ctx)}
        fields={spec.fields(ctx)}
        csrfToken={csrfToken}
        requestToken={requestToken}
        submitLabel={t(spec.submit)}
        form={form}
      />,
    );
  };

  router.get(spec.getPath, requireSignIn, async (req, res) => {
    const ctx = await prepare(req, viewerOf(res).user);
    show(res, 200, ctx, { ...EMPTY_FORM, values: spec.initial?.(ctx) ?? {} }, randomUUID());
  });

  router.post(spec.postPath, requireSignIn, checkCsrf, async (req, res) => {
    const { user, t } = viewerOf(res);
    const ctx = await prepare(req, user);
    const form = req.body as FormValues;
    const acting = formActing(user, form);
    const fields = spec.fields(ctx);
    const checked = checkForm(t, fields, spec.schema, spec.toInput(form, ctx), form);
    if ('errors' in checked) return show(res, 400, ctx, { values: form, errors: checked.errors }, acting.requestToken);
    let next: string | 'mismatch';
    try {
      next = await once(db, acting, req.originalUrl, checked.data, () => spec.apply(ctx, checked.data, acting));
    } catch (err) {
      return show(res, 400, ctx, { values: form, errors: fieldRefusal(t, fields, err) }, acting.requestToken);
    }
    // The same form, sent before with other values (back, changed, sent again): offered afresh.
    if (next === 'mismatch') return show(res, 409, ctx, { values: form, errors: { [FORM_ERROR]: t('formAlreadySent') } }, randomUUID());
    res.redirect(303, next);
  });
}

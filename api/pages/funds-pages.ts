import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { entryIdOf, pendingVerifications } from '../../db/funds.js';
import type { User } from '../../db/users.js';
import { getState, increaseCapital, recordFunds, reverseFunds, verifyFunds, voidFunds } from '../../workflows/messages.js';
import { type FieldReason } from '../../workflows/errors.js';
import { type ProjectState } from '../../workflows/state.js';
import { formatMinor } from '../../workflows/money.js';
import { fundsProgress } from '../../workflows/project-state.js';
import { isTerminal, recordsFunds } from '../../workflows/decisions/stages.js';
import type { FormField } from '../../workflows/templates.js';
import type { Label } from '../../workflows/reference.js';
import { notFound, parse, updateProject, type Acting, type RouteDeps } from '../http.js';
import { authorize, mayDo } from '../policy.js';
import { fundsEntryParams, increaseCapitalBody, recordFundsBody, reverseFundsBody, voidFundsBody } from '../schemas.js';
import { h, type Html } from './html.js';
import { formatTime, label, t, type Lang } from './i18n.js';
import { checkCsrf, langOf, pageUser, requireSignIn } from './session.js';
import { errorsByField, fieldRefusal, formActing, renderFieldForm, toMinorUnits, type FormState } from './task-form.js';

/** Renders a page in the site's layout. */
export type RenderPage = (res: Response, status: number, title: string, body: Html) => void;

const L = {
  funds: { zh: '实际到位资金', en: 'Funds in place' },
  record: { zh: '录入到位资金', en: 'Record funds received' },
  save: { zh: '保存，待核实', en: 'Save for verification' },
  verify: { zh: '核实', en: 'Verify' },
  reverse: { zh: '冲正', en: 'Reverse' },
  reverseTitle: { zh: '冲正到位资金', en: 'Reverse funds entry' },
  void: { zh: '作废', en: 'Void' },
  voidTitle: { zh: '作废未核实的录入', en: 'Void an unverified entry' },
  voidedBy: { zh: '已作废', en: 'voided' },
  voided: { zh: '录入已作废', en: 'Entry voided' },
  queue: { zh: '待核实资金', en: 'Funds to verify' },
  none: { zh: '没有待核实的资金', en: 'Nothing to verify' },
  pending: { zh: '待核实', en: 'awaiting verification' },
  verifiedBy: { zh: '已核实', en: 'verified' },
  reversedBy: { zh: '已被冲正', en: 'reversed by' },
  tranche: { zh: '到位', en: 'received' },
  reversal: { zh: '冲正', en: 'reversal' },
  contracted: { zh: '合同投资额', en: 'contracted' },
  verifiedTotal: { zh: '已核实到位', en: 'Verified in place' },
  receivedOn: { zh: '到账日期', en: 'Date received' },
  amount: { zh: '金额', en: 'Amount' },
  evidence: { zh: '凭证', en: 'Evidence' },
  enteredBy: { zh: '录入人', en: 'Entered by' },
  recorded: { zh: '到位资金已录入，待核实', en: 'Funds recorded, awaiting verification' },
  verified: { zh: '到位资金已核实', en: 'Funds verified' },
  reversed: { zh: '冲正已录入，待核实', en: 'Reversal recorded, awaiting verification' },
  increase: { zh: '登记增资', en: 'Record a capital increase' },
  increased: { zh: '增资已登记', en: 'Capital increase recorded' },
  increases: { zh: '增资', en: 'Capital increases' },
} satisfies Record<string, Label>;

/** The fields of a funds entry, in the form schema that task forms use. */
const ENTRY_FIELDS: FormField[] = [
  { key: 'amountMinor', type: 'money', required: true, label: { zh: '到位金额', en: 'Amount received' } },
  { key: 'receivedOn', type: 'date', required: true, label: L.receivedOn },
  { key: 'evidence', type: 'text', required: true, label: { zh: '凭证（银行回单号等）', en: 'Evidence (bank slip number, …)' } },
];
const REVERSAL_FIELDS: FormField[] = [{ key: 'reason', type: 'text', required: true, label: { zh: '冲正原因', en: 'Reason for the reversal' } }];
const VOID_FIELDS: FormField[] = [{ key: 'reason', type: 'text', required: true, label: { zh: '作废原因', en: 'Why it is void' } }];

const CAPITAL_FIELDS: FormField[] = [
  { key: 'amountMinor', type: 'money', required: true, label: { zh: '增资额（仅增加部分）', en: 'Increase (the increment only)' } },
  { key: 'agreedOn', type: 'date', required: true, label: { zh: '增资协议日期', en: 'Date agreed' } },
];

interface FormPage<C extends { state: ProjectState }, S extends z.ZodType> {
  getPath: string;
  postPath: string;
  formId: string;
  fields: readonly FormField[];
  /** The API's schema for the same request: the page refuses what the API would. */
  schema: S;
  title: Label;
  submit: Label;
  /** Loads the project (and what the form is about) and authorizes the user. */
  load(req: Request, res: Response): Promise<C>;
  subtitle?(ctx: C): Html;
  action(ctx: C): string;
  toInput(form: Record<string, string>): unknown;
  /** Applies the checked values; returns where to go next. */
  apply(ctx: C, data: z.output<S>, acting: Acting): Promise<string>;
}

/** The money field `amountMinor` and its currency: decimal text to minor units, passed on as typed if it is not money. */
const moneyOf = (form: Record<string, string>) => ({ amountMinor: toMinorUnits(form.amountMinor ?? '') ?? form.amountMinor ?? '', currency: form.amountMinor__currency });

const projectPath = (code: string) => `/projects/${encodeURIComponent(code)}`;

/** The form's values checked by the API's own schema: every field's reason at once, in the user's language. */
function check<S extends z.ZodType>(lang: Lang, fields: readonly FormField[], schema: S, input: unknown, form: Record<string, string>): { data: z.output<S> } | { errors: Record<string, string> } {
  const result = schema.safeParse(input);
  if (result.success) return { data: result.data };
  const reasons: FieldReason[] = result.error.issues.map((i) => {
    const field = String(i.path[0] ?? '');
    return { field, reason: (form[field] ?? '').trim() === '' ? 'required' : i.message };
  });
  return { errors: errorsByField(lang, fields, reasons) };
}

/** Totals and every entry of a project's ledger, with the actions the signed-in user may take. */
export function renderFundsSection(lang: Lang, user: User, state: ProjectState, csrfToken: string): Html {
  const totals = fundsProgress(state).map(
    ({ currency: c, verified, contracted, share }) =>
      h`<div data-total="${c}">${label(lang, L.verifiedTotal)}: <strong>${formatMinor(verified)} ${c}</strong>${share ? h` / ${label(lang, L.contracted)} ${formatMinor(contracted)} ${c} (${share}%)` : ''}</div>`,
  );
  const canRecord = mayDo(user, 'funds.record', state.city) && recordsFunds(state.stage);
  const canReverse = mayDo(user, 'funds.reverse', state.city) && !isTerminal(state.stage);
  const canVerify = mayDo(user, 'funds.verify', state.city);
  const canVoid = mayDo(user, 'funds.void', state.city) && !isTerminal(state.stage);
  const rows = state.funds.map((e) => {
    const actions: Html[] = [];
    if (canVerify && !e.verifiedAt && !e.voidedAt && e.enteredBy !== user.id) actions.push(verifyButton(lang, state.code, e.id, csrfToken, projectPath(state.code)));
    // A verified tranche is corrected by a reversal; an unverified entry is voided.
    if (canReverse && e.kind === 'tranche' && e.verifiedAt && !e.reversedBy) actions.push(h`<a href="${projectPath(state.code)}/funds/${e.id}/reverse">${label(lang, L.reverse)}</a>`);
    if (canVoid && !e.verifiedAt && !e.voidedAt) actions.push(h`<a href="${projectPath(state.code)}/funds/${e.id}/void">${label(lang, L.void)}</a>`);
    return h`<tr data-entry="${e.id}">
      <td>${e.id} · ${label(lang, L[e.kind])}${e.reverses ? h` ${e.reverses}` : ''}<div class="muted">${e.reason ?? e.evidence}</div></td>
      <td data-label="${label(lang, L.amount)}">${formatMinor(BigInt(e.amountMinor))} ${e.currency}</td>
      <td data-label="${label(lang, L.receivedOn)}">${e.receivedOn}</td>
      <td data-label="${t(lang, 'status')}">${e.voidedAt ? h`<span class="badge">${label(lang, L.voidedBy)}</span> ${e.voidedBy}<div class="muted">${e.voidReason}</div>` : e.verifiedAt ? h`<span class="badge">${label(lang, L.verifiedBy)}</span> ${e.verifiedBy}` : h`<span class="badge red">${label(lang, L.pending)}</span>`}${e.reversedBy ? h`<div class="muted">${label(lang, L.reversedBy)} ${e.reversedBy}</div>` : ''}<div class="muted">${label(lang, L.enteredBy)} ${e.enteredBy}</div></td>
      <td>${actions}</td></tr>`;
  });
  return h`<h2 id="funds">${label(lang, L.funds)}</h2>
    <div class="card">${totals.length ? totals : h`<span class="muted">—</span>`}
      ${state.capitalIncreases.map((c) => h`<div data-increase="${c.id}">${label(lang, L.increases)} ${c.id}: ${formatMinor(BigInt(c.amountMinor))} ${c.currency} · ${c.agreedOn} · ${c.enteredBy}</div>`)}
      ${canRecord ? h`<div><a href="${projectPath(state.code)}/funds/new" id="record-funds">${label(lang, L.record)} →</a> · <a href="${projectPath(state.code)}/capital-increases/new" id="increase-capital">${label(lang, L.increase)} →</a></div>` : ''}</div>
    ${rows.length
      ? h`<table id="ledger"><thead><tr><th>${label(lang, L.funds)}</th><th>${label(lang, L.amount)}</th><th>${label(lang, L.receivedOn)}</th><th>${t(lang, 'status')}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      : ''}`;
}

function verifyButton(lang: Lang, code: string, entryId: string, csrfToken: string, next: string): Html {
  return h`<form method="post" action="${projectPath(code)}/funds/${entryId}/verify" class="verify">
    <input type="hidden" name="_csrf" value="${csrfToken}"><input type="hidden" name="_request" value="${randomUUID()}"><input type="hidden" name="next" value="${next}">
    <button type="submit" class="primary">${label(lang, L.verify)} ${entryId}</button></form>`;
}

/** A flash line for the project page after a funds action (`?funds=recorded:F1`). */
export function fundsFlash(lang: Lang, query: unknown): Html | '' {
  const m = /^(recorded|verified|reversed|voided|increased):([FC]\d{1,6})$/.exec(String(query ?? ''));
  return m ? h`<div class="flash" role="status">${label(lang, L[m[1] as 'recorded'])}: ${m[2]}</div>` : '';
}

/** Pages for the funds ledger: coordinators record and reverse entries, verifiers verify them (four eyes). */
export function registerFundsPages(router: Router, deps: RouteDeps, page: RenderPage): void {
  const loadState = async (code: string) => deps.client.workflow.getHandle(code).query(getState);
  const csrf = (res: Response) => res.locals.csrfToken as string;
  const entryOf = (state: ProjectState, entryId: string) => {
    const e = state.funds.find((x) => x.id === entryId);
    if (!e) throw notFound(`funds entry ${entryId} in project ${state.code}`);
    return e;
  };

  /** A form page: GET shows it empty; POST checks it with the API's schema, applies it, and goes on. */
  const registerFormPage = <C extends { state: ProjectState }, S extends z.ZodType>(spec: FormPage<C, S>) => {
    const render = (res: Response, status: number, ctx: C, form: FormState, requestToken: string) => {
      const lang = langOf(res);
      const { state } = ctx;
      page(
        res,
        status,
        label(lang, spec.title),
        h`<h1>${label(lang, spec.title)}</h1>
        <p class="muted"><a href="${projectPath(state.code)}">${state.name} · ${state.code}</a>${spec.subtitle?.(ctx) ?? ''}</p>
        ${renderFieldForm(lang, spec.fields, { id: spec.formId, action: spec.action(ctx), csrfToken: csrf(res), requestToken, submitLabel: label(lang, spec.submit) }, form)}`,
      );
    };
    router.get(spec.getPath, requireSignIn, async (req, res) => render(res, 200, await spec.load(req, res), { values: {}, errors: {} }, randomUUID()));
    router.post(spec.postPath, requireSignIn, checkCsrf, async (req, res) => {
      const user = pageUser(res)!;
      const lang = langOf(res);
      const ctx = await spec.load(req, res);
      const form = req.body as Record<string, string>;
      const acting = formActing(user, form);
      const checked = check(lang, spec.fields, spec.schema, spec.toInput(form), form);
      if ('errors' in checked) return render(res, 400, ctx, { values: form, errors: checked.errors }, acting.requestToken);
      let next: string;
      try {
        next = await spec.apply(ctx, checked.data, acting);
      } catch (err) {
        return render(res, 400, ctx, { values: form, errors: fieldRefusal(lang, spec.fields, err) }, acting.requestToken);
      }
      res.redirect(303, next);
    });
  };

  const loadFor = (action: 'funds.record' | 'funds.reverse' | 'funds.void') => async (req: Request, res: Response) => {
    const state = await loadState(String(req.params.code));
    authorize(pageUser(res)!, action, { city: state.city });
    return { state };
  };

  registerFormPage({
    getPath: '/projects/:code/funds/new',
    postPath: '/projects/:code/funds',
    formId: 'funds-form',
    fields: ENTRY_FIELDS,
    schema: recordFundsBody,
    title: L.record,
    submit: L.save,
    load: loadFor('funds.record'),
    action: ({ state }) => `${projectPath(state.code)}/funds`,
    toInput: (form) => ({ ...moneyOf(form), receivedOn: form.receivedOn ?? '', evidence: form.evidence ?? '' }),
    apply: async ({ state }, data, acting) => {
      const entry = await updateProject(deps, acting, { code: state.code, action: 'funds.record' }, recordFunds, (actor, requestId) => ({ requestId, ...data, actor }));
      return `${projectPath(state.code)}?funds=recorded:${entry.id}#funds`;
    },
  });

  registerFormPage({
    getPath: '/projects/:code/capital-increases/new',
    postPath: '/projects/:code/capital-increases',
    formId: 'capital-form',
    fields: CAPITAL_FIELDS,
    schema: increaseCapitalBody,
    title: L.increase,
    submit: L.increase,
    load: loadFor('funds.record'),
    action: ({ state }) => `${projectPath(state.code)}/capital-increases`,
    toInput: (form) => ({ ...moneyOf(form), agreedOn: form.agreedOn ?? '' }),
    apply: async ({ state }, data, acting) => {
      const increase = await updateProject(deps, acting, { code: state.code, action: 'funds.record' }, increaseCapital, (actor, requestId) => ({ requestId, ...data, actor }));
      return `${projectPath(state.code)}?funds=increased:${increase.id}#funds`;
    },
  });

  /** A form on one entry that takes a reason: a reversal (冲正) of a verified entry, or voiding (作废) an unverified one. */
  const registerEntryReasonPage = (spec: { verb: 'reverse' | 'void'; fields: FormField[]; schema: typeof reverseFundsBody; title: Label; submit: Label; flash: 'reversed' | 'voided'; update: typeof reverseFunds }) =>
    registerFormPage({
      getPath: `/projects/:code/funds/:entryId/${spec.verb}`,
      postPath: `/projects/:code/funds/:entryId/${spec.verb}`,
      formId: `${spec.verb}-form`,
      fields: spec.fields,
      schema: spec.schema,
      title: spec.title,
      submit: spec.submit,
      load: async (req, res) => {
        const { state } = await loadFor(`funds.${spec.verb}`)(req, res);
        return { state, entry: entryOf(state, String(req.params.entryId)) };
      },
      subtitle: ({ entry: e }) => h` · ${e.id} · ${formatMinor(BigInt(e.amountMinor))} ${e.currency} · ${e.receivedOn} · ${e.evidence}`,
      action: ({ state, entry }) => `${projectPath(state.code)}/funds/${entry.id}/${spec.verb}`,
      toInput: (form) => ({ reason: form.reason ?? '' }),
      apply: async ({ state, entry }, { reason }, acting) => {
        const result = await updateProject(deps, acting, { code: state.code, action: `funds.${spec.verb}` }, spec.update, (actor, requestId) => ({ requestId, entryId: entry.id, reason, actor }));
        return `${projectPath(state.code)}?funds=${spec.flash}:${result.id}#funds`;
      },
    });
  registerEntryReasonPage({ verb: 'reverse', fields: REVERSAL_FIELDS, schema: reverseFundsBody, title: L.reverseTitle, submit: L.reverse, flash: 'reversed', update: reverseFunds });
  registerEntryReasonPage({ verb: 'void', fields: VOID_FIELDS, schema: voidFundsBody, title: L.voidTitle, submit: L.void, flash: 'voided', update: voidFunds });

  // An unknown entry is the workflow's 404, as on the API: no query of the project first.
  router.post('/projects/:code/funds/:entryId/verify', requireSignIn, checkCsrf, async (req, res) => {
    const { code, entryId } = parse(fundsEntryParams, req.params, 'path');
    const form = req.body as Record<string, string>;
    await updateProject(deps, formActing(pageUser(res)!, form), { code, action: 'funds.verify' }, verifyFunds, (actor, requestId) => ({ requestId, entryId, actor }));
    const next = form.next === '/funds' ? '/funds' : projectPath(code);
    res.redirect(303, `${next}?funds=verified:${entryId}${next === '/funds' ? '' : '#funds'}`);
  });

  /** The verifier's queue: every entry in the verifier's city awaiting verification, oldest first. */
  router.get('/funds', requireSignIn, async (req, res) => {
    const user = pageUser(res)!;
    const lang = langOf(res);
    authorize(user, 'funds.verify');
    const items = await pendingVerifications(deps.db, { city: user.city, limit: 200 });
    page(
      res,
      200,
      label(lang, L.queue),
      h`${fundsFlash(lang, req.query.funds)}<h1>${label(lang, L.queue)}${user.city ? ` · ${user.city}` : ''}</h1>
      ${items.length
        ? items.map((e) => {
            const id = entryIdOf(e.project_code, e.entry_id);
            const mine = e.entered_by === user.id;
            return h`<article class="card" data-entry="${e.project_code}/${id}">
              <div><strong>${formatMinor(BigInt(e.amount_minor))} ${e.currency}</strong> · ${label(lang, L[e.kind])} ${id}${e.reverses ? h` (${entryIdOf(e.project_code, e.reverses)})` : ''}</div>
              <div><a href="${projectPath(e.project_code)}#funds">${e.name} · ${e.project_code}</a> · ${e.city}</div>
              <div class="muted">${label(lang, L.receivedOn)} ${e.received_on} · ${label(lang, L.evidence)}: ${e.reason ?? e.evidence} · ${label(lang, L.enteredBy)} ${e.entered_by} · ${formatTime(lang, e.entered_at.toISOString())}</div>
              ${mine ? '' : verifyButton(lang, e.project_code, id, csrf(res), '/funds')}
            </article>`;
          })
        : h`<p class="card">${label(lang, L.none)}</p>`}`,
    );
  });
}

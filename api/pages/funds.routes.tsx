import type { Router } from 'express';
import type { z } from 'zod';
import { pendingVerifications } from '../../db/funds.js';
import type { User } from '../../db/users.js';
import { isTerminal, recordsFunds } from '../../workflows/decisions/stages.js';
import { getState, increaseCapital, recordFunds, reverseFunds, verifyFunds, voidFunds } from '../../workflows/messages.js';
import { formatMinor } from '../../workflows/money.js';
import type { ProjectState } from '../../workflows/state.js';
import type { FormField } from '../../workflows/templates.js';
import { codeParams, notFound, parse, updateProject, type Acting, type RouteDeps } from '../http.js';
import { authorize, mayDo } from '../policy.js';
import { fundsEntryParams, increaseCapitalBody, recordFundsBody, reverseFundsBody, voidFundsBody } from '../schemas.js';
import { CATALOG, type TextKey } from './catalog.js';
import { registerFormPage } from './form-page.js';
import { formActing, toMinorUnits, type FormValues } from './forms.js';
import { sendPage, viewerOf } from './page.js';
import { fundsQueueQuery } from './params.js';
import { entryPath, projectPath } from './paths.js';
import { checkCsrf, requireSignIn } from './session.js';
import { FundsQueue, type FundsPermissions } from './views/funds.js';

/** The fields of a funds entry, in the form schema that task forms use. */
const ENTRY_FIELDS: FormField[] = [
  { key: 'amountMinor', type: 'money', required: true, label: CATALOG.amountReceived },
  { key: 'receivedOn', type: 'date', required: true, label: CATALOG.receivedOn },
  { key: 'evidence', type: 'text', required: true, label: CATALOG.evidenceField },
];
const REVERSAL_FIELDS: FormField[] = [{ key: 'reason', type: 'text', required: true, label: CATALOG.reversalReason }];
const VOID_FIELDS: FormField[] = [{ key: 'reason', type: 'text', required: true, label: CATALOG.voidReason }];
const CAPITAL_FIELDS: FormField[] = [
  { key: 'amountMinor', type: 'money', required: true, label: CATALOG.increaseAmount },
  { key: 'agreedOn', type: 'date', required: true, label: CATALOG.increaseAgreedOn },
];

/** The money field `amountMinor` and its currency: decimal text to minor units, passed on as typed if it is not money. */
const moneyOf = (form: FormValues) => ({ amountMinor: toMinorUnits(form.amountMinor ?? '') ?? form.amountMinor ?? '', currency: form.amountMinor__currency });

/** The funds actions a user may take on a project in its current stage. */
export function fundsPermissions(user: User, state: ProjectState): FundsPermissions {
  return {
    record: mayDo(user, 'funds.record', state.city) && recordsFunds(state.stage),
    reverse: mayDo(user, 'funds.reverse', state.city) && !isTerminal(state.stage),
    verify: mayDo(user, 'funds.verify', state.city),
    void: mayDo(user, 'funds.void', state.city) && !isTerminal(state.stage),
  };
}

/** Pages for the funds ledger: coordinators record and reverse entries, verifiers verify them (four eyes). */
export function registerFundsPages(router: Router, deps: RouteDeps): void {
  const loadProject = async ({ code }: { code: string }) => ({ state: await deps.client.workflow.getHandle(code).query(getState) });
  const loadEntry = async ({ code, entryId }: { code: string; entryId: string }) => {
    const { state } = await loadProject({ code });
    const entry = state.funds.find((x) => x.id === entryId);
    if (!entry) throw notFound(`funds entry ${entryId} in project ${code}`);
    return { state, entry };
  };

  /** A form on the project that records money (coordinators): a tranche received, or a capital increase (增资). */
  const registerMoneyPage = <S extends z.ZodType>(spec: {
    path: 'funds' | 'capital-increases';
    formId: string;
    title: TextKey;
    fields: FormField[];
    submit: TextKey;
    schema: S;
    toInput(form: Record<string, string>): unknown;
    record(code: string, data: z.output<S>, acting: Acting): Promise<{ id: string }>;
    flash: 'recorded' | 'increased';
  }) =>
    registerFormPage(router, deps.db, {
      getPath: `/projects/:code/${spec.path}/new`,
      postPath: `/projects/:code/${spec.path}`,
      formId: spec.formId,
      params: codeParams,
      load: loadProject,
      allows: 'funds.record',
      title: () => spec.title,
      fields: () => spec.fields,
      submit: spec.submit,
      postTo: ({ state }) => `${projectPath(state.code)}/${spec.path}`,
      schema: spec.schema,
      toInput: spec.toInput,
      apply: async ({ state }, data, acting) => `${projectPath(state.code)}?funds=${spec.flash}:${(await spec.record(state.code, data, acting)).id}#funds`,
    });

  registerMoneyPage({
    path: 'funds',
    formId: 'funds-form',
    title: 'recordFunds',
    fields: ENTRY_FIELDS,
    submit: 'saveForVerification',
    schema: recordFundsBody,
    toInput: (form) => ({ ...moneyOf(form), receivedOn: form.receivedOn ?? '', evidence: form.evidence ?? '' }),
    record: (code, data, acting) => updateProject(deps, acting, { code, action: 'funds.record' }, recordFunds, (actor, requestId) => ({ requestId, ...data, actor })),
    flash: 'recorded',
  });

  registerMoneyPage({
    path: 'capital-increases',
    formId: 'capital-form',
    title: 'increaseCapital',
    fields: CAPITAL_FIELDS,
    submit: 'increaseCapital',
    schema: increaseCapitalBody,
    toInput: (form) => ({ ...moneyOf(form), agreedOn: form.agreedOn ?? '' }),
    record: (code, data, acting) => updateProject(deps, acting, { code, action: 'funds.record' }, increaseCapital, (actor, requestId) => ({ requestId, ...data, actor })),
    flash: 'increased',
  });

  /** A form on one entry that takes a reason: a reversal (冲正) of a verified entry, or voiding (作废) an unverified one. */
  const registerEntryReasonPage = (spec: { verb: 'reverse' | 'void'; fields: FormField[]; schema: typeof reverseFundsBody; title: TextKey; submit: TextKey; flash: 'reversed' | 'voided'; update: typeof reverseFunds }) =>
    registerFormPage(router, deps.db, {
      getPath: `/projects/:code/funds/:entryId/${spec.verb}`,
      postPath: `/projects/:code/funds/:entryId/${spec.verb}`,
      formId: `${spec.verb}-form`,
      params: fundsEntryParams,
      load: loadEntry,
      allows: `funds.${spec.verb}`,
      title: () => spec.title,
      subtitle: ({ entry: e }) => ` · ${e.id} · ${formatMinor(BigInt(e.amountMinor))} ${e.currency} · ${e.receivedOn} · ${e.evidence}`,
      fields: () => spec.fields,
      submit: spec.submit,
      postTo: ({ state, entry }) => `${entryPath(state.code, entry.id)}/${spec.verb}`,
      schema: spec.schema,
      toInput: (form) => ({ reason: form.reason ?? '' }),
      apply: async ({ state, entry }, { reason }, acting) => {
        const result = await updateProject(deps, acting, { code: state.code, action: `funds.${spec.verb}` }, spec.update, (actor, requestId) => ({ requestId, entryId: entry.id, reason, actor }));
        return `${projectPath(state.code)}?funds=${spec.flash}:${result.id}#funds`;
      },
    });
  registerEntryReasonPage({ verb: 'reverse', fields: REVERSAL_FIELDS, schema: reverseFundsBody, title: 'reverseTitle', submit: 'reverse', flash: 'reversed', update: reverseFunds });
  registerEntryReasonPage({ verb: 'void', fields: VOID_FIELDS, schema: voidFundsBody, title: 'voidTitle', submit: 'void', flash: 'voided', update: voidFunds });

  // An unknown entry is the workflow's 404, as on the API: no query of the project first.
  router.post('/projects/:code/funds/:entryId/verify', requireSignIn, checkCsrf, async (req, res) => {
    const { code, entryId } = parse(fundsEntryParams, req.params, 'path');
    const { user } = viewerOf(res);
    const form = req.body as FormValues;
    await updateProject(deps, formActing(user, form), { code, action: 'funds.verify' }, verifyFunds, (actor, requestId) => ({ requestId, entryId, actor }));
    const next = form.next === '/funds' ? '/funds' : projectPath(code);
    res.redirect(303, `${next}?funds=verified:${entryId}${next === '/funds' ? '' : '#funds'}`);
  });

  /** The verifier's queue: every entry in the verifier's city awaiting verification, oldest first. */
  router.get('/funds', requireSignIn, async (req, res) => {
    const { funds: news } = parse(fundsQueueQuery, req.query, 'query');
    const { user, t, csrfToken } = viewerOf(res);
    authorize(user, 'funds.verify');
    const entries = await pendingVerifications(deps.db, { city: user.city, limit: 200 });
    sendPage(res, 200, t('fundsQueue'), <FundsQueue t={t} city={user.city} entries={entries} viewerId={user.id} csrfToken={csrfToken} news={news ?? null} />);
  });
}

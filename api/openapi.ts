import { z } from 'zod';
import {
  advanceStageBody,
  blockerParams,
  completeTaskBody,
  createProjectBody,
  listProjectsQuery,
  reassignLiaisonBody,
  reportBlockerBody,
  resolveBlockerBody,
  taskParams,
  withdrawBody,
  fundsEntryParams,
  recordFundsBody,
  reverseFundsBody,
  voidFundsBody,
  increaseCapitalBody,
} from './schemas.js';
import { statisticsQuery, targetBody } from './statistics.routes.js';
import { calendarDayBody, newUserBody } from './admin.routes.js';
import { newTokenBody } from './tokens.routes.js';
import { channelsBody, contactBody, webhookBodySchema } from './notifications.routes.js';
import { taskTemplateInput } from '../db/template-schema.js';

/**
 * The OpenAPI 3.1 description of the API, generated from the same zod schemas that validate
 * requests, so that the two cannot drift apart.
 */
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const codePath = z.object({ code: createProjectBody.shape.code });
const page = z.object({ limit: listProjectsQuery.shape.limit, offset: listProjectsQuery.shape.offset });

function parameters(s: z.ZodObject, where: 'path' | 'query') {
  const json = schema(s) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const errors = {
  '400': { description: 'Invalid request: `errors` names each field and why', ...problem },
  '401': { description: 'No valid API token', ...problem },
  '403': { description: 'Not allowed for this user, city or department', ...problem },
};

interface Operation {
  summary: string;
  tag: string;
  path?: z.ZodObject;
  query?: z.ZodObject;
  body?: string;
  ok: [status: string, description: string];
  also?: Record<string, string>;
}

function operation(o: Operation) {
  const isPost = o.body !== undefined;
  return {
    summary: o.summary,
    tags: [o.tag],
    parameters: [
      ...(o.path ? parameters(o.path, 'path') : []),
      ...(o.query ? parameters(o.query, 'query') : []),
      ...(isPost ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'A repeat with the same key returns the first response and does nothing else.', schema: { type: 'string', maxLength: 200 } }] : []),
    ],
    ...(isPost ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${o.body}` } } } } } : {}),
    responses: {
      [o.ok[0]]: json(o.ok[1]),
      ...errors,
      ...Object.fromEntries(Object.entries(o.also ?? {}).map(([status, description]) => [status, { description, ...problem }])),
    },
  };
}

export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'luodi 落地 API',
      version,
      description: 'Follows signed investment projects until they land. Every request needs `Authorization: Bearer <token>` (npm run user). Errors are RFC 9457 problems.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token created with npm run user' } },
      schemas: {
        CreateProject: schema(createProjectBody),
        AdvanceStage: schema(advanceStageBody),
        CompleteTask: schema(completeTaskBody),
        ReportBlocker: schema(reportBlockerBody),
        ResolveBlocker: schema(resolveBlockerBody),
        ReassignLiaison: schema(reassignLiaisonBody),
        Withdraw: schema(withdrawBody),
        RecordFunds: schema(recordFundsBody),
        ReverseFunds: schema(reverseFundsBody),
        VoidFunds: schema(voidFundsBody),
        Empty: { type: 'object', additionalProperties: false },
        IncreaseCapital: schema(increaseCapitalBody),
        Target: schema(targetBody),
        NewUser: schema(newUserBody),
        NewToken: schema(newTokenBody),
        Channels: schema(channelsBody),
        Contact: schema(contactBody),
        WebhookEndpoint: schema(webhookBodySchema),
        TaskTemplate: schema(taskTemplateInput),
        CalendarDay: schema(calendarDayBody),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', required: ['field', 'reason'], properties: { field: { type: 'string' }, reason: { type: 'string' } } } },
          },
        },
      },
    },
    paths: {
      '/api/projects': {
        post: operation({ summary: "Register a project and start its workflow (coordinators, in their city)", tag: 'projects', body: 'CreateProject', ok: ['201', 'Started'], also: { '409': 'The code is already used' } }),
        get: operation({ summary: 'List projects (filters, pagination)', tag: 'projects', query: listProjectsQuery, ok: ['200', 'A page of projects'] }),
      },
      '/api/projects/{code}': {
        get: operation({ summary: "A project's live state, from its workflow", tag: 'projects', path: codePath, ok: ['200', 'The project'], also: { '404': 'No such project' } }),
      },
      '/api/projects/{code}/stage': {
        post: operation({ summary: 'Move the stage (intention → negotiating → signed; funds → operating)', tag: 'projects', path: codePath, body: 'AdvanceStage', ok: ['200', 'The project'], also: { '409': 'Not allowed from the current stage' } }),
      },
      '/api/projects/{code}/tasks/{taskKey}/complete': {
        post: operation({ summary: "Complete a task with its form's data (the owning department's staff)", tag: 'tasks', path: taskParams, body: 'CompleteTask', ok: ['200', 'The task, done'], also: { '404': 'No such task', '409': 'The task is not open' } }),
      },
      '/api/projects/{code}/blockers': {
        post: operation({ summary: 'Report a blocker (瓶颈)', tag: 'blockers', path: codePath, body: 'ReportBlocker', ok: ['201', 'The blocker'], also: { '409': 'The project is closed' } }),
      },
      '/api/projects/{code}/blockers/{blockerId}/resolve': {
        post: operation({ summary: 'Resolve a blocker', tag: 'blockers', path: blockerParams, body: 'ResolveBlocker', ok: ['200', 'The blocker'], also: { '404': 'No such blocker' } }),
      },
      '/api/projects/{code}/liaison': {
        post: operation({ summary: 'Reassign the liaison (专人对接)', tag: 'projects', path: codePath, body: 'ReassignLiaison', ok: ['200', 'The project'] }),
      },
      '/api/projects/{code}/withdraw': {
        post: operation({ summary: 'Withdraw the project (终止), with a reason', tag: 'projects', path: codePath, body: 'Withdraw', ok: ['200', 'The project'], also: { '409': 'The project is closed' } }),
      },
      '/api/projects/{code}/reproject': {
        post: operation({ summary: 'Write the failed records again and the whole projection from the workflow state, once the cause of a system stuck is fixed (admins)', tag: 'projects', path: codePath, body: 'Empty', ok: ['200', '{ restored, remaining }'] }),
      },
      '/api/projects/{code}/funds': {
        get: operation({ summary: "The project's funds ledger (实际到位资金), with verifications", tag: 'funds', path: codePath, ok: ['200', 'The entries'] }),
        post: operation({ summary: 'Record a tranche received (coordinators); it counts once verified by someone else', tag: 'funds', path: codePath, body: 'RecordFunds', ok: ['201', 'The entry'], also: { '409': 'Not after signing, or the project is closed' } }),
      },
      '/api/projects/{code}/funds/{entryId}/verify': {
        post: operation({ summary: 'Verify an entry against its evidence (verifiers; not the person who entered it)', tag: 'funds', path: fundsEntryParams, body: 'Empty', ok: ['200', 'The entry, verified'], also: { '404': 'No such entry', '409': 'Already verified' } }),
      },
      '/api/projects/{code}/funds/{entryId}/void': {
        post: operation({ summary: 'Void (作废) an unverified entry made by mistake, with a reason; it never counts (coordinators)', tag: 'funds', path: fundsEntryParams, body: 'VoidFunds', ok: ['200', 'The entry, voided'], also: { '404': 'No such entry', '409': 'Verified (reverse it instead), or already voided' } }),
      },
      '/api/projects/{code}/funds/{entryId}/reverse': {
        post: operation({ summary: 'Correct an entry by a reversal, which must be verified too (coordinators)', tag: 'funds', path: fundsEntryParams, body: 'ReverseFunds', ok: ['201', 'The reversal'], also: { '404': 'No such entry', '409': 'Already reversed, or a reversal' } }),
      },
      '/api/projects/{code}/capital-increases': {
        post: operation({ summary: 'Record a capital increase (增资): statistics count only the increment (coordinators)', tag: 'funds', path: codePath, body: 'IncreaseCapital', ok: ['201', 'The increase'] }),
      },
      '/api/statistics': {
        get: operation({
          summary: 'Figures for the dispatch meeting: projects signed, verified funds in place (CNY and USD), growth, target completion, ahead or behind, cohort landing rates',
          tag: 'statistics',
          query: statisticsQuery,
          ok: ['200', 'The figures; amounts in minor units and in 亿 with one decimal'],
        }),
      },
      '/api/reports': {
        get: operation({ summary: 'Frozen quarterly dispatch reports, with how many restatements each has', tag: 'statistics', ok: ['200', 'The reports'] }),
      },
      '/api/reports/{quarter}': {
        get: operation({ summary: "A quarter's frozen report (content and SHA-256 of its canonical JSON) and its restatements", tag: 'statistics', path: z.object({ quarter: z.string().regex(/^\d{4}Q[1-4]$/) }), ok: ['200', 'The report'], also: { '404': 'Not published' } }),
      },
      '/api/reports/{quarter}.xlsx': {
        get: {
          ...operation({ summary: 'The frozen report (or ?restatement=N) as an Excel sheet with Chinese headers', tag: 'statistics', path: z.object({ quarter: z.string().regex(/^\d{4}Q[1-4]$/) }), ok: ['200', 'An xlsx file'], also: { '404': 'Not published' } }),
        },
      },
      '/api/targets': {
        get: operation({ summary: "A year's annual targets", tag: 'statistics', query: z.object({ year: z.coerce.number().int() }), ok: ['200', 'The targets'] }),
        post: operation({ summary: 'Set an annual target per city (or 全省) and category (admins)', tag: 'statistics', body: 'Target', ok: ['201', 'The target'] }),
      },
      '/api/inbox': {
        get: operation({ summary: "My department's open tasks in my city, overdue first", tag: 'tasks', query: page, ok: ['200', 'A page of tasks'] }),
      },
      '/api/imports': {
        post: {
          ...operation({ summary: "Import a summit's signing batch (coordinators): every row is checked first; a re-import starts nothing twice", tag: 'projects', body: 'none', ok: ['200', 'Started and already started codes'], also: { '415': 'Not CSV or XLSX' } }),
          requestBody: {
            required: true,
            content: {
              'text/csv': { schema: { type: 'string', description: 'UTF-8 CSV with a header row (项目编号, 项目名称, 投资方, 城市, 资本类型, ...)' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } },
            },
          },
        },
      },
      '/api/notifications': {
        get: operation({ summary: 'My in-app notifications, newest first, with the unread count', tag: 'notifications', ok: ['200', 'The notifications'] }),
      },
      '/api/notifications/{id}/read': {
        post: operation({ summary: 'Mark one of my notifications read', tag: 'notifications', path: z.object({ id: z.string() }), body: 'Empty', ok: ['200', 'Done'], also: { '404': 'Not yours' } }),
      },
      '/api/me/channels': {
        get: operation({ summary: 'The channels I receive notifications on', tag: 'notifications', ok: ['200', 'My channels'] }),
        post: operation({ summary: 'Choose the channels I receive notifications on', tag: 'notifications', body: 'Channels', ok: ['200', 'My channels'] }),
      },
      '/api/outbox': {
        get: operation({ summary: 'Notifications by delivery status (default: dead), for admins', tag: 'notifications', query: z.object({ status: z.enum(['pending', 'sending', 'delivered', 'dead']).optional() }), ok: ['200', 'The notifications'] }),
      },
      '/api/outbox/{id}/redrive': {
        post: operation({ summary: 'Send a dead notification again (admins)', tag: 'notifications', path: z.object({ id: z.string() }), body: 'Empty', ok: ['200', 'Queued again'], also: { '409': 'Not dead' } }),
      },
      '/api/contacts': {
        get: operation({ summary: 'Who receives each audience, per city and department (admins)', tag: 'notifications', ok: ['200', 'The contacts'] }),
        post: operation({ summary: 'Add who receives an audience (rung) per city and department (admins)', tag: 'notifications', body: 'Contact', ok: ['201', 'The contact'] }),
      },
      '/api/contacts/{id}': {
        delete: {
          summary: 'Remove a contact (admins)',
          tags: ['notifications'],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Removed' }, ...errors, '404': { description: 'No such contact', ...problem } },
        },
      },
      '/api/webhooks': {
        post: operation({ summary: 'Add a webhook endpoint: generic JSON, WeCom or DingTalk robot, signed with HMAC-SHA256 (admins)', tag: 'notifications', body: 'WebhookEndpoint', ok: ['201', 'The endpoint'] }),
      },
      '/api/users': {
        get: operation({ summary: 'Users (admins)', tag: 'admin', ok: ['200', 'Every user'] }),
        post: operation({ summary: 'Add a user; the response holds its first API token, shown once (admins)', tag: 'admin', body: 'NewUser', ok: ['201', 'The user and its token'], also: { '409': 'The login name is taken' } }),
      },
      '/api/users/{id}/tokens': {
        get: operation({ summary: "A user's API tokens: label, expiry, last use, revocation; never the token (admins)", tag: 'admin', path: z.object({ id: z.string() }), ok: ['200', 'The tokens'], also: { '404': 'No such user' } }),
        post: operation({ summary: 'A new API token for a user, with an optional expiry; shown once (admins)', tag: 'admin', path: z.object({ id: z.string() }), body: 'NewToken', ok: ['201', 'The token'], also: { '404': 'No such user' } }),
      },
      '/api/me/tokens': {
        get: operation({ summary: 'My API tokens', tag: 'admin', ok: ['200', 'The tokens'] }),
      },
      '/api/tokens/{id}/revoke': {
        post: operation({ summary: 'Revoke an API token: from then on it is a 401 (my own; admins: anyone’s)', tag: 'admin', path: z.object({ id: z.string() }), body: 'Empty', ok: ['200', 'Revoked'], also: { '404': 'No such token of yours' } }),
      },
      '/api/templates': {
        get: operation({ summary: 'Task templates and their versions', tag: 'admin', ok: ['200', 'Every version'] }),
        post: operation({ summary: 'Save a new version of a task template (admins); running projects keep theirs', tag: 'admin', body: 'TaskTemplate', ok: ['201', 'The saved version'] }),
      },
      '/api/templates/{projectType}': {
        get: operation({ summary: "A project type's newest template", tag: 'admin', path: z.object({ projectType: z.string() }), ok: ['200', 'The template'], also: { '404': 'No such project type' } }),
      },
      '/api/calendar/{year}': {
        get: operation({ summary: "A year's public holidays and 调休 working days", tag: 'admin', path: z.object({ year: z.string().regex(/^\d{4}$/) }), ok: ['200', 'The days'] }),
      },
      '/api/calendar/days': {
        post: operation({ summary: 'Set a day as a holiday or a working day (admins)', tag: 'admin', body: 'CalendarDay', ok: ['201', 'The day'] }),
      },
      '/api/stuck': {
        get: operation({ summary: 'Stuck projects, with links to the Temporal UI', tag: 'projects', query: page, ok: ['200', 'A page of projects'] }),
      },
    },
  };
}

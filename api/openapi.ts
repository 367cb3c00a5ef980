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
  mergeBody,
  fundsEntryParams,
  recordFundsBody,
  reverseFundsBody,
  voidFundsBody,
  increaseCapitalBody,
} from './schemas.js';
import { statisticsQuery, targetBody } from './statistics.routes.js';
import { calendarDayBody, calendarImportBody, newUserBody, passwordBody, templateVersionParams } from './admin.routes.js';
import { newTokenBody } from './tokens.routes.js';
import { channelsBody, contactBody, webhookBodySchema } from './notifications.routes.js';
import { taskTemplateInput } from '../db/template-schema.js';
import operations from './openapi-operations.json' with { type: 'json' };

/**
 * The OpenAPI 3.1 description of the API. Each operation's words (summary, tag, answers) are data,
 * in openapi-operations.json, keyed by "METHOD /path"; the parameters and bodies it names are the
 * same zod schemas that validate requests, so that the two cannot drift apart.
 */
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const quarter = z.string().regex(/^\d{4}Q[1-4]$/);

/** The path and query parameters an operation may name, by name. */
const PARAMETERS = {
  codePath: z.object({ code: createProjectBody.shape.code }),
  taskParams,
  blockerParams,
  fundsEntryParams,
  idPath: z.object({ id: z.string() }),
  quarterPath: z.object({ quarter }),
  yearPath: z.object({ year: z.string().regex(/^\d{4}$/) }),
  projectTypePath: z.object({ projectType: z.string() }),
  templateVersionPath: templateVersionParams,
  listProjectsQuery,
  statisticsQuery,
  page: z.object({ limit: listProjectsQuery.shape.limit, offset: listProjectsQuery.shape.offset }),
  yearQuery: z.object({ year: z.coerce.number().int() }),
  outboxQuery: z.object({ status: z.enum(['pending', 'sending', 'delivered', 'dead']).optional() }),
} satisfies Record<string, z.ZodObject>;

/** The request bodies, as components/schemas. */
const BODIES = {
  CreateProject: createProjectBody,
  AdvanceStage: advanceStageBody,
  CompleteTask: completeTaskBody,
  ReportBlocker: reportBlockerBody,
  ResolveBlocker: resolveBlockerBody,
  ReassignLiaison: reassignLiaisonBody,
  Withdraw: withdrawBody,
  Merge: mergeBody,
  RecordFunds: recordFundsBody,
  ReverseFunds: reverseFundsBody,
  VoidFunds: voidFundsBody,
  IncreaseCapital: increaseCapitalBody,
  Target: targetBody,
  NewUser: newUserBody,
  NewToken: newTokenBody,
  Channels: channelsBody,
  Contact: contactBody,
  WebhookEndpoint: webhookBodySchema,
  TaskTemplate: taskTemplateInput,
  CalendarDay: calendarDayBody,
  CalendarImport: calendarImportBody,
  Password: passwordBody,
} satisfies Record<string, z.ZodType>;

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

/** One entry of openapi-operations.json. */
interface Operation {
  summary: string;
  tag: string;
  params?: keyof typeof PARAMETERS;
  query?: keyof typeof PARAMETERS;
  /** A component schema: one of BODIES, or Empty. */
  body?: keyof typeof BODIES | 'Empty';
  /** A body that is not JSON (an upload), as OpenAPI content by media type. */
  upload?: Record<string, unknown>;
  ok: string[];
  also?: Record<string, string>;
}

const idempotencyKey = { name: 'Idempotency-Key', in: 'header', required: false, description: 'A repeat with the same key returns the first response and does nothing else.', schema: { type: 'string', maxLength: 200 } };

function operation(o: Operation) {
  const [status = '200', description = ''] = o.ok;
  const content = o.body ? { 'application/json': { schema: { $ref: `#/components/schemas/${o.body}` } } } : o.upload;
  return {
    summary: o.summary,
    tags: [o.tag],
    parameters: [
      ...(o.params ? parameters(PARAMETERS[o.params], 'path') : []),
      ...(o.query ? parameters(PARAMETERS[o.query], 'query') : []),
      ...(content ? [idempotencyKey] : []),
    ],
    ...(content ? { requestBody: { required: true, content } } : {}),
    responses: {
      [status]: status === '204' ? { description } : json(description),
      ...errors,
      ...Object.fromEntries(Object.entries(o.also ?? {}).map(([code, text]) => [code, { description: text, ...problem }])),
    },
  };
}

/** The table's keys, "METHOD /path", as types: the paths object's type says which methods each path has. */
type Key = keyof typeof operations;
type PathOf<K> = K extends `${string} ${infer P}` ? P : never;
type MethodsOf<P extends string> = { [K in Key]: K extends `${infer M} ${P}` ? Lowercase<M> : never }[Key];
type Paths = { [P in PathOf<Key>]: { [M in MethodsOf<P>]: ReturnType<typeof operation> } };

/** The paths object: each "METHOD /path" of the table, grouped by path. */
function paths(): Paths {
  const out: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const [key, o] of Object.entries(operations as Record<Key, Operation>)) {
    const [method, path] = key.split(' ') as [string, string];
    for (const name of [o.params, o.query]) if (name && !(name in PARAMETERS)) throw new Error(`openapi-operations.json: ${key} names ${name}, which is not in PARAMETERS`);
    if (o.body && o.body !== 'Empty' && !(o.body in BODIES)) throw new Error(`openapi-operations.json: ${key} names ${o.body}, which is not in BODIES`);
    (out[path] ??= {})[method.toLowerCase()] = operation(o);
  }
  return out as Paths;
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
        ...(Object.fromEntries(Object.entries(BODIES).map(([name, body]) => [name, schema(body)])) as Record<keyof typeof BODIES, ReturnType<typeof schema>>),
        Empty: { type: 'object', additionalProperties: false },
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
    paths: paths(),
  };
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { isGrpcServiceError, ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { isTransient } from '../db/errors.js';
import { z } from 'zod';
import type { Logger } from '../config/logger.js';
import type { ErrorType } from '../workflows/errors.js';
import { type FieldReason } from '../workflows/errors.js';

/** An RFC 9457 problem, sent as application/problem+json. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldReason[] = [],
    /** Sent as Retry-After (seconds) where trying again later will work. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail);
  }
}

/** How long a client should wait before trying again while a dependency is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

// gRPC status codes: CANCELLED 1, DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14.
const TEMPORAL_DOWN: readonly number[] = [1, 4, 8, 14];

/** Temporal or PostgreSQL can't be reached now (or did not answer in time): a 503, never a 500. */
function unavailable(err: unknown): Problem | null {
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : null;
  if ((grpc && TEMPORAL_DOWN.includes(grpc.code)) || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new Problem(503, 'Temporarily unavailable', 'The workflow service (Temporal) or its worker is not answering; nothing was lost. Try again shortly.', [], RETRY_AFTER_SECONDS);
  }
  if (isTransient(err)) {
    return new Problem(503, 'Temporarily unavailable', 'The database is not answering; nothing was written. Try again shortly.', [], RETRY_AFTER_SECONDS);
  }
  return null;
}

/** Where a request value came from; names the field when the whole value is wrong. */
export type Where = 'body' | 'query' | 'header' | 'path';

export function fromZod(err: z.ZodError, where: Where): Problem {
  const errors = err.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : `(${where})`,
    reason: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  return new Problem(400, 'Invalid request', `Fix these fields and try again: ${fields}`, errors);
}

/** How a workflow's refusal of an update reads over HTTP. */
const UPDATE_FAILURES: Readonly<Record<ErrorType, { status: number; title: string }>> = {
  InvalidInput: { status: 400, title: 'Invalid request' },
  NotFound: { status: 404, title: 'Not found' },
  WrongDepartment: { status: 403, title: 'Forbidden' },
  WrongCity: { status: 403, title: 'Forbidden' },
  IllegalTransition: { status: 409, title: 'Not allowed now' },
  TaskNotOpen: { status: 409, title: 'Not allowed now' },
  ProjectClosed: { status: 409, title: 'Project closed' },
  FourEyes: { status: 403, title: 'Four-eyes rule' },
};

/** Maps what routes and the Temporal client throw to problems; anything else is a 500. */
export function toProblem(err: unknown): Problem | null {
  if (err instanceof Problem) return err;
  if (err instanceof z.ZodError) return fromZod(err, 'body');
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') {
    return new Problem(400, 'Malformed JSON', 'The request body is not valid JSON.', [{ field: '(body)', reason: 'not valid JSON' }]);
  }
  if (e?.type === 'entity.too.large') return new Problem(413, 'Request too large', 'The request body exceeds 1 MB.');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return new Problem(415, 'Unsupported encoding', 'Send the body as UTF-8.', [{ field: '(body)', reason: 'must be UTF-8' }]);
  }
  // A path the router cannot decode (a stray %): the client's mistake, not ours.
  if (err instanceof URIError || (e?.status === 400 && /decode|URI/i.test((err as Error).message ?? ''))) {
    return new Problem(400, 'Malformed path', 'The path has a malformed percent-encoding; encode it again and retry.', [{ field: '(path)', reason: 'malformed percent-encoding' }]);
  }
  if (err instanceof WorkflowNotFoundError) {
    // An update to a project whose workflow has ended reaches no running workflow either.
    if (/completed/i.test(err.message)) {
      return new Problem(409, 'Project closed', 'The project is closed (operating, withdrawn or merged) and takes no more actions.');
    }
    return new Problem(404, 'Not found', 'No project has this code.');
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new Problem(409, 'Project exists', `A project with code ${err.workflowId} has already been started.`, [
      { field: 'code', reason: 'already used by another project' },
    ]);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    const mapped = failure.type ? UPDATE_FAILURES[failure.type as ErrorType] : undefined;
    if (mapped) return new Problem(mapped.status, mapped.title, failure.message, (failure.details ?? []) as FieldReason[]);
  }
  // A value PostgreSQL cannot take (SQLSTATE class 22) came from the request: the route's
  // validation missed it, but it is still the request's fault, and nothing was written.
  const sqlstate = (err as { code?: unknown })?.code;
  if (typeof sqlstate === 'string' && /^22[0-9A-Z]{3}$/.test(sqlstate)) {
    return new Problem(400, 'Invalid request', 'A value in the request cannot be stored or compared (for example a NUL character or an impossible date); fix it and try again.');
  }
  return unavailable(err);
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new Problem(404, 'Not found', `No route for ${req.method} ${req.path}.`));
};

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err);
    if (!problem) log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const p = problem ?? new Problem(500, 'Internal error', 'Something went wrong on our side; it has been logged. Try again later.');
    if (p.retryAfterSeconds !== null) res.set('Retry-After', String(p.retryAfterSeconds));
    res
      .status(p.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: p.title,
        status: p.status,
        detail: p.detail,
        instance: req.originalUrl,
        ...(p.errors.length ? { errors: p.errors } : {}),
      });
  };
}

/**
 * The refusals a workflow gives and the API maps to HTTP: a type from ErrorType, a message, and
 * the fields at fault. Decisions throw a Refusal; the shell turns it into a non-retryable
 * ApplicationFailure, so a refused update never reaches history.
 */
import { ApplicationFailure } from '@temporalio/common';

export const ErrorType = {
  IllegalTransition: 'IllegalTransition',
  InvalidInput: 'InvalidInput',
  NotFound: 'NotFound',
  WrongDepartment: 'WrongDepartment',
  WrongCity: 'WrongCity',
  TaskNotOpen: 'TaskNotOpen',
  ProjectClosed: 'ProjectClosed',
  /** The person who entered funds may not verify them. */
  FourEyes: 'FourEyes',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Details carried by a refusal: which field and why. */
export interface FieldReason {
  field: string;
  reason: string;
}

/** A decision's "no": nothing changes. */
export class Refusal extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly details: FieldReason[],
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export function refuse(type: ErrorType, message: string, ...details: FieldReason[]): never {
  throw new Refusal(type, message, details);
}

/** A refusal as Temporal carries it to the API: non-retryable, typed, with the field reasons as details. */
export function asFailure(err: unknown): unknown {
  if (!(err instanceof Refusal)) return err;
  return ApplicationFailure.create({ type: err.type, message: err.message, details: err.details, nonRetryable: true });
}

/** Runs `fn`; a Refusal leaves as the ApplicationFailure the API maps to HTTP. */
export function refusing<R>(fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    throw asFailure(err);
  }
}

export async function refusingAsync<R>(fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    throw asFailure(err);
  }
}

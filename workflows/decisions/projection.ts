/** Re-projection: after writes failed for good and an admin fixed the cause, the project writes its records again. */
import type { Command, ReprojectResult } from '../messages.js';
import type { ProjectState } from '../state.js';
import { wasApplied } from '../project-state.js';
import { actsHere, type Change, type Decision } from './decision.js';

/** The record of a re-projection, once the failed writes ran again: how many were restored, remain, or were dropped. */
export function reprojected(state: ProjectState, cmd: Command<'reproject'>, { restored, dropped }: { restored: number; dropped: number }): Decision<ReprojectResult> {
  actsHere(state, cmd.actor);
  return {
    changes: [{ type: 'requestApplied', requestId: cmd.requestId }, { type: 'droppedWritesReported' }],
    record: { kind: 'projection.restored', actor: cmd.actor.id, data: { restored, remaining: state.writeFailures.length, dropped } },
    reply: (s) => ({ restored, remaining: s.writeFailures.length }),
  };
}

export function restoredAgain(state: ProjectState, cmd: Command<'reproject'>): ReprojectResult | undefined {
  return wasApplied(state, cmd.requestId) ? { restored: 0, remaining: state.writeFailures.length } : undefined;
}

export function applyProjectionChange(state: ProjectState, change: Change): void {
  // Writes dropped beyond the kept ones cannot run again; the record above said how many.
  if (change.type === 'droppedWritesReported') state.droppedWriteFailures = 0;
}

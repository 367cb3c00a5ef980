import type { Stage } from './contract.js';

/**
 * The stage moves a user may make by hand. signed → landing and landing → funds happen by
 * themselves (tasks open at signing; all milestones done means funds); withdrawn and merged
 * have updates of their own.
 */
const NEXT: Readonly<Record<Stage, readonly Stage[]>> = {
  intention: ['negotiating'],
  negotiating: ['signed'],
  signed: [],
  landing: [],
  funds: ['operating'],
  operating: [],
  withdrawn: [],
  merged: [],
};

export function allowedNextStages(from: Stage): readonly Stage[] {
  return NEXT[from];
}

/** The stages in which funds and capital increases are recorded: from signing until operating. */
export function recordsFunds(stage: Stage): boolean {
  return stage === 'signed' || stage === 'landing' || stage === 'funds';
}

export function isTerminal(stage: Stage): boolean {
  return stage === 'operating' || stage === 'withdrawn' || stage === 'merged';
}

/**
 * One realistic project's whole life, driven through the real workflow by SDK updates (as the API
 * sends them) on the default `industrial` template: registered at intention, negotiated, signed at
 * a summit; registration runs two rungs late; a land blocker and a financing blocker reported and
 * resolved; the liaison reassigned; every task completed in dependency order; seven tranches
 * recorded and each verified by another user, one of them reversed (and the reversal verified),
 * a duplicate entry voided, a capital increase; then funds → operating, which ends the workflow.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { startProject } from '../api/start-project.js';
import {
  advanceStage,
  completeTask,
  getState,
  increaseCapital,
  reassignLiaison,
  recordFunds,
  reportBlocker,
  resolveBlocker,
  reverseFunds,
  verifyFunds,
  voidFunds,
  type Actor,
  type ProjectLandingWorkflow,
} from '../workflows/messages.js';
import type { ProjectInput } from '../workflows/state.js';

/**
 * A working day lasts this long: registration (due in 10 working days) reaches its second rung
 * (3 working days later) 5.2 s after signing; every later deadline is at least 4 s past the step
 * before it, which the life takes well within, so nothing else escalates.
 */
export const LIFE_WORKING_DAY_MS = 400;
/** The rungs registration climbs before it is done. */
const REGISTRATION_RUNGS = 2;

const coordinator: Actor = { id: 'coordinator.zhang', department: null, city: '沈阳' };
const verifier: Actor = { id: 'verifier.li', department: null, city: '沈阳' };
const staff = (id: string, department: NonNullable<Actor['department']>): Actor => ({ id, department, city: '沈阳' });

/** Each task of the default industrial template, with its department's staff and a valid form. */
const TASKS: readonly { key: string; actor: Actor; data: Record<string, unknown> }[] = [
  { key: 'registration', actor: staff('staff.mr', 'market_regulation'), data: { credit_code: '91210100MA0XXXXX1K', registered_on: '2018-06-01', registered_capital: { amountMinor: '50000000000', currency: 'CNY' } } },
  { key: 'land', actor: staff('staff.nr', 'natural_resources'), data: { parcel: 'SY-2018-17', area_mu: 120, land_payment: { amountMinor: '1200000000', currency: 'CNY' }, payment_voucher: 'JS-77' } },
  { key: 'project_filing', actor: staff('staff.dr', 'development_reform'), data: { procedure: 'filing', code: '沈发改备〔2018〕112号' } },
  { key: 'eia', actor: staff('staff.ee', 'ecology_environment'), data: { category: 'report', approval_number: '沈环审〔2018〕45号' } },
  { key: 'construction_permit', actor: staff('staff.hc', 'housing_construction'), data: { permit_number: '210100201809010101', issued_on: '2018-09-01' } },
  { key: 'construction_start', actor: staff('staff.co', 'commerce'), data: { started_on: '2018-09-15', evidence: 'KG-0915', note: '举行开工仪式' } },
];

export interface Life {
  code: string;
  firstRunId: string;
  /** Updates sent, the starting update-with-start included. */
  updates: number;
  /** Escalation rungs the tasks climbed. */
  rungs: number;
}

/** A summit's project of the default industrial template, as a coordinator registers it. */
export function projectInput(code: string, stage: ProjectInput['stage']): ProjectInput {
  return {
    code,
    name: '沈阳新松机器人产业园',
    codename: null,
    city: '沈阳',
    investor: '新松机器人自动化股份有限公司',
    capitalType: 'domestic',
    outOfProvince: false,
    stage,
    projectType: 'industrial',
    liaison: 'liaison.wang',
    contracted: { amountMinor: '1250000000000', currency: 'CNY' },
    signingEvent: '2018 辽宁省重点项目集中签约',
    signedOn: stage === 'signed' ? '2018-06-01' : null,
    actor: coordinator.id,
  };
}

export async function liveOneLife(client: Client, taskQueue: string, code: string): Promise<Life> {
  const { firstExecutionRunId } = await startProject(client, taskQueue, projectInput(code, 'intention'));
  const h: WorkflowHandle<ProjectLandingWorkflow> = client.workflow.getHandle(code);
  let updates = 1;
  let n = 0;
  const requestId = () => `${code}/r${++n}`;
  /** Every update of the life goes through here, so that the floor gets as many. */
  function send<R, I>(def: UpdateDefinition<R, [I]>, input: I): Promise<R> {
    updates += 1;
    return h.executeUpdate(def, { args: [input] });
  }
  const task = (key: string) => {
    const t = TASKS.find((x) => x.key === key)!;
    return send(completeTask, { requestId: requestId(), taskKey: t.key, actor: t.actor, data: t.data });
  };
  let entries = 0;
  /** A tranche recorded by the coordinator and verified by someone else; returns its entry id. */
  const tranche = async (amountMinor: string, receivedOn: string) => {
    const entry = await send(recordFunds, { requestId: requestId(), amountMinor, currency: 'CNY', receivedOn, evidence: `ZZ-${++entries}`, actor: coordinator });
    await send(verifyFunds, { requestId: requestId(), entryId: entry.id, actor: verifier });
    return entry.id;
  };

  await send(advanceStage, { requestId: requestId(), to: 'negotiating', actor: coordinator, reason: '项目锁定，进入实质谈判' });
  await send(advanceStage, { requestId: requestId(), to: 'signed', actor: coordinator, reason: '集中签约' });
  await send(reportBlocker, { requestId: requestId(), category: 'land', description: '土地指标不足，需市里统筹调剂', actor: coordinator });
  await untilRegistrationRung(h, REGISTRATION_RUNGS);
  await task('registration');
  await task('land');
  await send(resolveBlocker, { requestId: requestId(), blockerId: 'B1', resolution: '市自然资源局已调剂用地指标', actor: coordinator });
  await send(reassignLiaison, { requestId: requestId(), liaison: 'liaison.li', reason: '工作调整', actor: coordinator });
  await tranche('100000000000', '2018-08-20');
  await task('project_filing');
  await task('eia');
  await send(reportBlocker, { requestId: requestId(), category: 'financing', description: '银行贷款审批延迟', actor: coordinator });
  await task('construction_permit');
  await send(resolveBlocker, { requestId: requestId(), blockerId: 'B2', resolution: '贷款已获批', actor: coordinator });
  await task('construction_start');
  const second = await tranche('200000000000', '2018-10-10');
  await tranche('150000000000', '2018-12-05');
  const reversal = await send(reverseFunds, { requestId: requestId(), entryId: second, reason: '凭证号录错，冲销后重新录入', actor: coordinator });
  await send(verifyFunds, { requestId: requestId(), entryId: reversal.id, actor: verifier });
  await tranche('200000000000', '2018-10-10');
  const duplicate = await send(recordFunds, { requestId: requestId(), amountMinor: '150000000000', currency: 'CNY', receivedOn: '2018-12-05', evidence: 'ZZ-3', actor: coordinator });
  await send(voidFunds, { requestId: requestId(), entryId: duplicate.id, reason: '重复录入', actor: coordinator });
  await send(increaseCapital, { requestId: requestId(), amountMinor: '300000000000', currency: 'CNY', agreedOn: '2019-03-01', actor: coordinator });
  await tranche('250000000000', '2019-04-18');
  await tranche('300000000000', '2019-07-30');
  await tranche('350000000000', '2019-11-12');
  await send(advanceStage, { requestId: requestId(), to: 'operating', actor: coordinator, reason: '项目竣工投产' });
  const final = await h.result();
  if (final.stage !== 'operating') throw new Error(`${code} ended ${final.stage}, not operating`);
  return { code, firstRunId: firstExecutionRunId, updates, rungs: final.tasks.reduce((sum, t) => sum + t.rung, 0) };
}

async function untilRegistrationRung(h: WorkflowHandle<ProjectLandingWorkflow>, rung: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (((await h.query(getState)).tasks.find((t) => t.key === 'registration')?.rung ?? 0) < rung) {
    if (Date.now() > deadline) throw new Error(`registration did not reach rung ${rung}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { User } from '../../db/users.js';
import { displayName, type ProjectInput } from '../../workflows/state.js';
import { inScope } from '../policy.js';

/** What an import row says about a project, compared field by field with what started the existing one. */
type Compared = Record<keyof Omit<ProjectInput, 'code' | 'actor'>, unknown>;

/** Header of each compared field in the import's own language (the first name its column accepts). */
const FIELD_LABEL: Readonly<Record<keyof Compared, string>> = {
  name: '项目名称',
  codename: '项目代号',
  investor: '投资方',
  city: '城市',
  capitalType: '资本类型',
  outOfProvince: '省外项目',
  stage: '阶段',
  projectType: '项目类型',
  liaison: '对接人',
  contracted: '签约额',
  signingEvent: '签约活动',
  signedOn: '签约日期',
};

/**
 * Which of the codes a workflow already holds, running or closed, asked of visibility 100 codes
 * at a time. Visibility trails the server by moments: a code taken just now is not found here,
 * and its start is refused instead (the import then compares it, as for a code found here).
 */
export async function heldCodes(client: Client, codes: readonly string[]): Promise<Set<string>> {
  const held = new Set<string>();
  const batches: string[][] = [];
  for (let i = 0; i < codes.length; i += 100) batches.push(codes.slice(i, i + 100) as string[]);
  await Promise.all(
    batches.map(async (batch) => {
      // Project codes are upper-case letters, digits and hyphens (projectCode): nothing to escape.
      const query = `WorkflowId IN (${batch.map((c) => `'${c}'`).join(', ')})`;
      for await (const execution of client.workflow.list({ query, pageSize: 1000 })) held.add(execution.workflowId);
    }),
  );
  return held;
}

/**
 * The input that started the project with this code (its first run, so continue-as-new and later
 * changes do not matter), or null when no workflow has this ID.
 */
export async function startedProjectInput(client: Client, code: string): Promise<ProjectInput | null> {
  let firstRunId: string;
  try {
    const { raw } = await client.workflow.getHandle(code).describe();
    firstRunId = raw.workflowExecutionInfo?.firstRunId || raw.workflowExecutionInfo!.execution!.runId!;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: code, runId: firstRunId },
    maximumPageSize: 1,
  });
  const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`workflow ${code} has no start event in its first run ${firstRunId}`);
  const { payloadConverter, payloadCodecs } = client.workflow.options.loadedDataConverter;
  let payloads = (started.input?.payloads ?? []) as Payload[];
  // Codecs encode in order, so they decode in reverse.
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  return payloadConverter.fromPayload<ProjectInput>(payloads[0]!);
}

/** The fields (by their column headers) in which a row differs from the project that holds its code. */
export function differingFields(row: ProjectInput, existing: ProjectInput): string[] {
  const a = comparable(row);
  const b = comparable(existing);
  return (Object.keys(FIELD_LABEL) as (keyof Compared)[]).filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).map((f) => FIELD_LABEL[f]);
}

/**
 * Why a row cannot use a code another project holds. It always names that project's city; its
 * name (as shown where the real name must not be) and the differing fields only when the
 * importing user may see projects of that city.
 */
export function codeTakenReason(user: User, existing: ProjectInput, differing: string[]): string {
  if (!inScope(user, existing.city)) return `this code is already used by another project, in ${existing.city}`;
  return `this code is already used by another project, 「${displayName(existing)}」 in ${existing.city} (it differs in ${differing.join(', ')})`;
}

/** Absent optional fields (projects started by older versions) read as null; the money as its two parts. */
function comparable(p: ProjectInput): Compared {
  return {
    name: p.name,
    codename: p.codename ?? null,
    investor: p.investor,
    city: p.city,
    capitalType: p.capitalType,
    outOfProvince: p.outOfProvince,
    stage: p.stage,
    projectType: p.projectType ?? null,
    liaison: p.liaison ?? null,
    contracted: p.contracted ? { amountMinor: p.contracted.amountMinor, currency: p.contracted.currency } : null,
    signingEvent: p.signingEvent ?? null,
    signedOn: p.signedOn ?? null,
  };
}

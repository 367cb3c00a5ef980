import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Db } from '../../db/connection.js';
import { templateProjectTypes } from '../../db/templates.js';
import type { User } from '../../db/users.js';
import { Problem } from '../problem.js';
import { startProjectNow } from '../start-project.js';
import { codeTakenReason, differingFields, heldCodes, startedProjectInput } from './existing.js';
import { checkRows, toFieldReasons, type CheckedRows, type RowProblem } from './rows.js';
import { readSheet, SheetError, type SheetFormat } from './sheet.js';

export interface ImportResult {
  total: number;
  /** Started by this import. */
  started: string[];
  /** The same project (same code, same fields) was started before, by an earlier import of the file or otherwise: nothing was done. */
  alreadyStarted: string[];
  /** Rows not started because another project took their code while this import ran, after every row was checked. */
  conflicts: RowProblem[];
}

export interface ImportDeps {
  client: Client;
  db: Db;
  taskQueue: string;
}

export class ImportRejected extends Problem {
  constructor(readonly problems: RowProblem[]) {
    super(400, 'Invalid import', `${problems.length} problem(s) in the file; nothing was started. Fix them and import the file again.`, toFieldReasons(problems));
  }
}

/**
 * Imports a summit's signing batch: every row is checked first, and if any is wrong nothing starts.
 * A code already in use counts as already started only when it is the very same project (a
 * re-import); another project's code is a row error. Then each project starts once; its first
 * tasks open moments after the import answers.
 */
export async function importSummitBatch(
  deps: ImportDeps,
  user: User,
  content: Buffer,
  format: SheetFormat,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ImportResult> {
  let rows;
  try {
    rows = await readSheet(content, format);
  } catch (err) {
    if (err instanceof SheetError) throw new ImportRejected([{ row: 1, column: '(file)', reason: err.message }]);
    throw err;
  }
  const types = new Set(await templateProjectTypes(deps.db));
  const { projects, problems } = checkRows(rows, user, types);
  if (problems.length) throw new ImportRejected(problems);

  const result: ImportResult = { total: projects.length, started: [], alreadyStarted: [], conflicts: [] };
  const toStart: CheckedProject[] = [];
  const taken: RowProblem[] = [];
  // Only the codes visibility knows are looked up one by one; a code taken since is refused at its start.
  const held = await heldCodes(deps.client, projects.map((p) => p.input.code));
  await inParallel(projects, async (project) => {
    const found = held.has(project.input.code) ? await existingProject(deps.client, user, project) : 'none';
    if (found === 'none') toStart.push(project);
    else if (found === 'same') result.alreadyStarted.push(project.input.code);
    else taken.push(found.problem);
  });
  if (taken.length) throw new ImportRejected(taken.sort((a, b) => a.row - b.row));

  let done = result.alreadyStarted.length;
  if (done) onProgress(done, projects.length);
  await inParallel(toStart, async (project) => {
    try {
      await startProjectNow(deps.client, deps.taskQueue, project.input);
      result.started.push(project.input.code);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Started by someone else since the check above: the same project, or a conflict to report.
      const found = await existingProject(deps.client, user, project);
      if (found === 'same') result.alreadyStarted.push(project.input.code);
      else if (found !== 'none') result.conflicts.push(found.problem);
      else throw err;
    }
    onProgress(++done, projects.length);
  });
  result.started.sort();
  result.alreadyStarted.sort();
  result.conflicts.sort((a, b) => a.row - b.row);
  return result;
}

type CheckedProject = CheckedRows['projects'][number];

/** Whether the row's code is free, held by the very same project, or held by another project (a row problem). */
async function existingProject(client: Client, user: User, { row, codeColumn, input }: CheckedProject): Promise<'none' | 'same' | { problem: RowProblem }> {
  const existing = await startedProjectInput(client, input.code);
  if (!existing) return 'none';
  const differing = differingFields(input, existing);
  if (!differing.length) return 'same';
  return { problem: { row, column: codeColumn, reason: codeTakenReason(user, existing, differing) } };
}

/** Runs fn over the items a few at a time: enough to be quick, few enough to leave the server room. */
export async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<unknown>, limit = 8): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

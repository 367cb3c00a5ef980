import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Db } from '../../db/connection.js';
import type { User } from '../../db/users.js';
import { Problem } from '../problem.js';
import { startProject } from '../start-project.js';
import { checkRows, toFieldReasons, type RowProblem } from './rows.js';
import { readSheet, SheetError, type SheetFormat } from './sheet.js';

export interface ImportResult {
  total: number;
  /** Started by this import. */
  started: string[];
  /** Already started before (by an earlier import of the same file, or otherwise): nothing was done. */
  alreadyStarted: string[];
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
 * Then each project starts once; importing the same file again starts nothing twice.
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
  const types = new Set((await deps.db.selectFrom('task_templates').select('project_type').distinct().execute()).map((r) => r.project_type));
  const { projects, problems } = checkRows(rows, user, types);
  if (problems.length) throw new ImportRejected(problems);

  const result: ImportResult = { total: projects.length, started: [], alreadyStarted: [] };
  let next = 0;
  let done = 0;
  // A few at a time: enough to be quick, few enough to leave the server room.
  const worker = async () => {
    while (next < projects.length) {
      const { input } = projects[next++]!;
      try {
        await startProject(deps.client, deps.taskQueue, input);
        result.started.push(input.code);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        result.alreadyStarted.push(input.code);
      }
      onProgress(++done, projects.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, projects.length) }, worker));
  result.started.sort();
  result.alreadyStarted.sort();
  return result;
}

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundle, quietSdkLogs } from './stack.js';
import { TEST_DATA_CONVERTER } from './temporal-target.js';

/** Histories of real runs (npm run history:record); every change to workflow code must replay them. */
const historiesDir = new URL('./histories/', import.meta.url);
const histories = readdirSync(historiesDir).filter((f) => f.endsWith('.json')).sort().map((name) => ({
  name,
  history: historyFromJSON(JSON.parse(readFileSync(new URL(name, historiesDir), 'utf8'))),
}));

describe('replaying committed histories', () => {
  beforeAll(() => quietSdkLogs());

  let workflowBundle: Awaited<ReturnType<typeof bundle>>;
  beforeAll(async () => {
    workflowBundle = await bundle();
  });

  test('covers the slice, tasks, escalation, blockers, funds, continue-as-new, a failed write re-projected, the shell over pure decisions, attributes upserted only when changed, lazy timers, the template read locally, and the quarterly report', () => {
    expect(histories.map((h) => h.name)).toEqual([
      'projectLanding-attributes.json',
      'projectLanding-continued-run1.json',
      'projectLanding-continued-run2.json',
      'projectLanding-decisions.json',
      'projectLanding-escalation.json',
      'projectLanding-funds.json',
      'projectLanding-import.json',
      'projectLanding-slice.json',
      'projectLanding-tasks.json',
      'projectLanding-timers.json',
      'projectLanding-trust.json',
      'quarterlyReport-report.json',
    ]);
  });

  // With the payload codec installed, as every worker has it: histories written before it (these
  // are plaintext) pass through its decode unchanged.
  test.each(histories)('the current workflow code replays $name', async ({ history }) => {
    await expect(Worker.runReplayHistory({ workflowBundle, dataConverter: TEST_DATA_CONVERTER }, history)).resolves.toBeUndefined();
  });

  test('an incompatible change to the workflow fails replay', async () => {
    const workflowsPath = fileURLToPath(new URL('./fixtures/incompatible-workflow/index.ts', import.meta.url));
    const incompatible = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
    // The fixture changes projectLanding; every history of it must fail.
    for (const { history } of histories.filter((h) => h.name.startsWith('projectLanding-'))) {
      await expect(Worker.runReplayHistory({ workflowBundle: incompatible }, history)).rejects.toBeInstanceOf(DeterminismViolationError);
    }
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb, type Db } from '../db/connection.js';
import { getState } from '../workflows/messages.js';
import { addPlainTemplate, createCoordinator, createLandStaff, httpClient, startApi, startWorker } from './fault-stack.js';
import { bundle, eventually, newCode } from './stack.js';
import { TEST_DATA_CONVERTER, testEndpoint } from './temporal-target.js';

/**
 * Issue 13, upgrading luodi while projects run, on the cluster: projects start and take work on
 * a worker running an earlier release's workflow code (taken from git), then that worker stops and
 * one running this code takes over, as deploy/README.md's upgrade steps do. The release is the
 * one before the `local-template` patch (a new project reads its template by a local activity):
 * the projects it started keep the old path under this code, the ones started after the upgrade
 * take the new one, and neither fails a workflow task. Every history is then replayed with this
 * code, as the replay suite gates a release.
 */
const FROM_RELEASE = '809cb8b';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const target = inject('temporalTarget');
const TASKS = ['land', 'permit', 'power'] as const;

/** The earlier release's workflows, bundled as that release's worker bundled them. */
async function bundleRelease(commit: string): Promise<{ bundle: WorkflowBundle; dir: string }> {
  // Inside the work tree (ignored), so that its imports find this checkout's node_modules.
  const dir = join(ROOT, '.data', `release-${commit}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const archive = execFileSync('git', ['archive', commit, 'workflows'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  } catch (err) {
    throw new Error(`cannot read release ${commit} from git (a shallow clone? fetch its history): ${(err as Error).message}`, { cause: err });
  }
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  return { bundle: await bundleWorkflowCode({ workflowsPath: join(dir, 'workflows/index.ts'), logger: quiet }), dir };
}

/** The ids of the patches a history took (its patch markers). */
function patchesOf(history: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>): string[] {
  const decoder = new TextDecoder();
  return history
    .events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => JSON.parse(decoder.decode(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!)) as { id: string })
    .map((d) => d.id);
}

describe.runIf(target === 'cluster')('upgrading luodi while projects run', () => {
  let release: { bundle: WorkflowBundle; dir: string };
  let current: WorkflowBundle;
  let db: Db;
  let client: Client;

  beforeAll(async () => {
    release = await bundleRelease(FROM_RELEASE);
    current = await bundle();
    db = createDb(inject('databaseUrl'));
    client = new Client({ connection: await Connection.connect(testEndpoint(inject('temporalAddress'))), namespace: 'default', dataConverter: TEST_DATA_CONVERTER });
  });
  afterAll(async () => {
    await client?.connection.close();
    await db?.destroy();
    if (release) rmSync(release.dir, { recursive: true, force: true });
  });

  test(`projects started on release ${FROM_RELEASE}, before payloads were encrypted, go on under this code and its codec after the worker and the API are replaced; no workflow task fails, and every history replays`, async () => {
    const address = inject('temporalAddress');
    const taskQueue = `upgrade-${randomUUID()}`;
    const projectType = await addPlainTemplate(db, 'upgrade', TASKS);
    const coordinator = await createCoordinator(db);
    const staff = await createLandStaff(db);
    // The release had no payload codec: its API and worker wrote plaintext.
    const plainClient = new Client({ connection: client.connection, namespace: 'default' });
    let api = await startApi({ client: plainClient, db, taskQueue });
    let asCoordinator = httpClient(api.baseUrl, coordinator.token);
    let asStaff = httpClient(api.baseUrl, staff.token);
    const start = async (code: string) => {
      const a = await asCoordinator('/api/projects', { body: { code, name: '升级测试项目', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', projectType } });
      expect(a.status, JSON.stringify(a.body)).toBe(201);
    };
    const complete = async (code: string, task: string) => {
      const a = await asStaff(`/api/projects/${code}/tasks/${task}/complete`, { body: { data: {} } });
      expect(a.status, `${code}/${task}: ${JSON.stringify(a.body)}`).toBe(200);
    };

    const before = [newCode(), newCode()];
    const after = newCode();
    let worker = await startWorker({ address, db, taskQueue, workflowBundle: release.bundle, dataConverter: {} });
    try {
      for (const code of before) {
        await start(code);
        await complete(code, 'land');
      }
      const blocker = await asCoordinator(`/api/projects/${before[0]}/blockers`, { body: { category: 'approvals', description: '升级之前' } });
      expect(blocker.status).toBe(201);

      // The upgrade: the old worker and API stop; ones on this code, with the codec, take over.
      await worker.stop();
      await api.close();
      worker = await startWorker({ address, db, taskQueue, workflowBundle: current });
      api = await startApi({ client, db, taskQueue });
      asCoordinator = httpClient(api.baseUrl, coordinator.token);
      asStaff = httpClient(api.baseUrl, staff.token);

      for (const code of before) for (const task of ['permit', 'power']) await complete(code, task);
      const resolved = await asCoordinator(`/api/projects/${before[0]}/blockers/${blocker.body.id}/resolve`, { body: { resolution: '升级之后解决' } });
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
      await start(after);
      for (const task of TASKS) await complete(after, task);

      for (const code of [...before, after]) {
        const state = await client.workflow.getHandle(code).query(getState);
        expect(state.tasks.filter((t) => t.status === 'done').map((t) => t.key).sort(), code).toEqual([...TASKS].sort());
        await eventually(async () => ((await db.selectFrom('projects').select('version').where('code', '=', code).executeTakeFirst())?.version === state.version ? true : undefined));
      }

      const histories = await Promise.all([...before, after].map(async (code) => ({ code, history: await client.workflow.getHandle(code).fetchHistory() })));
      for (const { code, history } of histories) {
        const types = history.events!.map((e) => e.eventType);
        expect(types.filter((t) => t === 23 /* WORKFLOW_TASK_FAILED */), `${code}: failed workflow tasks`).toEqual([]);
        // The release's projects keep their path; the one started after the upgrade takes the new.
        expect(patchesOf(history), code).toContain(before.includes(code) ? 'one-round-trip' : 'local-template');
        if (before.includes(code)) expect(patchesOf(history), code).not.toContain('local-template');
        // Written in plaintext before the upgrade, encrypted after it; both read back.
        const encodings = new Set(history.events!.flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? []).map((p) => Buffer.from(p.metadata?.encoding ?? []).toString()));
        expect([...encodings].sort(), code).toEqual(before.includes(code) ? ['binary/encrypted', 'json/plain'] : ['binary/encrypted']);
      }
      // What the replay suite does before a release: this code replays every one of them.
      const replayed = [];
      for await (const result of Worker.runReplayHistories({ workflowBundle: current, dataConverter: TEST_DATA_CONVERTER }, histories.map(({ code, history }) => ({ workflowId: code, history })))) replayed.push(result);
      expect(replayed.map((r) => [r.workflowId, r.error ? String(r.error) : null])).toEqual(histories.map(({ code }) => [code, null]));
    } finally {
      await worker.stop();
      await api.close();
    }
  }, 180_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { addTemplateVersion, latestTemplate, TemplateError } from '../db/templates.js';
import { createDb } from '../db/connection.js';
import { DEFAULT_TEMPLATES } from '../db/default-templates.js';
import { getState, withdraw, type ProjectLandingWorkflow } from '../workflows/messages.js';
import { bundle, eventually, newCode, startStack, type Stack } from './stack.js';

const db = createDb(inject('databaseUrl'));
afterAll(() => db.destroy());

const base = DEFAULT_TEMPLATES[0]!;
const variant = (over: object) => ({ ...base, projectType: `t_${Math.random().toString(36).slice(2, 8)}`, ...over });

describe('task templates', () => {
  test('the built-in industrial template is stored as version 1', async () => {
    const t = await latestTemplate(db, 'industrial');
    expect(t).toMatchObject({ projectType: 'industrial', version: 1, escalationWorkingDays: [0, 3, 7, 15], idleWorkingDays: 30 });
    expect(t?.tasks.map((x) => x.key)).toEqual(['registration', 'land', 'project_filing', 'eia', 'construction_permit', 'construction_start']);
  });

  test.each([
    ['a dependency cycle', { tasks: [
      { key: 'a', department: 'commerce', title: { zh: '甲', en: 'A' }, dependsOn: ['b'], dueWorkingDays: 1, fields: [] },
      { key: 'b', department: 'commerce', title: { zh: '乙', en: 'B' }, dependsOn: ['a'], dueWorkingDays: 1, fields: [] },
    ] }, 'tasks', /cycle: a → b → a/],
    ['an unknown dependency', { tasks: [{ key: 'a', department: 'commerce', title: { zh: '甲', en: 'A' }, dependsOn: ['zzz'], dueWorkingDays: 1, fields: [] }] }, 'tasks.0.dependsOn.0', /no task zzz/],
    ['an unknown department', { tasks: [{ key: 'a', department: 'police', title: { zh: '甲', en: 'A' }, dependsOn: [], dueWorkingDays: 1, fields: [] }] }, 'tasks.0.department', /./],
    ['a choice field without choices', { tasks: [{ key: 'a', department: 'commerce', title: { zh: '甲', en: 'A' }, dependsOn: [], dueWorkingDays: 1, fields: [{ key: 'c', label: { zh: '选', en: 'C' }, type: 'choice', required: true }] }] }, 'tasks.0.fields.0.choices', /choices/],
    ['a ladder not starting at the due date', { escalationWorkingDays: [3, 7] }, 'escalationWorkingDays', /start at 0/],
  ])('%s is refused with the path of the problem, and nothing is saved', async (_name, over, field, reason) => {
    const input = variant(over);
    const err = await addTemplateVersion(db, input as never, 'admin.test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateError);
    expect((err as TemplateError).issues).toContainEqual({ field, reason: expect.stringMatching(reason) });
    expect(await latestTemplate(db, input.projectType)).toBeUndefined();
  });

  describe('versions', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack(await bundle());
    });
    afterAll(async () => {
      await stack?.close();
    });

    test('a project keeps the template version it started with; new projects get the newest', async () => {
      const projectType = `v_${Math.random().toString(36).slice(2, 8)}`;
      const one = { key: 'one', department: 'commerce', title: { zh: '一', en: 'One' }, dependsOn: [], dueWorkingDays: 5, fields: [] };
      await addTemplateVersion(stack.db, { ...base, projectType, tasks: [one] } as never, 'admin.test');
      const start = async () => {
        const code = newCode();
        const handle = await stack.client.workflow.start<ProjectLandingWorkflow>('projectLanding', {
          workflowId: code,
          taskQueue: stack.taskQueue,
          args: [{ code, name: '测试', codename: null, city: '大连', investor: '某公司', capitalType: 'foreign', outOfProvince: false, stage: 'signed', projectType, actor: 'coordinator.li' }],
        });
        return { handle, state: await eventually(async () => { const s = await handle.query(getState); return s.template ? s : undefined; }) };
      };
      const first = await start();
      const v2 = await addTemplateVersion(stack.db, { ...base, projectType, tasks: [one, { ...one, key: 'two', dependsOn: ['one'] }] } as never, 'admin.test');
      expect(v2.version).toBe(2);
      const second = await start();

      expect(first.state.template?.version).toBe(1);
      expect((await first.handle.query(getState)).tasks.map((t) => t.key)).toEqual(['one']);
      expect(second.state.template?.version).toBe(2);
      expect(second.state.tasks.map((t) => t.key)).toEqual(['one', 'two']);
      for (const { handle } of [first, second]) {
        await handle.executeUpdate(withdraw, { args: [{ requestId: `w-${handle.workflowId}`, reason: 'test done', actor: { id: 'coordinator.li', department: null, city: '大连' } }] });
      }
    });
  });
});

describe('npm run template', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/template.ts', ...args], { env: { ...process.env, DATABASE_URL: inject('databaseUrl') } });

  test('add saves a new version from a file; an invalid file is refused and saves nothing', async () => {
    const projectType = `cli_${Math.random().toString(36).slice(2, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'luodi-template-'));
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ ...base, projectType }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...base, projectType, escalationWorkingDays: [5] }));
    expect((await run('add', join(dir, 'ok.json'), '--by', 'admin.li')).stdout).toContain(`saved ${projectType} version 1 (6 tasks)`);
    await expect(run('add', join(dir, 'bad.json'), '--by', 'admin.li')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('escalationWorkingDays') });
    expect((await latestTemplate(db, projectType))?.version).toBe(1);
    expect((await run('list')).stdout).toContain(`${projectType}\tv1\tadmin.li`);
  });
});

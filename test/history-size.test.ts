import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { temporal } from '@temporalio/proto';
import { addTemplateVersion } from '../db/templates.js';
import { bundle, newCode, startStack, type Stack } from './stack.js';

/**
 * One action, one round trip: an update decides and writes its records with one local activity in
 * the workflow task that took it, so its history stays small (issue: at most 12 events and 3 KB;
 * 3.5 KB since every payload is encrypted: the codec adds about 90 bytes to each of the update's
 * arguments, its local activity's result and the update's answer).
 */
const MAX_ACTION_BYTES = 3.5 * 1024;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(await bundle(), { workingDayMs: 60_000 });
  await addTemplateVersion(
    stack.db,
    {
      projectType: 'history_size',
      name: { zh: '历史大小', en: 'History size' },
      tasks: [
        { key: 'first', department: 'natural_resources', title: { zh: '第一', en: 'First' }, dependsOn: [], dueWorkingDays: 5, fields: [{ key: 'parcel', label: { zh: '地块', en: 'Parcel' }, type: 'text', required: true }] },
        { key: 'second', department: 'natural_resources', title: { zh: '第二', en: 'Second' }, dependsOn: ['first'], dueWorkingDays: 5, fields: [] },
      ],
    },
    'admin.test',
  );
});
afterAll(async () => {
  await stack?.close();
});

type Event = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** The events from an update's acceptance to its completion, and their encoded size. */
async function historyOfAction(code: string, act: () => Promise<unknown>): Promise<{ events: Event[]; bytes: number }> {
  const before = (await stack.client.workflow.getHandle(code).fetchHistory()).events ?? [];
  await act();
  const after = (await stack.client.workflow.getHandle(code).fetchHistory()).events ?? [];
  const added = after.slice(before.length);
  const completed = added.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  const events = added.slice(0, completed + 1);
  const bytes = events.reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0);
  return { events, bytes };
}

describe('the history one action writes', () => {
  test('a task completion and a liaison change: each at most 12 events and 3.5 KB, no activity task scheduled on the server', async () => {
    const code = newCode('SY');
    const created = await stack.api('/api/projects', { body: { code, name: '沈阳历史测试', city: '沈阳', investor: '某公司', capitalType: 'domestic', stage: 'signed', projectType: 'history_size' } });
    expect(created.status).toBe(201);
    const { events, bytes } = await historyOfAction(code, async () => {
      const done = await stack.api(`/api/projects/${code}/tasks/first/complete`, { as: 'staffLand', body: { data: { parcel: 'SY-2026-001' } } });
      expect(done.status).toBe(200);
    });
    expect(events.length).toBeLessThanOrEqual(12);
    expect(bytes).toBeLessThanOrEqual(MAX_ACTION_BYTES);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);

    // An update that changes the whole project answers where it stands, not the whole state; the API shows the whole project.
    const liaison = await historyOfAction(code, async () => {
      const res = await stack.api(`/api/projects/${code}/liaison`, { body: { liaison: 'liaison.li', reason: '工作调整' } });
      expect(res.status).toBe(200);
      expect(res.body.tasks[0].fields).toBeDefined();
    });
    expect(liaison.events.length).toBeLessThanOrEqual(12);
    expect(liaison.bytes).toBeLessThanOrEqual(MAX_ACTION_BYTES);
  });
});

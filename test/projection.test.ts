import { sql } from 'kysely';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { scaledCalendar } from '../activities/calendar.js';
import { createActivities } from '../activities/index.js';
import { initialState } from '../workflows/project-state.js';
import { projectionOf } from '../workflows/projection.js';
import { createDb } from '../db/connection.js';
import type { ProjectEvent, ProjectState } from '../workflows/state.js';
import { newCode } from './stack.js';

const db = createDb(inject('databaseUrl'));
const activities = createActivities({ db, calendar: scaledCalendar(1000) });
/** The activity as the workflow calls it: the rows this event touches, and the event. */
const recordProjectEvent = (s: ProjectState, e: ProjectEvent) => activities.recordProjectEvent(projectionOf(s, e), e);
afterAll(() => db.destroy());

function state(code: string, version: number, stage: ProjectState['stage']): ProjectState {
  const at = new Date(Date.UTC(2018, 5, 1, 0, version)).toISOString();
  const input = { code, name: '沈阳机器人产业园', codename: null, city: '沈阳', investor: '新松机器人', capitalType: 'domestic', outOfProvince: false, stage: 'intention', actor: 'coordinator.zhang' } as const;
  return { ...initialState(input, new Date(Date.UTC(2018, 5, 1)).toISOString()), stage, version, updatedAt: at };
}

const event = (version: number, kind: ProjectEvent['kind'] = 'stage.advanced'): ProjectEvent => ({
  version,
  kind,
  actor: 'liaison.wang',
  at: new Date(Date.UTC(2018, 5, 1, 0, version)).toISOString(),
  data: { version },
});

describe('recordProjectEvent activity', () => {
  test('a retry with the same input writes no second record', async () => {
    const code = newCode();
    await recordProjectEvent(state(code, 1, 'intention'), event(1, 'project.registered'));
    await recordProjectEvent(state(code, 1, 'intention'), event(1, 'project.registered'));
    expect(await db.selectFrom('projects').selectAll().where('code', '=', code).execute()).toHaveLength(1);
    expect(await db.selectFrom('audit_log').selectAll().where('project_code', '=', code).execute()).toHaveLength(1);
  });

  test('a late retry of an older change never moves the projection back', async () => {
    const code = newCode();
    await recordProjectEvent(state(code, 1, 'intention'), event(1, 'project.registered'));
    await recordProjectEvent(state(code, 3, 'signed'), event(3));
    await recordProjectEvent(state(code, 2, 'negotiating'), event(2));
    const row = await db.selectFrom('projects').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ stage: 'signed', version: 3 });
    const audit = await db.selectFrom('audit_log').select('version').where('project_code', '=', code).orderBy('version').execute();
    expect(audit.map((a) => a.version)).toEqual([1, 2, 3]);
  });
});

describe('audit_log', () => {
  test('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const code = newCode();
    await recordProjectEvent(state(code, 1, 'intention'), event(1, 'project.registered'));
    await expect(db.updateTable('audit_log').set({ actor: 'someone.else' }).where('project_code', '=', code).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('project_code', '=', code).execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    const row = await db.selectFrom('audit_log').selectAll().where('project_code', '=', code).executeTakeFirstOrThrow();
    expect(row.actor).toBe('liaison.wang');
  });
});

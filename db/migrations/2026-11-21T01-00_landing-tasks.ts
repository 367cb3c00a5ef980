import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Task templates are versioned: a change is a new version; a project keeps the version it started with.
  await db.schema
    .createTable('task_templates')
    .addColumn('project_type', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('task_templates_pk', ['project_type', 'version'])
    .execute();

  // Exceptions to "Monday to Friday": public holidays on weekdays, and 调休 working weekend days.
  await db.schema
    .createTable('calendar_days')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('holiday', 'workday')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('projects')
    .addColumn('project_type', 'text')
    .addColumn('template_version', 'integer')
    .addColumn('liaison', 'text')
    .addColumn('stuck', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('stuck_reasons', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('stuck_since', 'timestamptz')
    .addColumn('overdue_tasks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('escalation_rung', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_progress_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('projects_stuck').on('projects').columns(['stuck', 'city']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('project_code', 'text', (c) => c.notNull().references('projects.code'))
    .addColumn('task_key', 'text', (c) => c.notNull())
    .addColumn('department', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('title_zh', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'open', 'done', 'cancelled')`))
    .addColumn('opened_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz')
    .addColumn('rung', 'integer', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('completed_by', 'text')
    .addColumn('data', 'jsonb')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('tasks_pk', ['project_code', 'task_key'])
    .execute();
  await db.schema.createIndex('tasks_inbox').on('tasks').columns(['department', 'city', 'status', 'due_at']).execute();

  await db.schema
    .createTable('blockers')
    .addColumn('project_code', 'text', (c) => c.notNull().references('projects.code'))
    .addColumn('blocker_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('reported_by', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolution', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('blockers_pk', ['project_code', 'blocker_id'])
    .execute();

  await db.schema
    .createTable('escalations')
    .addColumn('project_code', 'text', (c) => c.notNull().references('projects.code'))
    .addColumn('task_key', 'text', (c) => c.notNull())
    .addColumn('rung', 'integer', (c) => c.notNull())
    .addColumn('department', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('escalated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('escalations_pk', ['project_code', 'task_key', 'rung'])
    .execute();

  // What a workflow asked to be sent; delivery is the outbox dispatcher's job (a later issue).
  await db.schema
    .createTable('notification_requests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('department', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notification_requests', 'escalations', 'blockers', 'tasks', 'calendar_days', 'task_templates']) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema
    .alterTable('projects')
    .dropColumn('project_type')
    .dropColumn('template_version')
    .dropColumn('liaison')
    .dropColumn('stuck')
    .dropColumn('stuck_reasons')
    .dropColumn('stuck_since')
    .dropColumn('overdue_tasks')
    .dropColumn('escalation_rung')
    .dropColumn('last_progress_at')
    .execute();
}

import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any>, never the current Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Annual targets set by admins: per city (null: the province) and category of capital.
  await db.schema
    .createTable('targets')
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('domestic', 'foreign', 'out_of_province')`))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency in ('CNY', 'USD')`))
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('targets_pk', ['year', 'city', 'category'])
    .execute();

  // A capital increase (增资) counts only its increment, when it is agreed.
  await db.schema
    .createTable('capital_increases')
    .addColumn('increase_id', 'text', (c) => c.primaryKey())
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency in ('CNY', 'USD')`))
    .addColumn('agreed_on', 'date', (c) => c.notNull())
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Which milestone a task proves (registered, landPaid, constructionStarted), for the landing rate.
  await db.schema.alterTable('tasks').addColumn('milestone', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tasks').dropColumn('milestone').execute();
  await db.schema.dropTable('capital_increases').execute();
  await db.schema.dropTable('targets').execute();
}

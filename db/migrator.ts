import { Kysely, Migrator, PostgresDialect, type MigrationResult } from 'kysely';
import pg from 'pg';
import type { Logger } from '../config/logger.js';
import { importOfficialCalendar } from './calendar.js';
import { createDb } from './connection.js';
import { migrations } from './migrations/index.js';
import { seedDefaultTemplates } from './templates.js';

/** Creates the database named in the URL if it does not exist yet. */
export async function ensureDatabase(databaseUrl: string, log: Logger): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL ${databaseUrl} names no database`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `Cannot reach PostgreSQL at ${url.host}: ${(err as Error).message}. ` +
        'Start it (on Debian: pg_ctlcluster --skip-systemctl-redirect 15 main start) or set DATABASE_URL.',
      { cause: err },
    );
  }
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await admin.query(`create database ${pg.escapeIdentifier(name)}`);
      log.info({ database: name }, 'created database');
    }
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Runs every pending migration; throws (naming the migration) if one fails. */
export async function migrateToLatest(databaseUrl: string, log: Logger): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }) });
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error, results } = await migrator.migrateToLatest();
    for (const r of results ?? []) logResult(log, r);
    if (error) throw new Error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await db.destroy();
  }
}

function logResult(log: Logger, r: MigrationResult): void {
  if (r.status === 'Success') log.info({ migration: r.migrationName }, 'migrated');
  else if (r.status === 'Error') log.error({ migration: r.migrationName }, 'migration failed');
}

/** Everything a database needs before luodi runs: created, migrated, calendar and default templates present. */
export async function prepareDatabase(databaseUrl: string, log: Logger): Promise<void> {
  await ensureDatabase(databaseUrl, log);
  await migrateToLatest(databaseUrl, log);
  const db = createDb(databaseUrl);
  try {
    const days = await importOfficialCalendar(db);
    if (days) log.info({ days }, 'imported the official holiday calendar');
    const templates = await seedDefaultTemplates(db);
    if (templates.length) log.info({ templates }, 'saved the built-in task templates');
  } finally {
    await db.destroy();
  }
}

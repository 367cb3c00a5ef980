import { readFileSync } from 'node:fs';
import { loadConfigOrExit } from '../config/index.js';
import { createDb } from '../db/connection.js';
import { addTemplateVersion, latestTemplate, listTemplates, TemplateError } from '../db/templates.js';

/**
 * Admins manage task templates (a new version per change; running projects keep theirs):
 *   npm run template -- list
 *   npm run template -- show <projectType>
 *   npm run template -- add <file.json> --by <admin>
 */
const USAGE = 'usage: npm run template -- list | show <projectType> | add <file.json> --by <admin>';
const [command, arg, flag, by] = process.argv.slice(2);
const config = loadConfigOrExit();
const db = createDb(config.DATABASE_URL);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

try {
  if (command === 'list') {
    for (const t of await listTemplates(db)) process.stdout.write(`${t.project_type}\tv${t.version}\t${t.created_by}\t${t.created_at.toISOString()}\n`);
  } else if (command === 'show' && arg) {
    const t = await latestTemplate(db, arg);
    if (!t) fail(`no template for project type ${arg}`);
    process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
  } else if (command === 'add' && arg && flag === '--by' && by) {
    let input: unknown;
    try {
      input = JSON.parse(readFileSync(arg, 'utf8'));
    } catch (err) {
      fail(`cannot read ${arg} as JSON: ${(err as Error).message}`);
    }
    const saved = await addTemplateVersion(db, input as never, by);
    process.stdout.write(`saved ${saved.projectType} version ${saved.version} (${saved.tasks.length} tasks)\n`);
  } else {
    fail(USAGE);
  }
} catch (err) {
  if (err instanceof TemplateError) fail(`${err.message}\nnothing was saved`);
  throw err;
} finally {
  await db.destroy();
}

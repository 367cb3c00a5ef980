import { calendarDate } from '../workflows/input.js';
import { loadConfigOrExit } from '../config/index.js';
import { calendarExceptions, importOfficialCalendar, setCalendarDays } from '../db/calendar.js';
import { createDb } from '../db/connection.js';

/**
 * Admins keep the working-day calendar (public holidays and 调休 working days) current each year:
 *   npm run calendar -- import                                   official days shipped with chinese-days
 *   npm run calendar -- set <YYYY-MM-DD> <holiday|workday> <name> --by <admin>
 *   npm run calendar -- show <year>
 */
const USAGE = 'usage: npm run calendar -- import | set <YYYY-MM-DD> <holiday|workday> <name> --by <admin> | show <year>';
const args = process.argv.slice(2);
const config = loadConfigOrExit();
const db = createDb(config.DATABASE_URL);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const day = calendarDate;
try {
  const [command] = args;
  if (command === 'import') {
    process.stdout.write(`added ${await importOfficialCalendar(db)} days\n`);
  } else if (command === 'set' && args.length === 6 && args[4] === '--by') {
    const [, date, kind, name, , by] = args as [string, string, string, string, string, string];
    if (!day.safeParse(date).success) fail(`${date}: must be a date as YYYY-MM-DD`);
    if (kind !== 'holiday' && kind !== 'workday') fail(`${kind}: must be holiday or workday`);
    await setCalendarDays(db, [{ day: date, kind, name }], `admin:${by}`);
    process.stdout.write(`${date} is now a ${kind} (${name})\n`);
  } else if (command === 'show' && /^\d{4}$/.test(args[1] ?? '')) {
    const days = await calendarExceptions(db, `${args[1]}-01-01`, `${args[1]}-12-31`);
    if (!days.size) process.stdout.write(`no holidays known for ${args[1]}: Monday to Friday count as working days\n`);
    for (const [date, kind] of [...days].sort()) process.stdout.write(`${date}\t${kind}\n`);
  } else {
    fail(USAGE);
  }
} finally {
  await db.destroy();
}

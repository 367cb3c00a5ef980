import { loadConfigOrExit } from '../config/index.js';
import { runChecks } from './doctor.js';

/**
 * `npm run doctor`: checks Node, a Temporal binary or Go, PostgreSQL, Chromium with a CJK font and
 * the ports `npm start` takes; prints each with what to do about a failure, and exits 1 if any
 * failed.
 */
const config = loadConfigOrExit();
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
const checks = await runChecks(config);
for (const c of checks) {
  process.stdout.write(`${c.ok ? paint(32, '✓') : paint(31, '✗')} ${c.name}: ${c.detail}\n`);
  if (!c.ok && c.fix) process.stdout.write(`    → ${c.fix}\n`);
}
const failed = checks.filter((c) => !c.ok).length;
process.stdout.write(failed ? `\n${failed} to fix before npm start and npm test work.\n` : '\nAll set: npm start, then npm test.\n');
process.exit(failed ? 1 : 0);

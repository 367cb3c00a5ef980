import { parseArgs } from 'node:util';
import { z } from 'zod';
import { safeText } from '../api/input.js';
import { loadConfigOrExit } from '../config/index.js';
import { createDb } from '../db/connection.js';
import { ROLES } from '../db/schema.js';
import { createApiToken, createUser, disableUser, listUsers, setPassword } from '../db/users.js';
import { CITIES } from '../workflows/contract.js';
import { DEPARTMENTS } from '../workflows/templates.js';

/**
 * Admins manage users and their API tokens (only a hash of each token is stored):
 *   npm run user -- add <id> --name <name> --role <role> [--city <city>] [--department <dept>] [--email <email>]
 *   npm run user -- token <id> [--label <label>]        a new API token, printed once
 *   npm run user -- password <id>                         reads the new password from standard input
 *   npm run user -- list
 *   npm run user -- disable <id>
 */
const USAGE = `usage: npm run user -- add <id> --name <name> --role <${ROLES.join('|')}> [--city <city>] [--department <dept>] [--email <email>]
       npm run user -- token <id> [--label <label>] | password <id> | list | disable <id>`;

const newUser = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'must be a login name: lower-case letters, digits, . _ -'),
    name: safeText(100),
    role: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`),
    city: z.enum(CITIES, `must be one of ${CITIES.join(', ')}`).nullable(),
    department: z.enum(DEPARTMENTS, `must be one of ${DEPARTMENTS.join(', ')}`).nullable(),
    email: z.email('must be an email address').nullable(),
  })
  .refine((u) => (u.role === 'staff') === (u.department !== null), { message: 'is required for staff, and only for staff', path: ['department'] });

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { positionals, values } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { name: { type: 'string' }, role: { type: 'string' }, city: { type: 'string' }, department: { type: 'string' }, email: { type: 'string' }, label: { type: 'string' } },
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
})();
const [command, id] = positionals;
const config = loadConfigOrExit();
const db = createDb(config.DATABASE_URL);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

try {
  if (command === 'add' && id) {
    const parsed = newUser.safeParse({ id, name: values.name, role: values.role, city: values.city ?? null, department: values.department ?? null, email: values.email ?? null });
    if (!parsed.success) fail(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'));
    await createUser(db, parsed.data);
    const token = await createApiToken(db, id, values.label ?? 'created with the user');
    process.stdout.write(`added ${id} (${parsed.data.role}${parsed.data.city ? `, ${parsed.data.city}` : ', province-wide'}${parsed.data.department ? `, ${parsed.data.department}` : ''})\nAPI token (shown once): ${token}\n`);
  } else if (command === 'token' && id) {
    process.stdout.write(`${await createApiToken(db, id, values.label ?? 'cli')}\n`);
  } else if (command === 'password' && id) {
    const password = await readStdin();
    if (password.length < 10) fail('the password must have at least 10 characters');
    await setPassword(db, id, password);
    process.stdout.write(`password set for ${id}\n`);
  } else if (command === 'list') {
    for (const u of await listUsers(db)) {
      process.stdout.write(`${u.id}\t${u.role}\t${u.city ?? '全省'}\t${u.department ?? ''}\t${u.name}${u.disabled_at ? '\tdisabled' : ''}\n`);
    }
  } else if (command === 'disable' && id) {
    await disableUser(db, id);
    process.stdout.write(`disabled ${id}; its tokens no longer work\n`);
  } else {
    fail(USAGE);
  }
} catch (err) {
  const code = (err as { code?: string }).code;
  if (code === '23505') fail(`a user named ${id} already exists`);
  if (code === '23503') fail(`there is no user ${id}`);
  if ((err as Error).name === 'NoResultError') fail(`there is no user ${id}`);
  throw err;
} finally {
  await db.destroy();
}

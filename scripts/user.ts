import { parseArgs } from 'node:util';
import { z } from 'zod';
import { safeText } from '../workflows/input.js';
import { loadConfigOrExit } from '../config/index.js';
import { createDb } from '../db/connection.js';
import { ROLES } from '../db/schema.js';
import { passwordProblem } from '../db/passwords.js';
import { createApiToken, createUser, disableUser, listApiTokens, listUsers, revokeApiToken, setPassword } from '../db/users.js';
import { CITIES, DEPARTMENTS } from '../workflows/reference.js';

/**
 * Admins manage users and their API tokens (only a hash of each token is stored):
 *   npm run user -- add <id> --name <name> --role <role> [--city <city>] [--department <dept>] [--email <email>]
 *   npm run user -- token <id> [--label <label>] [--expires-days <n>]   a new API token, printed once
 *   npm run user -- tokens <id>                          its tokens: id, label, expiry, last use, revoked
 *   npm run user -- revoke-token <token id>              the token stops working at once
 *   npm run user -- password <id>                        reads the new password from standard input; ends the user's sessions
 *   npm run user -- list
 *   npm run user -- disable <id>
 */
const USAGE = `usage: npm run user -- add <id> --name <name> --role <${ROLES.join('|')}> [--city <city>] [--department <dept>] [--email <email>]
       npm run user -- token <id> [--label <label>] [--expires-days <n>] | tokens <id> | revoke-token <token id>
       npm run user -- password <id> | list | disable <id>`;

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
      options: { name: { type: 'string' }, role: { type: 'string' }, city: { type: 'string' }, department: { type: 'string' }, email: { type: 'string' }, label: { type: 'string' }, 'expires-days': { type: 'string' } },
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
    const days = values['expires-days'];
    if (days !== undefined && !/^[1-9]\d{0,4}$/.test(days)) fail('--expires-days: must be a whole number of days, 1 or more');
    const expiresAt = days === undefined ? null : new Date(Date.now() + Number(days) * 86_400_000);
    process.stdout.write(`${await createApiToken(db, id, values.label ?? 'cli', expiresAt)}\n`);
    if (expiresAt) process.stderr.write(`expires ${expiresAt.toISOString()}\n`);
  } else if (command === 'tokens' && id) {
    for (const t of await listApiTokens(db, id)) {
      const state = t.revokedAt ? `revoked ${t.revokedAt} by ${t.revokedBy}` : t.active ? 'active' : 'expired';
      process.stdout.write(`${t.id}\t${t.label}\t${state}\texpires ${t.expiresAt ?? 'never'}\tlast used ${t.lastUsedAt ?? 'never'}\n`);
    }
  } else if (command === 'revoke-token' && id) {
    if (!/^\d{1,18}$/.test(id)) fail('revoke-token takes a token id, as npm run user -- tokens <user> lists them');
    if (!(await revokeApiToken(db, id, 'cli'))) fail(`there is no API token ${id}`);
    process.stdout.write(`revoked API token ${id}\n`);
  } else if (command === 'password' && id) {
    const password = await readStdin();
    const problem = passwordProblem(password);
    if (problem) fail(`the password ${problem}`);
    await setPassword(db, id, password);
    process.stdout.write(`password set for ${id}; its sessions have ended\n`);
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

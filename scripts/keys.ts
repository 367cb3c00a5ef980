import { loadConfigOrExit } from '../config/index.js';
import { loadKeyRingOrExit, newKeyLine } from '../config/key-ring.js';
import { createDb } from '../db/connection.js';
import { rewrapWebhookSecrets } from '../db/webhooks.js';
import { ensureKeyFile, rotateKeyFile } from './key-file.js';

/**
 * The encryption keys (README: Encryption keys):
 *   npm run keys              creates ENCRYPTION_KEYS_FILE with one new key, if it does not exist
 *   npm run keys -- rotate    puts a new key first in the file; the old ones stay, to decrypt
 *   npm run keys -- rewrap    re-seals every webhook secret in PostgreSQL with the active key
 *   npm run keys -- list      the key ids, the active one first (never the keys)
 *   npm run keys -- new       prints a new key line, for ENCRYPTION_KEYS; writes nothing
 */
const USAGE = `usage: npm run keys [-- create | rotate | rewrap | list | new]
  create (the default)  make ENCRYPTION_KEYS_FILE with one new key, unless it exists
  rotate                put a new key first in ENCRYPTION_KEYS_FILE and keep the old ones;
                        then restart every luodi process, then run rewrap
  rewrap                re-seal every webhook secret in PostgreSQL (DATABASE_URL) with the active key
  list                  print the key ids, the active one first (never the keys)
  new                   print a new key line (id:base64) for ENCRYPTION_KEYS; writes nothing`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const command = args[0] ?? 'create';
if (args.length > 1 || !['create', 'rotate', 'rewrap', 'list', 'new'].includes(command)) {
  fail(`${args.length > 1 ? `one command at a time: ${args.join(' ')}` : `unknown command: ${command}`}\n${USAGE}`);
}

const config = loadConfigOrExit();
const fromEnvironment = config.ENCRYPTION_KEYS !== undefined;

if (command === 'create') {
  if (fromEnvironment) {
    process.stdout.write(`ENCRYPTION_KEYS is set, so luodi takes its keys from it and not from ${config.ENCRYPTION_KEYS_FILE}; nothing to do.\n`);
  } else {
    const { path, created } = ensureKeyFile(config.ENCRYPTION_KEYS_FILE);
    process.stdout.write(created ? `Created ${path} with one new key (readable by you only). Back it up somewhere safe: without it nothing encrypted can be read.\n` : `${path} exists already; nothing changed (npm run keys -- rotate adds a new key).\n`);
  }
} else if (command === 'rotate') {
  if (fromEnvironment) {
    fail(`ENCRYPTION_KEYS is set, so the keys come from it, not from ${config.ENCRYPTION_KEYS_FILE}. Put a new line first in ENCRYPTION_KEYS (npm run keys -- new prints one) and keep the old lines.`);
  }
  let rotated: ReturnType<typeof rotateKeyFile>;
  try {
    rotated = rotateKeyFile(config.ENCRYPTION_KEYS_FILE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') fail(`${config.ENCRYPTION_KEYS_FILE} does not exist; npm run keys creates it.`);
    fail((err as Error).message);
  }
  process.stdout.write(
    `${rotated.path}: key '${rotated.activeId}' now encrypts; ${rotated.ids.slice(1).join(', ')} stay to decrypt.\n` +
      'Restart every luodi process (worker, API, dispatcher) so they all hold the new key, then run npm run keys -- rewrap.\n',
  );
} else if (command === 'list') {
  const ring = loadKeyRingOrExit(config);
  process.stdout.write(`${ring.ids.map((id) => (id === ring.activeId ? `${id} (encrypts)` : id)).join('\n')}\n`);
} else if (command === 'new') {
  process.stdout.write(`${newKeyLine()}\n`);
} else {
  const ring = loadKeyRingOrExit(config);
  const db = createDb(config.DATABASE_URL);
  try {
    const changed = await rewrapWebhookSecrets(db, ring);
    process.stdout.write(`Re-sealed ${changed} webhook secret(s) with key '${ring.activeId}'.\n`);
  } catch (err) {
    process.stderr.write(`Nothing was changed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}

import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { keyEntries, newKeyLine, parseKeyRing } from '../config/key-ring.js';

/**
 * The encryption key file (ENCRYPTION_KEYS_FILE): one `id:base64` line per key, the active key
 * first, readable by its owner only. It is always written whole to a temporary file first, so a
 * crash never leaves half a key file.
 */
const HEADER = [
  '# luodi encryption keys (AES-256): id:base64, one per line. The first key encrypts; the others',
  '# only decrypt what they encrypted before. Keep every key as long as a workflow history or a',
  '# stored secret may need it (README: Encryption keys). Never commit this file.',
];

/** Writes the lines to a new owner-only file beside the target; returns its path. */
function writeTemporary(path: string, keyLines: readonly string[]): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${[...HEADER, ...keyLines].join('\n')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600); // whatever the umask
  return temporary;
}

function keyLinesOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  parseKeyRing(text, path); // a malformed file is refused before anything is written
  return keyEntries(text, path).map(({ entry }) => entry);
}

/** Creates the key file with one new key, unless it exists (it is never overwritten). */
export function ensureKeyFile(file: string): { path: string; created: boolean } {
  const path = resolve(process.cwd(), file);
  const temporary = writeTemporary(path, [newKeyLine()]);
  try {
    linkSync(temporary, path); // fails if the file exists, even if another process made it just now
    return { path, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { path, created: false };
    throw err;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Puts a new key first and keeps the old ones. */
export function rotateKeyFile(file: string): { path: string; activeId: string; ids: readonly string[] } {
  const path = resolve(process.cwd(), file);
  const lines = [newKeyLine(), ...keyLinesOf(path)];
  const ring = parseKeyRing(lines.join('\n'), path);
  renameSync(writeTemporary(path, lines), path);
  return { path, activeId: ring.activeId, ids: ring.ids };
}

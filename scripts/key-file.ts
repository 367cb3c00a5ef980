import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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

/**
 * Writes the lines to a new owner-only file beside the target, on disk (fsync) before it is
 * linked or renamed into place, so that a crash leaves the old file or the new one, never an
 * empty one; returns its path.
 */
function writeTemporary(path: string, keyLines: readonly string[]): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${[...HEADER, ...keyLines].join('\n')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, 0o600); // whatever the umask
  return temporary;
}

/** Makes a rename or link into the directory durable. */
function syncDirectory(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
    syncDirectory(path);
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
  const before = statSync(path);
  const temporary = writeTemporary(path, lines);
  try {
    // The new file keeps the old one's owner and mode: the processes that read it (uid 1000 in
    // the compose file) still can.
    if (process.getuid?.() === 0) chownSync(temporary, before.uid, before.gid);
    chmodSync(temporary, before.mode & 0o777);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
  syncDirectory(path);
  return { path, activeId: ring.activeId, ids: ring.ids };
}

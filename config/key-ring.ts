import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, orExit, type Config } from './index.js';

/**
 * luodi's encryption keys (AES-256-GCM): the first key encrypts, every key decrypts. Rotation puts
 * a new key first and keeps the old ones, so that what they encrypted (Temporal histories,
 * secrets in PostgreSQL) stays readable. The keys themselves never leave this closure.
 */
export interface KeyRing {
  /** The key that encrypts. */
  readonly activeId: string;
  /** Every key id, the active one first. */
  readonly ids: readonly string[];
  /** data = iv (12 bytes) | ciphertext | tag (16 bytes). */
  encrypt(plain: Uint8Array, aad?: Uint8Array): { keyId: string; data: Uint8Array };
  /** Throws, saying what to do, for an unknown key id or data that fails authentication. */
  decrypt(keyId: string, data: Uint8Array, aad?: Uint8Array): Uint8Array;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function keyRingOf(keys: ReadonlyMap<string, KeyObject>, source: string): KeyRing {
  const ids = Object.freeze([...keys.keys()]);
  const activeId = ids[0]!;
  return Object.freeze({
    activeId,
    ids,
    encrypt(plain: Uint8Array, aad?: Uint8Array) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.get(activeId)!, iv, { authTagLength: TAG_BYTES });
      if (aad) cipher.setAAD(aad);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { keyId: activeId, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    },
    decrypt(keyId: string, data: Uint8Array, aad?: Uint8Array) {
      const key = keys.get(keyId);
      if (!key) {
        throw new Error(`encrypted with key '${keyId}' which is not in the key ring (${ids.join(', ')}); add it back to ${source}`);
      }
      if (data.byteLength < IV_BYTES + TAG_BYTES) {
        throw new Error(`encrypted data under key '${keyId}' is ${data.byteLength} bytes, too short to be iv, ciphertext and tag: it was cut or altered`);
      }
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
        return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
      } catch {
        throw new Error(
          `data encrypted with key '${keyId}' failed authentication: it was altered, moved from where it was encrypted, or key '${keyId}' in ${source} is not the key it was encrypted with (a key id must never be reused for another key)`,
        );
      }
    },
  });
}

/** The key entries of a text, each with where it is: comment lines (which may hold commas) and blank entries left out. */
export function keyEntries(text: string, source: string): { entry: string; at: string }[] {
  return text.split(/\r?\n/).flatMap((line, i) =>
    line.trim().startsWith('#')
      ? []
      : line
          .split(',')
          .map((entry) => ({ entry: entry.trim(), at: `${source} line ${i + 1}` }))
          .filter(({ entry }) => entry !== ''),
  );
}

/**
 * Reads key lines (`id:base64`, separated by newlines or commas; `#` comments and blank lines
 * allowed). Errors name the source and line, never a key.
 */
export function parseKeyRing(text: string, source: string): KeyRing {
  const keys = new Map<string, KeyObject>();
  for (const { entry, at } of keyEntries(text, source)) {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new ConfigError(`${at}: not a key line; expected id:base64-key (npm run keys makes one)`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new ConfigError(`${at}: the key id must be 1 to 64 letters, digits, '.', '_' or '-'`);
    if (keys.has(id)) throw new ConfigError(`${at}: key id '${id}' appears twice; each key needs an id of its own`);
    const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : null;
    if (!bytes || bytes.length !== KEY_BYTES) {
      throw new ConfigError(`${at}: key '${id}' must be ${KEY_BYTES} random bytes in base64 (44 characters); npm run keys makes one`);
    }
    keys.set(id, createSecretKey(bytes));
  }
  if (keys.size === 0) throw new ConfigError(`${source} holds no key; run \`npm run keys\` to make one`);
  return keyRingOf(keys, source);
}

/** The key ring from ENCRYPTION_KEYS if set, else from ENCRYPTION_KEYS_FILE (relative to the working directory). */
export function loadKeyRing(config: Pick<Config, 'ENCRYPTION_KEYS' | 'ENCRYPTION_KEYS_FILE'>): KeyRing {
  if (config.ENCRYPTION_KEYS !== undefined) return parseKeyRing(config.ENCRYPTION_KEYS, 'ENCRYPTION_KEYS');
  const path = resolve(process.cwd(), config.ENCRYPTION_KEYS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`No encryption keys: ${path} does not exist (ENCRYPTION_KEYS_FILE). Run \`npm run keys\` to create it, or set ENCRYPTION_KEYS.`);
    }
    throw new ConfigError(`Cannot read the encryption keys in ${path} (ENCRYPTION_KEYS_FILE): ${(err as Error).message}`);
  }
  return parseKeyRing(text, `ENCRYPTION_KEYS_FILE (${path})`);
}

/** For entry points: no usable key stops start-up with the message alone, exit code 2 (as loadConfigOrExit). */
export function loadKeyRingOrExit(config: Pick<Config, 'ENCRYPTION_KEYS' | 'ENCRYPTION_KEYS_FILE'>): KeyRing {
  return orExit(() => loadKeyRing(config));
}

/** A fresh key line; the id defaults to `k` + today's UTC date + a random suffix (k20261206-3fa9c1). */
export function newKeyLine(id?: string): string {
  const keyId = id ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
  if (!KEY_ID.test(keyId)) throw new Error(`'${keyId}' is not a key id: 1 to 64 letters, digits, '.', '_' or '-'`);
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** Strings at rest (webhook secrets): `enc:v1:<keyId>:<base64url of iv|ciphertext|tag>`. */
const SEALED_PREFIX = 'enc:v1:';
const SEALED = /^enc:v1:([A-Za-z0-9._-]{1,64}):([A-Za-z0-9_-]+)$/;

/** The purpose is authenticated with the text, so a value sealed for one use is refused in another. */
const aadFor = (purpose: string) => Buffer.from(`luodi:${purpose}`, 'utf8');

export function sealText(ring: KeyRing, plain: string, purpose: string): string {
  const { keyId, data } = ring.encrypt(Buffer.from(plain, 'utf8'), aadFor(purpose));
  return `${SEALED_PREFIX}${keyId}:${Buffer.from(data).toString('base64url')}`;
}

/** The plain text of a sealed value; anything not sealed (a row written before sealing) is returned as it is. */
export function openText(ring: KeyRing, stored: string, purpose: string): string {
  if (!stored.startsWith(SEALED_PREFIX)) return stored;
  const match = SEALED.exec(stored);
  if (!match) throw new Error(`a sealed ${purpose} is malformed (expected enc:v1:<key id>:<base64url>); set it again`);
  try {
    return Buffer.from(ring.decrypt(match[1]!, Buffer.from(match[2]!, 'base64url'), aadFor(purpose))).toString('utf8');
  } catch (err) {
    throw new Error(`cannot open a sealed ${purpose}: ${(err as Error).message}`, { cause: err });
  }
}

/** Whether the value is already sealed with the ring's active key (what `npm run keys -- rewrap` leaves alone). */
export function isSealedWithActive(ring: KeyRing, stored: string): boolean {
  return stored.startsWith(`${SEALED_PREFIX}${ring.activeId}:`);
}

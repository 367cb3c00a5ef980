/**
 * The key ring (config/key-ring.ts): AES-256-GCM under the first key, decryption under any key,
 * every alteration refused, key lines checked and named, and strings sealed at rest for one purpose.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { isSealedWithActive, loadKeyRing, newKeyLine, openText, parseKeyRing, sealText } from '../../config/key-ring.js';
import { ensureKeyFile, rotateKeyFile } from '../../scripts/key-file.js';

const oldLine = newKeyLine('k2025');
const oldRing = parseKeyRing(oldLine, 'test');
/** After rotation: a new key first, the old one kept. */
const rotatedRing = parseKeyRing(`${newKeyLine('k2026')}\n${oldLine}`, 'test');
/** The new key alone: the old one was removed (too soon). */
const withoutOld = parseKeyRing(newKeyLine('k2026'), 'ENCRYPTION_KEYS_FILE');

const bytes = fc.uint8Array({ maxLength: 2048 });
const aad = fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined });

describe('encrypt and decrypt', () => {
  test('decrypt(encrypt(x)) is x, with or without associated data, under the active key', () => {
    fc.assert(
      fc.property(bytes, aad, (plain, extra) => {
        const { keyId, data } = oldRing.encrypt(plain, extra);
        expect(keyId).toBe('k2025');
        expect(data.byteLength).toBe(12 + plain.byteLength + 16);
        expect(Buffer.from(oldRing.decrypt(keyId, data, extra))).toEqual(Buffer.from(plain));
      }),
    );
  });

  test('the same plain text encrypts differently each time (a fresh IV)', () => {
    const plain = Buffer.from('same');
    expect(Buffer.from(oldRing.encrypt(plain).data)).not.toEqual(Buffer.from(oldRing.encrypt(plain).data));
  });

  test('a flipped bit anywhere (IV, ciphertext or tag) is refused', () => {
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat({ max: 7 }), (plain, at, bit) => {
        const { keyId, data } = oldRing.encrypt(plain);
        const altered = Uint8Array.from(data);
        const i = at % altered.length;
        altered[i] = altered[i]! ^ (1 << bit);
        expect(() => oldRing.decrypt(keyId, altered)).toThrow(/failed authentication.*altered/);
      }),
    );
  });

  test('other associated data, a truncated payload or another key with the same id is refused', () => {
    const { keyId, data } = oldRing.encrypt(Buffer.from('payload'), Buffer.from('a'));
    expect(() => oldRing.decrypt(keyId, data, Buffer.from('b'))).toThrow(/failed authentication/);
    expect(() => oldRing.decrypt(keyId, data)).toThrow(/failed authentication/);
    expect(() => oldRing.decrypt(keyId, data.subarray(0, 27), Buffer.from('a'))).toThrow(/too short/);
    const impostor = parseKeyRing(newKeyLine('k2025'), 'test');
    expect(() => impostor.decrypt(keyId, data, Buffer.from('a'))).toThrow(/key 'k2025' in test is not the key it was encrypted with/);
  });

  test('after rotation, new encryptions use the new key, and what the old key encrypted still decrypts', () => {
    fc.assert(
      fc.property(bytes, (plain) => {
        const before = oldRing.encrypt(plain);
        expect(Buffer.from(rotatedRing.decrypt(before.keyId, before.data))).toEqual(Buffer.from(plain));
        const after = rotatedRing.encrypt(plain);
        expect(after.keyId).toBe('k2026');
        expect(() => oldRing.decrypt(after.keyId, after.data)).toThrow(/'k2026' which is not in the key ring/);
      }),
    );
    expect(rotatedRing.ids).toEqual(['k2026', 'k2025']);
    expect(rotatedRing.activeId).toBe('k2026');
  });

  test('an unknown key id names the id and says where to put the key back', () => {
    const { keyId, data } = oldRing.encrypt(Buffer.from('x'));
    expect(() => withoutOld.decrypt(keyId, data)).toThrow("encrypted with key 'k2025' which is not in the key ring (k2026); add it back to ENCRYPTION_KEYS_FILE");
  });

  test('the ring shows no key material', () => {
    const shown = JSON.stringify(oldRing) + String(Object.keys(oldRing));
    expect(shown).not.toContain(oldLine.split(':')[1]!);
    expect(Object.isFrozen(oldRing.ids)).toBe(true);
  });
});

describe('parseKeyRing', () => {
  const key = newKeyLine('a').split(':')[1]!;

  test('takes lines or commas, with comments and blank lines, the first key active', () => {
    const ring = parseKeyRing(`# luodi keys: id:base64, one per line, or commas\n\n  new.2026:${key}  \r\n# old\nold_2025-1:${newKeyLine().split(':')[1]}\n`, 'file');
    expect(ring.ids).toEqual(['new.2026', 'old_2025-1']);
    expect(parseKeyRing(`a:${key},b:${key}`, 'ENCRYPTION_KEYS').ids).toEqual(['a', 'b']);
  });

  test.each([
    ['no colon', `just-text`, /file line 2: not a key line/],
    ['a bad id', `bad id!:${key}`, /file line 2: the key id must be 1 to 64 letters/],
    ['an id too long', `${'x'.repeat(65)}:${key}`, /file line 2: the key id/],
    ['a duplicate id', `a:${key}`, /file line 2: key id 'a' appears twice/],
    ['a short key', `b:${Buffer.alloc(16).toString('base64')}`, /file line 2: key 'b' must be 32 random bytes in base64/],
    ['a long key', `b:${Buffer.alloc(33).toString('base64')}`, /file line 2: key 'b' must be 32/],
    ['not base64', `b:${'*'.repeat(44)}`, /file line 2: key 'b' must be 32/],
  ])('refuses %s, naming the source and line but never the key', (_what, line, message) => {
    const attempt = () => parseKeyRing(`a:${key}\n${line}`, 'file');
    expect(attempt).toThrow(message);
    expect(() => attempt()).not.toThrow(key);
  });

  test('refuses a source without keys', () => {
    expect(() => parseKeyRing('# nothing\n\n', 'ENCRYPTION_KEYS')).toThrow('ENCRYPTION_KEYS holds no key; run `npm run keys` to make one');
  });

  test('newKeyLine makes a valid line; its default id is k + the UTC date + a suffix', () => {
    const line = newKeyLine();
    expect(line).toMatch(/^k\d{8}-[0-9a-f]{6}:[A-Za-z0-9+/]{43}=$/);
    expect(line.slice(1, 9)).toBe(new Date().toISOString().slice(0, 10).replaceAll('-', ''));
    expect(parseKeyRing(line, 'test').ids).toHaveLength(1);
    expect(() => newKeyLine('no spaces')).toThrow(/not a key id/);
  });
});

describe('loadKeyRing and the key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'luodi-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('ENCRYPTION_KEYS wins over the file', () => {
    expect(loadKeyRing({ ENCRYPTION_KEYS: newKeyLine('env'), ENCRYPTION_KEYS_FILE: join(dir, 'absent') }).ids).toEqual(['env']);
  });

  test('a missing file says to run npm run keys or set ENCRYPTION_KEYS', () => {
    expect(() => loadKeyRing({ ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: join(dir, 'absent') })).toThrow(/does not exist.*Run `npm run keys` to create it, or set ENCRYPTION_KEYS/);
  });

  test('a bad file names itself and the line', () => {
    const path = join(dir, 'bad');
    writeFileSync(path, '# ok\nnonsense\n');
    expect(() => loadKeyRing({ ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: path })).toThrow(`ENCRYPTION_KEYS_FILE (${path}) line 2: not a key line`);
  });

  test('ensureKeyFile creates an owner-only file with one key once, in a new directory; rotate puts a new key first', () => {
    const file = join(dir, 'nested', 'encryption-keys');
    expect(ensureKeyFile(file)).toEqual({ path: file, created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = loadKeyRing({ ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: file });
    expect(first.ids).toHaveLength(1);
    expect(ensureKeyFile(file)).toEqual({ path: file, created: false });
    expect(loadKeyRing({ ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: file }).ids).toEqual(first.ids);

    const sealed = sealText(first, 'kept', 'test');
    const rotated = rotateKeyFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ring = loadKeyRing({ ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: file });
    expect(ring.ids).toEqual([rotated.activeId, first.activeId]);
    expect(openText(ring, sealed, 'test')).toBe('kept');

    // A file an operator made readable to the services' group keeps that mode through a rotation.
    chmodSync(file, 0o640);
    rotateKeyFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(loadKeyRing({ ENCRYPTION_KEYS: undefined, ENCRYPTION_KEYS_FILE: file }).ids).toHaveLength(3);
  });
});

describe('strings at rest', () => {
  const text = fc.string({ unit: 'binary', maxLength: 300 });

  test('openText(sealText(s)) is s, and the sealed form neither holds nor resembles it', () => {
    fc.assert(
      fc.property(text, (plain) => {
        const sealed = sealText(oldRing, plain, 'webhook-secret');
        expect(sealed).toMatch(/^enc:v1:k2025:[A-Za-z0-9_-]+$/);
        if (plain.length >= 4) expect(sealed).not.toContain(plain);
        expect(openText(oldRing, sealed, 'webhook-secret')).toBe(plain);
        expect(openText(rotatedRing, sealed, 'webhook-secret')).toBe(plain);
      }),
    );
  });

  test('a legacy plain value (anything not starting enc:v1:) is returned as it is', () => {
    fc.assert(
      fc.property(text.filter((s) => !s.startsWith('enc:v1:')), (legacy) => {
        expect(openText(oldRing, legacy, 'webhook-secret')).toBe(legacy);
        expect(isSealedWithActive(oldRing, legacy)).toBe(false);
      }),
    );
  });

  test('a value sealed for one purpose is refused for another', () => {
    const sealed = sealText(oldRing, 'a-webhook-secret-of-some-length', 'webhook-secret');
    expect(() => openText(oldRing, sealed, 'smtp-password')).toThrow(/cannot open a sealed smtp-password: .*failed authentication/);
  });

  test('an altered, malformed or foreign-key value is refused, saying why', () => {
    const sealed = sealText(oldRing, 'secret value', 'webhook-secret');
    const body = sealed.slice('enc:v1:k2025:'.length);
    const flipped = `enc:v1:k2025:${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => openText(oldRing, flipped, 'webhook-secret')).toThrow(/failed authentication/);
    expect(() => openText(oldRing, 'enc:v1:k2025', 'webhook-secret')).toThrow(/malformed/);
    expect(() => openText(oldRing, `enc:v1:k2025:${body}!`, 'webhook-secret')).toThrow(/malformed/);
    expect(() => openText(withoutOld, sealed, 'webhook-secret')).toThrow(/'k2025' which is not in the key ring/);
  });

  test('isSealedWithActive tells what a rewrap would leave alone', () => {
    const old = sealText(oldRing, 's', 'webhook-secret');
    expect(isSealedWithActive(oldRing, old)).toBe(true);
    expect(isSealedWithActive(rotatedRing, old)).toBe(false);
    expect(isSealedWithActive(rotatedRing, sealText(rotatedRing, 's', 'webhook-secret'))).toBe(true);
  });
});

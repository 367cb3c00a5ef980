import { createHash } from 'node:crypto';
import { parseKeyRing, type KeyRing } from '../config/key-ring.js';

/**
 * The tests' one encryption key, the same in every test file and every process a test starts (an
 * API spawned by one file must open the webhook secrets another process sealed). Derived from a
 * fixed phrase: it protects nothing, and must never be used outside the tests.
 */
export const TEST_KEY_LINE = `test-key:${createHash('sha256').update('luodi test encryption key').digest('base64')}`;

export const TEST_KEY_RING: KeyRing = parseKeyRing(TEST_KEY_LINE, 'test/keys.ts');

/** The environment that gives a spawned entry point (api/main.ts, worker/dispatcher-main.ts) the tests' key. */
export const TEST_KEY_ENV = { ENCRYPTION_KEYS: TEST_KEY_LINE } as const;

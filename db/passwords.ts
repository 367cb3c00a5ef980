import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/** scrypt's cost parameters: N (CPU/memory cost, a power of two), r (block size), p (parallelism). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's recommendation for scrypt (Password Storage Cheat Sheet): N=2^17, r=8, p=1, that is
 * 128 × N × r = 128 MiB of memory per hash. A stored hash carries its own parameters
 * (`scrypt$N$r$p$salt$key`), so hashes made with older ones still verify, and are rehashed with
 * these at the next successful sign-in.
 */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

const KEY_BYTES = 32;
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** Node refuses scrypt above `maxmem` (32 MiB by default): allow what the parameters need, with room. */
const maxmemFor = ({ N, r, p }: ScryptParams) => 128 * N * r * p + 32 * 1024 * 1024;

export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_BYTES, { ...params, maxmem: maxmemFor(params) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface StoredHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/** The parts of a stored hash, or null if it is not one of ours (or asks for absurd costs). */
export function parseHash(stored: string): StoredHash | null {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key || rest.length) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const sane = Number.isInteger(Math.log2(params.N)) && params.N >= 2 && params.N <= 2 ** 20 && params.r >= 1 && params.r <= 32 && params.p >= 1 && params.p <= 16;
  return sane ? { params, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') } : null;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const actual = await scryptAsync(password, parsed.salt, parsed.key.length, { ...parsed.params, maxmem: maxmemFor(parsed.params) });
  return timingSafeEqual(actual, parsed.key);
}

/** Whether a stored hash was made with other parameters than today's. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.params.N !== SCRYPT_PARAMS.N || parsed.params.r !== SCRYPT_PARAMS.r || parsed.params.p !== SCRYPT_PARAMS.p;
}

let dummy: Promise<string> | undefined;

/**
 * Does the work of checking a password against a hash with today's parameters, and fails:
 * for unknown users, so that they are refused in the same time as a wrong password.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('base64'));
  await verifyPassword(password, await dummy);
  return false;
}

/** The rules for a new password, one message each; checked by the CLI and the password page. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < 10) return 'must have at least 10 characters';
  // Hashing is deliberately slow: bound the input.
  if (password.length > 200) return 'must have at most 200 characters';
  return null;
}

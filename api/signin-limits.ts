import { createHash } from 'node:crypto';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Db } from '../db/connection.js';
import { RATE_LIMITS_TABLE, rateLimitStoreClient } from '../db/rate-limits.js';

/**
 * Sign-in limits, per account and per client address, kept in PostgreSQL by
 * rate-limiter-flexible (RateLimiterPostgres) so that every API instance counts the same
 * failures. After `failures` failed attempts within `windowSeconds`, the account (or address)
 * is locked for `firstLockSeconds`; each further lock within a day doubles, up to
 * `maxLockSeconds`. A success clears the account's count, never the address's.
 */
export interface SignInLimits {
  accountFailures: number;
  addressFailures: number;
  windowSeconds: number;
  firstLockSeconds: number;
  maxLockSeconds: number;
}

export const DEFAULT_SIGNIN_LIMITS: Readonly<SignInLimits> = Object.freeze({
  accountFailures: 5,
  addressFailures: 20,
  windowSeconds: 15 * 60,
  firstLockSeconds: 60,
  maxLockSeconds: 60 * 60,
});

/** One dimension (account or address): failures counted in a window, and locks that double. */
class Lockout {
  private readonly failures: RateLimiterPostgres;
  private readonly locks: RateLimiterPostgres;

  constructor(
    db: Db,
    name: string,
    private readonly maxFailures: number,
    private readonly limits: SignInLimits,
  ) {
    const common = { storeClient: rateLimitStoreClient(db), storeType: 'client', tableName: RATE_LIMITS_TABLE, tableCreated: true };
    this.failures = new RateLimiterPostgres({ ...common, keyPrefix: `signin-failures-${name}`, points: maxFailures, duration: limits.windowSeconds });
    this.locks = new RateLimiterPostgres({ ...common, keyPrefix: `signin-locks-${name}`, points: 1_000_000, duration: 24 * 3600, clearExpiredByTimeout: false });
  }

  /** Seconds until this key may try again; 0 if it may now. */
  async lockedFor(key: string): Promise<number> {
    const state = await this.failures.get(key);
    return state && state.consumedPoints > this.maxFailures ? Math.max(1, Math.ceil(state.msBeforeNext / 1000)) : 0;
  }

  /** Counts a failure; returns the seconds of the lock it caused, or 0. */
  async fail(key: string): Promise<number> {
    const counted = await this.failures.penalty(key, 1);
    if (counted.consumedPoints < this.maxFailures) return 0;
    const lock = await this.locks.penalty(key, 1);
    const seconds = Math.min(this.limits.firstLockSeconds * 2 ** Math.min(lock.consumedPoints - 1, 30), this.limits.maxLockSeconds);
    await this.failures.block(key, seconds);
    return seconds;
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.failures.delete(key), this.locks.delete(key)]);
  }
}

/**
 * Keys are hashed: the table never holds what people typed as a user name (sometimes a
 * password), nor their addresses in clear.
 */
const keyOf = (value: string) => createHash('sha256').update(value).digest('base64url');
const accountKey = (account: string) => keyOf(`account:${account.trim().toLowerCase()}`);
const addressKey = (address: string) => keyOf(`address:${address}`);

export class SignInGuard {
  private readonly account: Lockout;
  private readonly address: Lockout;

  constructor(db: Db, limits: SignInLimits = DEFAULT_SIGNIN_LIMITS) {
    this.account = new Lockout(db, 'account', limits.accountFailures, limits);
    this.address = new Lockout(db, 'address', limits.addressFailures, limits);
  }

  /** Seconds until this account may try from this address; 0 if it may now. Checked before the password. */
  async retryAfter(account: string, address: string): Promise<number> {
    const [a, b] = await Promise.all([this.account.lockedFor(accountKey(account)), this.address.lockedFor(addressKey(address))]);
    return Math.max(a, b);
  }

  /** Records a failed attempt; returns the seconds of the lock it caused, or 0. */
  async failed(account: string, address: string): Promise<number> {
    const [a, b] = await Promise.all([this.account.fail(accountKey(account)), this.address.fail(addressKey(address))]);
    return Math.max(a, b);
  }

  async succeeded(account: string): Promise<void> {
    await this.account.clear(accountKey(account));
  }
}

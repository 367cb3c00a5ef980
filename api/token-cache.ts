import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { listen, type Listening } from '../db/pg-listen.js';
import { hashToken, tokenHolder, touchToken, type TokenHolder, type User } from '../db/users.js';

/** The channel db/migrations/…_auth-changes.ts notifies on every change to tokens or users. */
export const AUTH_CHANGED_CHANNEL = 'luodi_auth_changed';

export interface TokenCacheOptions {
  /** How long a cached token is trusted without a word from PostgreSQL (API_TOKEN_CACHE_SECONDS). */
  ttlMs: number;
  /** At most this many tokens are kept; the oldest go first. */
  maxEntries?: number;
  log: Logger;
  /** How a token's holder is read on a miss (the database, unless a test says otherwise). */
  load?: (token: string) => Promise<TokenHolder | undefined>;
}

interface Entry extends TokenHolder {
  cachedAt: number;
}

/**
 * The users behind API tokens, kept in memory so that a request does not wait on PostgreSQL to
 * know who sent it (a round trip was a fifth of an HTTP task completion's added latency).
 *
 * Revocation still takes effect at once: every change to a token or a user notifies on commit
 * (a trigger), and this process, listening, forgets every token it holds. While it is not
 * listening (starting, or the connection is lost and being opened again) nothing is cached and
 * every request reads the database, as without a cache. A lookup that overlapped a notification
 * is not kept (it may have read the row before the change). `ttlMs` bounds the rest: a listening
 * connection that died without a word.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every notification and every loss or return of the connection. */
  private generation = 0;
  private listening = false;
  private readonly listener: Listening;
  private readonly load: (token: string) => Promise<TokenHolder | undefined>;
  private readonly maxEntries: number;

  constructor(
    private readonly db: Db,
    databaseUrl: string,
    private readonly o: TokenCacheOptions,
  ) {
    this.load = o.load ?? ((token) => tokenHolder(db, token));
    this.maxEntries = o.maxEntries ?? 10_000;
    this.listener = listen(databaseUrl, AUTH_CHANGED_CHANNEL, {
      onNotify: () => this.forget(),
      onUp: () => {
        this.forget(); // what changed while nobody listened
        this.listening = true;
        o.log.debug('token cache: listening for changes to tokens and users');
      },
      onDown: (err) => {
        this.listening = false;
        this.forget();
        o.log.warn({ err: err.message }, 'token cache: not listening for changes to tokens and users; every request reads them from PostgreSQL until it is again');
      },
    });
  }

  /** Whether tokens are being cached now (listening for their changes). */
  get active(): boolean {
    return this.listening;
  }

  /** The active user holding this token, or undefined; its last use is written (to the minute). */
  async user(token: string): Promise<User | undefined> {
    const key = hashToken(token);
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && this.listening && now - hit.cachedAt < this.o.ttlMs && (!hit.expiresAt || hit.expiresAt.getTime() > now)) {
      hit.lastUsedAt = await touchToken(this.db, hit.tokenId, hit.lastUsedAt);
      return hit.user;
    }
    if (hit) this.entries.delete(key);
    const seen = this.generation;
    const holder = await this.load(token);
    if (!holder) return undefined;
    holder.lastUsedAt = await touchToken(this.db, holder.tokenId, holder.lastUsedAt);
    if (this.listening && this.generation === seen) this.keep(key, { ...holder, cachedAt: now });
    return holder.user;
  }

  async close(): Promise<void> {
    this.listening = false;
    this.forget();
    await this.listener.close();
  }

  private keep(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }

  private forget(): void {
    this.generation++;
    this.entries.clear();
  }
}

import { randomBytes } from 'node:crypto';

interface Held {
  viewer: string;
  value: string | null;
  expiresAt: number;
}

/**
 * Secrets shown once, on the page right after they were made (a new API token): held in this
 * process for a few minutes under a random ticket, for the one user who made them, and forgotten
 * when shown. Never in an address, a log or the database (which keeps only the token's hash).
 * A double submission of the form that makes one is applied once by the form page itself
 * (form-page.tsx), which sends the repeat to the first one's ticket.
 */
export class ShownOnce {
  private readonly held = new Map<string, Held>();

  constructor(private readonly lifetimeMs = 10 * 60_000) {}

  /** Holds a secret just made for its maker, and returns the ticket to show it with. */
  keep(viewer: string, value: string): string {
    this.forgetExpired();
    const ticket = randomBytes(18).toString('base64url');
    this.held.set(ticket, { viewer, value, expiresAt: Date.now() + this.lifetimeMs });
    return ticket;
  }

  /** The secret, the first time its maker asks; null ever after (or for anyone else). */
  take(viewer: string, ticket: string): string | null {
    this.forgetExpired();
    const held = this.held.get(ticket);
    if (!held || held.viewer !== viewer || held.value === null) return null;
    const { value } = held;
    held.value = null;
    return value;
  }

  private forgetExpired(): void {
    const now = Date.now();
    for (const [ticket, { expiresAt }] of this.held) if (expiresAt < now) this.held.delete(ticket);
  }
}

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
 * The same request (a double submission) makes its secret once and gets the same ticket back.
 */
export class ShownOnce {
  private readonly held = new Map<string, Held>();
  private readonly tickets = new Map<string, { ticket: Promise<string>; expiresAt: number }>();

  constructor(private readonly lifetimeMs = 10 * 60_000) {}

  /** Makes the secret for this request (once), and returns the ticket to show it with. */
  keep(viewer: string, requestId: string, make: () => Promise<string>): Promise<string> {
    this.forgetExpired();
    const known = this.tickets.get(requestId);
    if (known) return known.ticket;
    const ticket = make().then((value) => {
      const id = randomBytes(18).toString('base64url');
      this.held.set(id, { viewer, value, expiresAt: Date.now() + this.lifetimeMs });
      return id;
    });
    ticket.catch(() => this.tickets.delete(requestId));
    this.tickets.set(requestId, { ticket, expiresAt: Date.now() + this.lifetimeMs });
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
    for (const map of [this.held, this.tickets]) for (const [id, { expiresAt }] of map) if (expiresAt < now) map.delete(id);
  }
}

import pg from 'pg';

export interface ListenEvents {
  /** A notification arrived on the channel (delivered in commit order). */
  onNotify(payload: string): void;
  /** LISTEN is in force: from now on every commit's notification arrives. */
  onUp(): void;
  /** The connection is lost (or could not be made): notifications may be missed until onUp. */
  onDown(err: Error): void;
}

export interface Listening {
  close(): Promise<void>;
}

/** How long to wait before connecting again, doubling from the first to the last. */
const RECONNECT_MS = [250, 10_000] as const;

/**
 * Holds one connection of its own in LISTEN on a channel, and opens another whenever it is lost,
 * for as long as it is not closed. TCP keepalive finds a connection that died silently.
 */
export function listen(databaseUrl: string, channel: string, events: ListenEvents): Listening {
  let client: pg.Client | undefined;
  let closed = false;
  let delay: number = RECONNECT_MS[0];
  let retry: NodeJS.Timeout | undefined;

  const down = (lost: pg.Client, err: Error) => {
    if (client !== lost) return; // already replaced
    client = undefined;
    lost.removeAllListeners('notification');
    lost.end().catch(() => undefined);
    events.onDown(err);
    if (closed) return;
    retry = setTimeout(connect, delay);
    retry.unref();
    delay = Math.min(delay * 2, RECONNECT_MS[1]);
  };

  const connect = () => {
    const c = new pg.Client({ connectionString: databaseUrl, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client = c;
    c.on('notification', (n) => n.channel === channel && events.onNotify(n.payload ?? ''));
    c.on('error', (err) => down(c, err));
    c.on('end', () => down(c, new Error('the LISTEN connection ended')));
    c.connect()
      .then(() => c.query(`listen ${pg.escapeIdentifier(channel)}`))
      .then(() => {
        if (client !== c) return;
        delay = RECONNECT_MS[0];
        events.onUp();
      })
      .catch((err: Error) => down(c, err));
  };

  connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

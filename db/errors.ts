/**
 * Which database errors go away by themselves (a lost connection, a server restarting, a
 * serialization conflict) and which never will (a data error). Activities retry only the first
 * kind; the API answers 503 for them.
 */

// 08 connection, 53 insufficient resources, 57P01–57P05 shutdown/cannot connect now, 58 system I/O,
// 40001 serialization, 40P01 deadlock, 55P03 lock not available.
const TRANSIENT_SQLSTATE = /^(08|53|57P0|58|40001$|40P01$|55P03$)/;
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EADDRNOTAVAIL']);
// What pg says when a pooled connection dies or cannot be had; these carry no SQLSTATE.
// 55000 "not currently accepting connections": a database closed for maintenance, back later.
const TRANSIENT_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed|Cannot use a pool after calling end|not currently accepting connections/i;

export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)) return true;
  return (!code || code === '55000') && typeof e?.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}

/** A message safe to keep anywhere: no control characters, bounded. */
export function safeMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex -- stripping them is the point
  return message.replace(/[\u0000-\u001f\u007f-\u009f]|[\ud800-\udfff]/g, ' ').slice(0, 500);
}


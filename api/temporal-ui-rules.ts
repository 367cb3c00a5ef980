import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * What may pass through luodi's proxy to the Temporal UI server, and what each side is told: pure
 * decisions, kept apart from the proxy (api/temporal-ui.ts) so that they are tested on their own.
 */

/** Where luodi serves the Temporal UI; the UI server's public path must be the same (deploy/temporal-ui/cluster.yaml, scripts/dev-server.ts). */
export const TEMPORAL_UI_PATH = '/temporal';

/** A workflow's page in the Temporal UI, relative to luodi. */
export function temporalUiWorkflowPath(namespace: string, workflowId: string): string {
  return `${TEMPORAL_UI_PATH}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * The UI server's workflow query (a read: a query handler cannot change the workflow), the one
 * POST let through, as the UI sends it: POST /api/v1/namespaces/{ns}/workflows/{id}/query/{type}
 * (temporalio/ui `routeForApi('query')`; the UI server exempts the same route from
 * disableWriteActions). The path is relative to TEMPORAL_UI_PATH.
 */
const WORKFLOW_QUERY = /^\/api\/v1\/namespaces\/[^/]+\/workflows\/[^/]+\/query\/[^/]+$/;

/** A `.` or `..` segment, plain or percent-encoded: a server that resolves it would reach another route than the one checked. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

/**
 * Whether a request through the proxy only reads: GET and HEAD, and a workflow query. `path` is
 * the raw path under TEMPORAL_UI_PATH, without the query string.
 */
export function isReadOnlyRequest(method: string, path: string): boolean {
  if (DOT_SEGMENT.test(path)) return false;
  if (method === 'GET' || method === 'HEAD') return true;
  return method === 'POST' && WORKFLOW_QUERY.test(path);
}

/**
 * The UI's markdown frame (`/render?content=…`) renders whatever its query says, as HTML on
 * luodi's origin: only as the frame the UI's own pages embed (a browser says Sec-Fetch-Dest:
 * iframe), never as a page someone is sent a link to.
 */
export function isUnframedRender(path: string, fetchDest: string | undefined): boolean {
  return /^\/render(\/|$)/.test(path) && fetchDest !== 'iframe';
}

/** luodi's own cookies (the session, the language, the sign-in form's token): never the UI server's business. */
const LUODI_COOKIE = /^luodi_/;

/**
 * Request headers the UI server must not see: credentials (luodi's API tokens, and the UI server
 * would forward them to Temporal), and method overrides, which would turn a permitted POST into
 * another method behind luodi's check.
 */
const WITHHELD_REQUEST_HEADERS = ['authorization', 'proxy-authorization', 'authorization-extras', 'x-http-method-override', 'x-http-method', 'x-method-override'];

/** The request's headers as they go to the UI server: without luodi's credentials and cookies. */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!WITHHELD_REQUEST_HEADERS.includes(name)) out[name] = value;
  }
  const cookie = (headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !LUODI_COOKIE.test(part.split('=', 1)[0]!.trim()))
    .join('; ');
  if (cookie) out.cookie = cookie;
  else delete out.cookie;
  return out;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): about one connection, never passed on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

export interface UiResponseHeaders {
  headers: OutgoingHttpHeaders;
  /**
   * The UI server sent its own Content-Security-Policy (its markdown frame, `/render`, which the
   * UI frames itself: frame-ancestors 'self'): that policy and its X-Frame-Options stand instead
   * of luodi's.
   */
  ownPolicy: boolean;
}

/**
 * The UI server's response headers as luodi passes them on. Its X-Frame-Options (SAMEORIGIN) and
 * X-XSS-Protection give way to luodi's (DENY, 0) unless it brings its own policy; its cookie (the
 * UI's CSRF token) is marked Secure when luodi is reached over HTTPS.
 */
export function uiResponseHeaders(upstream: IncomingHttpHeaders, secure: boolean): UiResponseHeaders {
  const ownPolicy = upstream['content-security-policy'] !== undefined;
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.includes(name) || name === 'x-xss-protection') continue;
    if (!ownPolicy && name === 'x-frame-options') continue;
    headers[name] = value;
  }
  const cookies = upstream['set-cookie'];
  if (secure && cookies) headers['set-cookie'] = cookies.map((c) => (/;\s*secure\b/i.test(c) ? c : `${c}; Secure`));
  return { headers, ownPolicy };
}

/** Inline scripts of a document: those without `src`, their text exactly as written. */
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script\s*>/gi;

/**
 * The Content-Security-Policy of a UI page. The UI server serves its page without a policy under
 * a public path (it removes its own, whose script hash no longer matches), and luodi's policy
 * would block the page's inline bootstrap script: so scripts may come from this site, or inline
 * with the hashes of this page's own inline scripts, and nothing else. The UI writes style
 * elements at run time and embeds fonts as data: URLs (neither can carry a nonce): both are
 * allowed, as styles and fonts run no code. Nothing may frame the UI.
 */
export function uiPagePolicy(html: string): string {
  const hashes = [...html.matchAll(INLINE_SCRIPT)].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  return [
    "default-src 'self'",
    ["script-src 'self'", ...new Set(hashes)].join(' '),
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

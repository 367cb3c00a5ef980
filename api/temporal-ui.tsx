import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { sessionByToken } from '../db/sessions.js';
import { sendPage, textOf } from './pages/page.js';
import { cookies, pageSession, requireSignIn, SESSION_COOKIE } from './pages/session.js';
import { Message } from './pages/views/message.js';
import { authorizeTemporal, mayDo, mayOpenTemporal } from './policy.js';
import { Problem } from './problem.js';
import { isReadOnlyRequest, isUnframedRender, TEMPORAL_UI_PATH, uiPagePolicy, uiResponseHeaders, upstreamRequestHeaders } from './temporal-ui-rules.js';

export interface TemporalUiDeps {
  db: Db;
  /** The UI server's address (TEMPORAL_UI_URL), e.g. http://127.0.0.1:8233: scheme, host and port, no path. */
  upstream: string;
  log: Logger;
}

/** How long the UI server may take to answer one request (a workflow's whole history included). */
const UPSTREAM_TIMEOUT_MS = 60_000;
/** The UI's page is a few kilobytes; anything far larger is not the page. */
const MAX_PAGE_BYTES = 1 << 20;

/**
 * The Temporal UI, served by luodi under /temporal/ to signed-in province supervisors and
 * coordinators (mayOpenTemporal), read-only: GET and HEAD, and workflow queries, pass to the UI
 * server; every other request is refused here, whatever the UI server's own settings. The UI
 * server never sees luodi's session cookie or an Authorization header. Mounted before the API's
 * body parsers, so that a query's body reaches the UI server untouched.
 */
export function temporalUiProxy(deps: TemporalUiDeps): Router {
  const target = upstreamOrigin(deps.upstream);
  const proxy = createProxyMiddleware<Request, Response>({
    target,
    changeOrigin: true,
    // Responses are passed on by passOn: the UI's page needs its own Content-Security-Policy.
    selfHandleResponse: true,
    proxyTimeout: UPSTREAM_TIMEOUT_MS,
    on: {
      proxyReq: (proxyReq, req) => {
        const wanted = upstreamRequestHeaders(req.headers);
        for (const name of proxyReq.getHeaderNames()) if (name !== 'host' && !(name in wanted)) proxyReq.removeHeader(name);
        if (wanted.cookie) proxyReq.setHeader('cookie', wanted.cookie);
      },
      proxyRes: (proxyRes, req, res) => passOn(proxyRes, req, res, deps.log),
      error: (err, req, res) => {
        deps.log.warn({ err: err.message, url: req.originalUrl, upstream: target }, 'the Temporal UI server did not answer');
        if (!isResponse(res) || res.headersSent) return void res.destroy();
        sendProblem(res, req, new Problem(502, 'Temporal UI unavailable', 'The Temporal UI server is not answering; try again shortly.'));
      },
    },
  });
  const router = Router();
  router.all(`${TEMPORAL_UI_PATH}{/*rest}`, admit(deps.db), proxy);
  return router;
}

/** The UI server's origin; TEMPORAL_UI_URL with a path (as before luodi served the UI) would make luodi proxy to itself or to the wrong place. */
function upstreamOrigin(upstream: string): string {
  const url = new URL(upstream);
  if (url.pathname !== '/' || url.search) {
    throw new Error(`TEMPORAL_UI_URL must be the Temporal UI server's own address without a path (e.g. http://127.0.0.1:8233), not ${upstream}: luodi serves the UI under ${TEMPORAL_UI_PATH}/`);
  }
  return url.origin;
}

/** Opening a page in the browser, rather than the UI's own requests for data and assets. */
function isNavigation(req: Request, path: string): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/api/') && (req.get('Accept') ?? '').includes('text/html');
}

/** Who may pass: signed in (else the sign-in page, or 401), allowed to open the UI (else 403), and only reading (else 403). */
function admit(db: Db): RequestHandler {
  return async (req, res, next) => {
    const path = req.path.slice(TEMPORAL_UI_PATH.length) || '/';
    const token = cookies(req)[SESSION_COOKIE];
    const session = token ? await sessionByToken(db, token) : undefined;
    if (!session) {
      if (isNavigation(req, path)) return requireSignIn(req, res, next);
      throw new Problem(401, 'Unauthorized', 'Sign in to luodi first: it serves the Temporal UI to signed-in users.');
    }
    const user = session.user;
    res.locals.user = user;
    if (!mayOpenTemporal(user)) {
      if (!isNavigation(req, path)) authorizeTemporal(user);
      // The page in the user's language, with the site's header.
      await pageSession(db)(req, res, () => undefined);
      const t = textOf(res);
      const stuckList = user.city !== null && mayDo(user, 'stuck.read', user.city);
      return sendPage(
        res,
        403,
        t('forbidden'),
        <>
          <Message title={t('forbidden')} detail={t('temporalUiRefused')} />
          {stuckList && (
            <p>
              <a href="/stuck">{t('stuck')}</a>
            </p>
          )}
        </>,
      );
    }
    if (!isReadOnlyRequest(req.method, path)) {
      throw new Problem(403, 'Forbidden', 'The Temporal UI is read-only through luodi: only reading and workflow queries pass.');
    }
    if (isUnframedRender(path, req.get('Sec-Fetch-Dest'))) {
      throw new Problem(403, 'Forbidden', 'The Temporal UI renders markdown only inside its own pages.');
    }
    next();
  };
}

/**
 * Passes the UI server's response on. Its page gets a policy of its own (uiPagePolicy), computed
 * from the page; everything else streams through as it came, under luodi's headers.
 */
function passOn(upstream: IncomingMessage, req: Request, res: Response, log: Logger): void {
  const { headers, ownPolicy } = uiResponseHeaders(upstream.headers, req.secure);
  const status = upstream.statusCode ?? 502;
  if (ownPolicy || !/^text\/html\b/i.test(String(upstream.headers['content-type'] ?? ''))) {
    res.writeHead(status, headers);
    // An upstream that breaks off mid-body ends this response too, rather than leaving it open.
    pipeline(upstream, res, (err) => err && res.destroy());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const body = decoded(upstream);
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_PAGE_BYTES) {
      log.warn({ url: req.originalUrl }, 'the Temporal UI server sent a page too large to pass on');
      upstream.destroy();
      body.destroy();
      if (!res.headersSent) sendProblem(res, req, new Problem(502, 'Temporal UI unavailable', 'The Temporal UI server sent an unexpected page.'));
      return;
    }
    chunks.push(chunk);
  });
  body.on('error', () => res.destroy());
  // The upstream closed before its page was whole: no page, and no hanging request.
  upstream.on('close', () => {
    if (!upstream.complete && !res.headersSent) res.destroy();
  });
  body.on('end', () => {
    if (res.headersSent) return;
    const page = Buffer.concat(chunks);
    delete headers['content-encoding'];
    res.writeHead(status, { ...headers, 'content-length': page.length, 'content-security-policy': uiPagePolicy(page.toString('utf8')) });
    res.end(req.method === 'HEAD' ? undefined : page);
  });
}

/** The response body without its content encoding (the UI server gzips what the browser accepts). */
function decoded(upstream: IncomingMessage): NodeJS.ReadableStream & { destroy(): void } {
  const encoding = String(upstream.headers['content-encoding'] ?? '').toLowerCase();
  const decoder = encoding === 'gzip' ? createGunzip() : encoding === 'br' ? createBrotliDecompress() : encoding === 'deflate' ? createInflate() : null;
  if (!decoder) return upstream;
  // An upstream that breaks off reaches the decoder as an error (its 'error' handler ends the response).
  pipeline(upstream, decoder, () => undefined);
  return decoder;
}

function isResponse(res: Response | Socket): res is Response {
  return 'writeHead' in res;
}

/** A problem sent from the proxy's callbacks, outside Express's chain (and its problem handler). */
function sendProblem(res: Response, req: Request, p: Problem): void {
  res.status(p.status).type('application/problem+json').json({ type: 'about:blank', title: p.title, status: p.status, detail: p.detail, instance: req.originalUrl });
}

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The nonce of this response: an inline <script> or <style> runs only if it carries it. */
export function cspNonce(res: { locals: Record<string, unknown> }): string {
  return res.locals.cspNonce as string;
}

const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`;

/**
 * Security headers for every response, by helmet 8. The Content-Security-Policy lets scripts
 * and style sheets come only from this site, or inline with this response's nonce; never inline
 * event handlers. Pages and the API may not be framed (frame-ancestors 'none', X-Frame-Options
 * DENY), and nosniff stops browsers from guessing content types. Style attributes stay allowed:
 * ECharts' tooltips and Swagger UI write them, and they cannot run code.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    (_req, res, next) => {
      res.locals.cspNonce = randomBytes(16).toString('base64');
      next();
    },
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", nonce],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", nonce],
          styleSrcAttr: ["'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
    }),
  ];
}

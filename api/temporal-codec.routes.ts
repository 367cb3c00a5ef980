import express, { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { Logger } from '../config/logger.js';
import type { Db } from '../db/connection.js';
import { parse } from './http.js';
import { authorizeTemporal } from './policy.js';
import { Problem } from './problem.js';
import { pageSession, pageUser } from './pages/session.js';

/**
 * The codec endpoint of the Temporal UI (its "codec server"): the UI posts the payloads it shows
 * to `<endpoint>/decode` and displays what comes back, so histories encrypted by luodi's codec
 * read as plain JSON to the province-level users who may open the UI. Only decode is served: the
 * UI is read-only here, so nothing is ever encrypted on a browser's behalf.
 *
 * The UI is served through luodi's own origin and sends the page session cookie; requests from
 * another site are refused before the session is even read.
 */
export interface TemporalCodecDeps {
  db: Db;
  codec: PayloadCodec;
  log: Logger;
  /** luodi's address for people (PUBLIC_URL): behind a reverse proxy that rewrites Host, the origin the browser names. */
  publicUrl?: string;
}

const BODY_LIMIT = '4mb';

/** Proto3 JSON bytes: base64, standard or URL-safe alphabet, padding optional. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** temporal.api.common.v1.Payloads in proto3 JSON form, as the UI sends it. */
const decodeBody = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), base64).nullish(),
      data: base64.nullish(),
    }),
    'must be a list of payloads',
  ),
});

type JsonPayload = z.infer<typeof decodeBody>['payloads'][number];

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

/**
 * Only the UI, from luodi's own pages: a browser marks a request from another site
 * (Sec-Fetch-Site) and names its origin; either, when present, must be this site: the host the
 * request came to, or luodi's public address (a reverse proxy in front may rewrite Host).
 */
const sameOriginOnly =
  (publicUrl: string | undefined): RequestHandler =>
  (req, _res, next) => {
    const site = req.get('Sec-Fetch-Site');
    if (site !== undefined && site !== 'same-origin') {
      throw new Problem(403, 'Forbidden', `The codec endpoint answers luodi's own pages only; this request came from a ${site} page.`);
    }
    const origin = req.get('Origin');
    if (origin !== undefined && hostOf(origin) !== req.host && (publicUrl === undefined || originOf(origin) !== originOf(publicUrl))) {
      throw new Problem(403, 'Forbidden', `The codec endpoint answers luodi's own pages only; this request came from ${origin}.`);
    }
    next();
  };

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null" (a sandboxed or privacy-redirected page), or garbage: never this site.
  }
}

const signedInTemporalUser: RequestHandler = (_req, res, next) => {
  const user = pageUser(res);
  if (!user) throw new Problem(401, 'Unauthorized', 'Sign in to luodi first: the Temporal UI decodes payloads with your luodi session.');
  authorizeTemporal(user);
  next();
};

const json = express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] });
/** The app's problem handler knows only the API's 1 MB limit; this endpoint's is 4 MB. */
const parseBody: RequestHandler = (req, res, next) => {
  json(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
      next(new Problem(413, 'Request too large', `The payloads to decode exceed ${BODY_LIMIT.replace('mb', ' MB')}; the UI sends one event's payloads at a time.`));
    } else next(err);
  });
};

export function createTemporalCodecRouter(deps: TemporalCodecDeps): Router {
  const router = Router();

  router.post('/temporal-codec/decode', sameOriginOnly(deps.publicUrl), pageSession(deps.db), signedInTemporalUser, parseBody, async (req, res) => {
    const user = pageUser(res)!;
    const { payloads } = parse(decodeBody, req.body, 'body');
    const namespace = req.get('X-Namespace') ?? null;
    let decoded: Payload[];
    try {
      decoded = await deps.codec.decode(payloads.map(fromJson));
    } catch (err) {
      deps.log.error({ user: user.id, namespace, payloads: payloads.length, err: (err as Error).message }, 'temporal payloads could not be decoded');
      // The reason (key ids, the key file's path) stays in the log, for the operator.
      throw new Problem(422, 'Cannot decode', 'These payloads cannot be decrypted with luodi\'s keys; the operator finds why in the API\'s log.');
    }
    // The audit trail: who had which number of payloads decrypted.
    deps.log.info({ user: user.id, namespace, payloads: payloads.length }, 'temporal payloads decoded');
    res.json({ payloads: decoded.map(toJson) });
  });

  router.all('/temporal-codec/encode', () => {
    throw new Problem(404, 'Not found', 'The codec endpoint only decodes: the Temporal UI is read-only, and nothing is encrypted for it.');
  });

  return router;
}

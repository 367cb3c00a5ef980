import type { Response } from 'express';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';
import type { User } from '../../db/users.js';
import { cspNonce } from '../security-headers.js';
import { translator, type Translate } from './catalog.js';
import { langOf, pageUser } from './session.js';
import { Layout } from './views/layout.js';

/** The request's language, as a lookup in the catalog. */
export function textOf(res: Response): Translate {
  return translator(langOf(res));
}

/** Who is signed in, with the session's CSRF token: for the pages behind requireSignIn. */
export function viewerOf(res: Response): { user: User; csrfToken: string; t: Translate } {
  const user = pageUser(res);
  if (!user) throw new Error('viewerOf needs a page behind requireSignIn');
  return { user, csrfToken: res.locals.csrfToken as string, t: textOf(res) };
}

/** Renders a view in the site's layout and sends it. */
export function sendPage(res: Response, status: number, title: string, view: VNode, path?: string): void {
  const html = render(
    <Layout
      t={textOf(res)}
      nonce={cspNonce(res)}
      title={title}
      user={pageUser(res)}
      csrfToken={(res.locals.csrfToken as string | undefined) ?? null}
      unread={(res.locals.unread as number | undefined) ?? 0}
      path={path ?? res.req.originalUrl.replace(/[?&]lang=\w+/, '')}
    >
      {view}
    </Layout>,
  );
  res.status(status).type('html').send(`<!doctype html>\n${html}`);
}

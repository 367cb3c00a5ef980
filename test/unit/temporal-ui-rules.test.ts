import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { isReadOnlyRequest, isUnframedRender, temporalUiWorkflowPath, uiPagePolicy, uiResponseHeaders, upstreamRequestHeaders } from '../../api/temporal-ui-rules.js';

/** What luodi's proxy lets through to the Temporal UI server, and what it tells each side (test/temporal-ui.proxy.test.ts runs it against the real server). */
describe('the Temporal UI through luodi', () => {
  test("a workflow's link is relative to luodi, under /temporal", () => {
    expect(temporalUiWorkflowPath('default', 'LN-2018-SY-0042')).toBe('/temporal/namespaces/default/workflows/LN-2018-SY-0042');
    expect(temporalUiWorkflowPath('luodi', 'a/b c')).toBe('/temporal/namespaces/luodi/workflows/a%2Fb%20c');
  });

  test.each([
    ['GET', '/namespaces/default/workflows', true],
    ['HEAD', '/_app/immutable/entry/start.js', true],
    ['GET', '/api/v1/namespaces/default/workflows', true],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/query/__stack_trace', true],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/query/%40%40temporal-internal__list', true],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/terminate', false],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/signal/withdraw', false],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/update/completeTask', false],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1', false],
    ['POST', '/api/v1/namespaces/default/batch-operations/b1', false],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/query/x/terminate', false],
    // A query path that a server resolving dot segments would read as a start (POST …/workflows/{id}).
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/query/..', false],
    ['POST', '/api/v1/namespaces/default/workflows/LN-1/query/%2E%2e', false],
    ['GET', '/api/v1/namespaces/default/../../settings', false],
    ['PUT', '/api/v1/namespaces/default/workflows/LN-1/query/x', false],
    ['DELETE', '/api/v1/namespaces/default/schedules/s1', false],
    ['PATCH', '/api/v1/namespaces/default', false],
    ['OPTIONS', '/api/v1/settings', false],
  ])('%s %s reads only: %s', (method, path, readOnly) => {
    expect(isReadOnlyRequest(method, path)).toBe(readOnly);
  });

  test('the markdown frame is served only as a frame, never as a page a link opens', () => {
    expect(isUnframedRender('/render', 'iframe')).toBe(false);
    expect(isUnframedRender('/render', 'document')).toBe(true);
    expect(isUnframedRender('/render/', undefined)).toBe(true);
    expect(isUnframedRender('/namespaces/default/workflows', 'document')).toBe(false);
    expect(isUnframedRender('/renderer.js', 'script')).toBe(false);
  });

  test("luodi's credentials and cookies, and method overrides, stay with luodi; the UI's own cookie and headers go on", () => {
    const out = upstreamRequestHeaders({
      host: 'luodi.example.gov.cn',
      accept: 'application/json',
      authorization: 'Bearer luodi_secret',
      'authorization-extras': 'id-token',
      'proxy-authorization': 'Basic x',
      'x-http-method-override': 'DELETE',
      'x-csrf-token': 'ui-csrf',
      cookie: 'luodi_session=s3cret; _csrf=ui-csrf; luodi_lang=en;luodi_signin_csrf=t',
    });
    expect(out).toEqual({ host: 'luodi.example.gov.cn', accept: 'application/json', 'x-csrf-token': 'ui-csrf', cookie: '_csrf=ui-csrf' });
    expect(upstreamRequestHeaders({ cookie: 'luodi_session=s3cret' })).toEqual({});
  });

  test("the UI server's framing and XSS headers give way to luodi's; its cookie is Secure over HTTPS", () => {
    const upstream = { 'content-type': 'application/json', 'x-frame-options': 'SAMEORIGIN', 'x-xss-protection': '1; mode=block', 'x-content-type-options': 'nosniff', connection: 'keep-alive', 'transfer-encoding': 'chunked', 'set-cookie': ['_csrf=abc; Path=/; SameSite=Strict'] };
    expect(uiResponseHeaders(upstream, false)).toEqual({
      headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'set-cookie': ['_csrf=abc; Path=/; SameSite=Strict'] },
      ownPolicy: false,
    });
    expect(uiResponseHeaders(upstream, true).headers['set-cookie']).toEqual(['_csrf=abc; Path=/; SameSite=Strict; Secure']);
  });

  test('a response with its own policy (the markdown frame the UI frames itself) keeps it and its framing', () => {
    const upstream = { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'; frame-ancestors 'self'", 'x-frame-options': 'SAMEORIGIN' };
    expect(uiResponseHeaders(upstream, false)).toEqual({ headers: upstream, ownPolicy: true });
  });

  test("the UI page's policy admits its own inline scripts by hash, and nothing else inline; nothing may frame it", () => {
    const bootstrap = '\n  window.__sveltekit = { base: "/temporal" };\n';
    const page = `<html><head><script type="module" src="/temporal/_app/x.js"></script></head><body><div><script>${bootstrap}</script></div></body></html>`;
    const policy = uiPagePolicy(page);
    const hash = createHash('sha256').update(bootstrap).digest('base64');
    expect(policy).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(policy.match(/sha256-/g)).toHaveLength(1);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});

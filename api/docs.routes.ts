import { createRequire } from 'node:module';
import express, { Router } from 'express';
import { openApiDocument } from './openapi.js';
// Imported, not read from a path: tsc then emits it beside the compiled code (dist/package.json).
import packageJson from '../package.json' with { type: 'json' };

const require = createRequire(import.meta.url);
const { version } = packageJson;
const swaggerUi = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();

/** The OpenAPI document and a browsable page for it; both public. */
export function createDocsRouter(): Router {
  const router = Router();
  const document = openApiDocument(version);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs/assets', express.static(swaggerUi, { index: false }));
  // Served as a file, not inline: the Content-Security-Policy runs no inline script.
  router.get('/docs/init.js', (_req, res) => {
    res.type('text/javascript').send("window.ui = SwaggerUIBundle({ url: document.getElementById('swagger-ui').dataset.url, dom_id: '#swagger-ui', deepLinking: true });");
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>luodi 落地 API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-url="/api/openapi.json"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`);
  });
  return router;
}

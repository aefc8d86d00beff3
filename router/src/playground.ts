import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import accepts from 'accepts';
import express from 'express';

/** The built playground (`npm run playground:build`): one level up from `src/` and `dist/` alike. */
const built = fileURLToPath(new URL('../playground/dist/', import.meta.url));

/**
 * The page may talk to the router only ('self' covers the same origin's websockets). Inline
 * styles are Monaco's; fonts and icons are data: URLs in the stylesheet.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Playground not built</title>
<p>The GraphQL playground has not been built. Run
<code>npm run playground:build -w @baedal/router</code> and reload.</p>
<p>GraphQL requests to this URL work regardless.</p></html>
`;

/**
 * Whether a request to `/graphql` asks for the playground's page rather than GraphQL: a
 * `GET` preferring `text/html` to JSON, as a browser's does. GraphQL over GET still reaches
 * Apollo; Apollo's own landing page negotiates the same way (`*\/*`, curl, picks JSON).
 */
export function wantsPlayground(request: IncomingMessage): boolean {
  if (request.method !== 'GET') return false;
  const preferred = accepts(request).type([
    'application/json',
    'application/graphql-response+json',
    'text/html',
  ]);
  return preferred === 'text/html';
}

/**
 * The GraphQL playground (GraphiQL, bundled: it loads nothing from elsewhere): the page at
 * `GET /graphql` for the requests `wantsPlayground` picks, and its assets under
 * `/playground/`, hashed and cached for a year. Without a build, the page says how to make
 * one (HTTP 503).
 */
export function playgroundRoutes(app: express.Express): void {
  app.get('/graphql', async (_req, res) => {
    res.vary('Accept');
    let page: string;
    try {
      page = await readFile(`${built}index.html`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      res.status(503).type('html').send(notBuilt);
      return;
    }
    // Read on every request: a rebuild changes the hashed names the page refers to.
    res
      .set('Cache-Control', 'no-cache')
      .set('Content-Security-Policy', contentSecurityPolicy)
      .type('html')
      .send(page);
  });
  app.use(
    '/playground',
    express.static(`${built}assets`, {
      immutable: true,
      maxAge: '1y',
      index: false,
    }),
  );
}

// Serves the operator console (/console/): plain HTML, ES modules and CSS from src/console/public,
// no build step and nothing from a CDN. The files are public (they hold no data); every piece of data
// comes from /api/v1 with the bearer token the user pasted, so the console has exactly the API's
// authentication and roles. A strict Content-Security-Policy allows only this origin's scripts,
// styles and API.
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import { BASE_SECURITY_HEADERS } from '../http/security-headers.ts';

/** src/console/public of the installation, from src/console/ (tsx) and from dist/console/ (built) alike. */
export const consoleAssetsDir = fileURLToPath(new URL('../../src/console/public/', import.meta.url));

const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; '),
  ...BASE_SECURITY_HEADERS,
} as const;

export const consolePlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 301));
  await app.register(fastifyStatic, {
    root: consoleAssetsDir,
    prefix: '/console/',
    index: ['index.html'],
    // Revalidated on every load (ETag): a new version of the gateway is picked up at once.
    cacheControl: false,
    setHeaders: (reply) => { reply.header('cache-control', 'no-cache'); },
  });
};

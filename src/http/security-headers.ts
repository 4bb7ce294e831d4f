// The security headers of every answer (API, metrics, health, Bull Board, console), set in one onSend
// hook at the root of the app. The console adds its own Content-Security-Policy for its pages; an
// answer that is not an HTML page (JSON, CSV, a downloaded document) gets a policy that allows nothing,
// so that even a file a browser was tricked into rendering can run no script.
import type { FastifyInstance } from 'fastify';

export const BASE_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(BASE_SECURITY_HEADERS);
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) reply.header('content-security-policy', NON_HTML_CSP);
    // Personal data must not stay in shared caches or the browser's disk cache.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

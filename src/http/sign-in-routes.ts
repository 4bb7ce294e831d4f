// The console's sign-in through the provincial SSO: /auth/login → the SSO → /auth/callback → /console/,
// /auth/session (who, and the CSRF token for writes), /auth/logout (here and at the SSO when it offers it).
// Cookies: HttpOnly, Secure, SameSite=Lax (the SSO's redirect back is a cross-site navigation); the session
// cookie carries an opaque random value, the session itself is in the database (services/console-sign-in.ts).
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ConsoleSignIn } from '../services/console-sign-in.ts';
import { seesPersonalIds } from './admin-masking.ts';
import { isGatewayError } from '../errors.ts';

export const SESSION_COOKIE = 'csdl_session';
export const LOGIN_COOKIE = 'csdl_login';

/** The value of one cookie of a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name && v.length > 0) return v.join('=') || null;
  }
  return null;
}

const cookie = (name: string, value: string, path: string, maxAgeSeconds?: number) =>
  `${name}=${value}; Path=${path}; HttpOnly; Secure; SameSite=Lax${maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`}`;

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store');
}

/**
 * `GET /auth/session` always exists, so that the console can ask without an error in the browser's console:
 * {signedIn: false, sso: false} without SSO sign-in; {signedIn: false, sso: true, code} without a live session.
 */
export const signInRoutes: FastifyPluginAsync<{ signIn?: ConsoleSignIn | undefined; redirectUrl: string; absoluteSeconds: number }> = async (app, { signIn, redirectUrl, absoluteSeconds }) => {
  const schema = { tags: ['sign-in'], hide: true };
  if (!signIn) {
    app.get('/auth/session', { schema }, async (_request, reply) => noStore(reply).send({ signedIn: false, sso: false }));
    return;
  }

  app.get('/auth/login', { schema }, async (_request, reply) => {
    const { cookie: value, location } = await signIn.start();
    return noStore(reply).header('set-cookie', cookie(LOGIN_COOKIE, value, '/auth', 600)).redirect(location, 302);
  });

  app.get('/auth/callback', { schema }, async (request, reply) => {
    const current = new URL(redirectUrl);
    current.search = new URL(request.url, current).search;
    // The login cookie is cleared whatever happens: a sign-in attempt is used once.
    reply.header('set-cookie', cookie(LOGIN_COOKIE, '', '/auth', 0));
    const { cookie: value } = await signIn.finish(readCookie(request.headers.cookie, LOGIN_COOKIE), current);
    return noStore(reply).header('set-cookie', cookie(SESSION_COOKIE, value, '/', absoluteSeconds)).redirect('/console/', 302);
  });

  app.get('/auth/session', { schema }, async (request, reply) => {
    noStore(reply);
    const value = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!value) return { signedIn: false, sso: true, code: 'UNAUTHENTICATED' };
    try {
      const s = await signIn.describe(value);
      return { signedIn: true, sso: true, subject: s.subject, role: s.role, agencyCode: s.agencyCode, name: s.name ?? null,
        seesPersonalIds: seesPersonalIds(s), csrfToken: s.csrfToken };
    } catch (err) {
      if (isGatewayError(err, 'SESSION_EXPIRED') || isGatewayError(err, 'GRANT_REQUIRED')) return { signedIn: false, sso: true, code: err.code };
      throw err;
    }
  });

  app.post('/auth/logout', { schema }, async (request, reply) => {
    const { location } = await signIn.logout(readCookie(request.headers.cookie, SESSION_COOKIE));
    return noStore(reply).header('set-cookie', cookie(SESSION_COOKIE, '', '/', 0)).send({ endSessionUrl: location });
  });
};

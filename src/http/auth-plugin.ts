// Authentication for /api: every request carries a bearer JWT; routes declare the roles they allow.
// Scope (the caller's agency subtree) is checked by the handlers through agency-scope.ts.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { GatewayError } from '../errors.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { ConsoleSignIn } from '../services/console-sign-in.ts';
import { readCookie, SESSION_COOKIE } from './sign-in-routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const authPlugin = fp<{ verifyToken: TokenVerifier; signIn?: ConsoleSignIn | undefined }>(async (app, { verifyToken, signIn }) => {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    // The console signed in through the SSO: a session cookie (writes need its CSRF token); API clients use bearer tokens.
    const session = !header && signIn ? readCookie(request.headers.cookie, SESSION_COOKIE) : null;
    if (session && signIn) {
      const csrf = request.headers['x-csrf-token'];
      request.principal = await signIn.principal(session, request.method, typeof csrf === 'string' ? csrf : undefined);
      return;
    }
    if (!header) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new GatewayError('UNAUTHENTICATED', { reason: 'NOT_BEARER' });
    request.principal = await verifyToken(match[1]!);
  });
}, { name: 'auth' });

/** A preHandler that admits only authenticated callers holding one of the roles. */
export function requireRole(...allowed: Role[]): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const principal = request.principal;
    if (!principal) throw new GatewayError('UNAUTHENTICATED');
    if (!allowed.includes(principal.role)) throw new GatewayError('FORBIDDEN', { role: principal.role, allowed });
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new GatewayError('UNAUTHENTICATED');
  return request.principal;
}

export const anyRole: Role[] = ['STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN'];
export const officers: Role[] = ['UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN'];

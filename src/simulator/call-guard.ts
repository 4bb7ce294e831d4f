// The front door of every simulated national API call (not /token, not /_sim): counting, fault
// injection, then the platform's checks of §2 in the order a gateway such as WSO2 applies them:
// bearer token (unknown → 401 AUTHEN_ERROR, expired or revoked → 401 TOKEN_EXPIRED), the client's IP
// allow-list (403 IP_DISALLOWED), `X-Request-Id` (a UUID, else 400 BAD_REQUEST) and `X-Sender-Code`
// (missing → 400 BAD_REQUEST, not one of the client's → 403 SENDER_NOT_ALLOWED).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { RouteName } from './faults.ts';
import { dropConnection, refuse } from './national-replies.ts';
import type { SimClient, SimContext } from './sim-context.ts';

export interface CallInfo {
  readonly client: SimClient;
  readonly senderCode: string;
  readonly requestId: string;
  /** The fault injector asked for the connection to be dropped once the call is processed. */
  readonly resetAfter: boolean;
}

const calls = new WeakMap<FastifyRequest, CallInfo>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function one(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? null : v;
}

export function bearerToken(authorization: string | undefined): string | null {
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
  return m?.[1] ?? null;
}

/** The checked caller of a guarded route. */
export function callInfo(request: FastifyRequest): CallInfo {
  const info = calls.get(request);
  if (!info) throw new Error('route is not guarded');
  return info;
}

/** Answers a processed call, or drops the connection when a reset-after fault was drawn for it. */
export function answer(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}): FastifyReply {
  if (calls.get(request)?.resetAfter) return dropConnection(reply);
  return reply.status(status).headers(headers).send(body);
}

export function guard(ctx: SimContext, route: RouteName): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const leave = ctx.stats.enter();
    reply.raw.once('close', leave);
    const h = request.headers;
    const token = bearerToken(h.authorization);
    const requestId = one(h['x-request-id']);
    const senderCode = one(h['x-sender-code']);
    const senders = senderCode === null ? [] : [senderCode];
    // Until the answer is written or the connection is gone, whatever happens below.
    reply.raw.once('close', ctx.senders.enter(senders));
    ctx.stats.call({ route, requestId, senderCode, idempotencyKey: one(h['idempotency-key']), hasBearer: token !== null });

    const { delayMs, effect } = ctx.faults.decide(route);
    if (delayMs > 0) await sleep(delayMs);
    if (effect?.kind === 'reset-before') return dropConnection(reply);
    if (effect?.kind === 'status') {
      if (effect.retryAfter) ctx.senders.retryAfter(senders, effect.retryAfter, ctx.now().getTime());
      return refuse(reply, effect.status, effect.code, { injected: true }, effect.retryAfter ? { 'retry-after': effect.retryAfter } : {});
    }

    if (token === null) return refuse(reply, 401, 'AUTHEN_ERROR', { reason: 'missing or malformed bearer token' });
    if (effect?.kind === 'token-expired') await ctx.storage.revokeToken(token);
    const row = await ctx.storage.findToken(token);
    const client = row && ctx.clients.get(row.clientId);
    if (!row || !client) return refuse(reply, 401, 'AUTHEN_ERROR', { reason: 'unknown token' });
    if (row.revoked || row.expiresAt.getTime() <= ctx.now().getTime()) return refuse(reply, 401, 'TOKEN_EXPIRED');
    if (client.allowedIps && !client.allowedIps.includes(request.ip)) return refuse(reply, 403, 'IP_DISALLOWED', { ip: request.ip });
    if (requestId === null || !UUID.test(requestId)) return refuse(reply, 400, 'BAD_REQUEST', { header: 'X-Request-Id', reason: 'a UUID is required' });
    if (senderCode === null) return refuse(reply, 400, 'BAD_REQUEST', { header: 'X-Sender-Code', reason: 'required' });
    if (!client.senderCodes.includes(senderCode)) return refuse(reply, 403, 'SENDER_NOT_ALLOWED', { senderCode });
    calls.set(request, { client, senderCode, requestId, resetAfter: effect?.kind === 'reset-after' });
    return undefined;
  };
}

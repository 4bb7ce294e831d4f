// Bull Board at /admin/queues: the 'outbox' and 'schedules' queues, read-only, for ADMIN only.
// Every route of the board (its page, its assets, its JSON API) needs a bearer JWT of an ADMIN: no
// token 401, another role 403, and nothing but GET/HEAD is let through (read-only twice: Bull Board's
// readOnlyMode hides and refuses the actions, this refuses the methods). A browser cannot put a header
// on a page it opens, so the console first POSTs the token to /admin/queues/session (bearer only),
// which hands it back as an HttpOnly, SameSite=Strict cookie scoped to /admin/queues; the board then
// reads the token from that cookie and checks it exactly like the header, on every request.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { GatewayError, isGatewayError } from '../errors.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Principal } from '../auth/principal.ts';
import type { OpsQueues } from '../metrics/ops-queues.ts';

export const BOARD_COOKIE = 'csdl_board';

/** The longest a board request may wait on Redis before it is answered 503 QUEUE_UNAVAILABLE. */
export const QUEUE_BOARD_TIMEOUT_MS = 5_000;

export interface QueueBoardOptions {
  readonly queues: Pick<OpsQueues, 'outbox' | 'schedules' | 'available'>;
  readonly timeoutMs?: number;
  readonly verifyToken: TokenVerifier;
  /** Where the plugin is registered (its prefix): the board builds its links from it. */
  readonly basePath: string;
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === BOARD_COOKIE && value.length) return decodeURIComponent(value.join('='));
  }
  return null;
}

function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? null;
}

async function callerOf(request: FastifyRequest, verifyToken: TokenVerifier, bearerOnly: boolean): Promise<Principal> {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer === null) throw new GatewayError('UNAUTHENTICATED', { reason: 'NOT_BEARER' });
  const token = bearer ?? (bearerOnly ? null : cookieToken(request.headers.cookie));
  if (!token) throw new GatewayError('UNAUTHENTICATED');
  return verifyToken(token);
}

const unavailable = (reason: string) => new GatewayError('QUEUE_UNAVAILABLE', { reason }).toJSON();
/** The 503s this plugin sent itself (the onSend below rewrites only the board's own failures). */
const ours = new WeakSet<FastifyReply>();
const deadlines = new WeakMap<FastifyRequest, NodeJS.Timeout>();

function answerUnavailable(reply: FastifyReply, reason: string): FastifyReply {
  ours.add(reply);
  return reply.code(503).header('cache-control', 'no-store').send(unavailable(reason));
}

export const queueBoard: FastifyPluginAsync<QueueBoardOptions> = async (app, o) => {
  const sessionPath = `${o.basePath}/session`;
  const timeoutMs = o.timeoutMs ?? QUEUE_BOARD_TIMEOUT_MS;

  // The board's own error handler would turn a thrown refusal into a 500: refusals are sent from here.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    const isSession = path === sessionPath;
    if (isSession && request.method === 'DELETE') return; // forgetting the cookie needs no credentials
    try {
      if (!isSession && request.method !== 'GET' && request.method !== 'HEAD') throw new GatewayError('FORBIDDEN', { reason: 'READ_ONLY' });
      const principal = await callerOf(request, o.verifyToken, isSession);
      if (principal.role !== 'ADMIN') throw new GatewayError('FORBIDDEN', { role: principal.role, allowed: ['ADMIN'] });
    } catch (err) {
      const refusal = isGatewayError(err) ? err : new GatewayError('UNAUTHENTICATED', null, { cause: err });
      return reply.code(refusal.statusCode).header('cache-control', 'no-store').send(refusal.toJSON());
    }
    if (isSession || !path?.startsWith(`${o.basePath}/api/`)) return; // the page and its assets need no Redis
    // Bull Board waits on Redis as long as it takes: refuse at once when Redis is known down, and answer
    // by a deadline when it hangs (a late answer of the board is then dropped by Fastify).
    if (!o.queues.available()) return answerUnavailable(reply, 'DISCONNECTED');
    deadlines.set(request, setTimeout(() => {
      if (reply.sent) return;
      request.log.warn({ alert: 'QUEUE_BOARD_TIMEOUT' }, 'Bull Board got no answer from Redis in time');
      void answerUnavailable(reply, 'TIMEOUT');
    }, timeoutMs));
  });
  app.addHook('onResponse', async (request) => clearTimeout(deadlines.get(request)));

  // The board's own error handler answers a failure with the library's message: ours say only what failed.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 500 || ours.has(reply)) return payload;
    request.log.warn({ status: reply.statusCode }, 'Bull Board failed (Redis unreachable?)');
    reply.code(503).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify(unavailable('BOARD_FAILED'));
  });

  app.post('/session', { schema: { hide: true } }, async (request, reply) => {
    const token = bearerToken(request.headers.authorization)!;
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${o.basePath}; HttpOnly; SameSite=Strict${secure}`);
    return reply.code(204).send();
  });

  app.delete('/session', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('set-cookie', `${BOARD_COOKIE}=; Path=${o.basePath}; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.code(204).send();
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(o.basePath);
  createBullBoard({
    queues: [new BullMQAdapter(o.queues.outbox, { readOnlyMode: true }), new BullMQAdapter(o.queues.schedules, { readOnlyMode: true })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'csdl-gateway' } },
  });
  await app.register(serverAdapter.registerPlugin());
};

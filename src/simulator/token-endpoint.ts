// POST /token: OAuth2 client credentials as NATIONAL_API.md §2 describes it (WSO2 style).
// `Authorization: Basic base64(client_id:client_secret)`, form body `grant_type=client_credentials`
// → 200 {access_token, token_type:"Bearer", expires_in, scope}; wrong or missing credentials → 401
// {"error":"invalid_client"}; another grant type → 400 {"error":"unsupported_grant_type"}.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { dropConnection, refuse } from './national-replies.ts';
import type { SimClient, SimContext } from './sim-context.ts';

const FORM = 'application/x-www-form-urlencoded';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The client named by a Basic header, when its secret matches. */
export function basicClient(authorization: string | undefined, clients: ReadonlyMap<string, SimClient>): SimClient | undefined {
  const m = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(authorization ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const client = clients.get(decoded.slice(0, colon));
  return client && sameSecret(decoded.slice(colon + 1), client.clientSecret) ? client : undefined;
}

export function tokenEndpoint(ctx: SimContext): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 8 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    app.post('/token', async (request, reply) => {
      const leave = ctx.stats.enter();
      reply.raw.once('close', leave);
      ctx.stats.call({ route: 'token', requestId: null, senderCode: null, idempotencyKey: null, hasBearer: false });
      // A token call is the client's: it counts for each of the client's senders (§4: token calls included).
      const client = basicClient(request.headers.authorization, ctx.clients);
      const senders = client?.senderCodes ?? [];
      reply.raw.once('close', ctx.senders.enter(senders));
      const { delayMs, effect } = ctx.faults.decide('token');
      if (delayMs > 0) await sleep(delayMs);
      if (effect?.kind === 'reset-before' || effect?.kind === 'reset-after') return dropConnection(reply);
      if (effect?.kind === 'status') {
        if (effect.retryAfter) ctx.senders.retryAfter(senders, effect.retryAfter, ctx.now().getTime());
        return refuse(reply, effect.status, effect.code, { injected: true }, effect.retryAfter ? { 'retry-after': effect.retryAfter } : {});
      }

      if (!client) return reply.status(401).header('www-authenticate', 'Basic realm="national"').send({ error: 'invalid_client' });
      if (!(request.headers['content-type'] ?? '').startsWith(FORM)) return reply.status(400).send({ error: 'invalid_request' });
      const form = (request.body ?? {}) as Record<string, string>;
      if (form.grant_type !== 'client_credentials') return reply.status(400).send({ error: 'unsupported_grant_type' });

      const token = randomBytes(24).toString('base64url');
      const expiresAt = new Date(ctx.now().getTime() + ctx.tokenTtlSeconds * 1000);
      await ctx.storage.issueToken(token, client.clientId, expiresAt);
      ctx.stats.tokenIssued();
      return reply.status(200).header('cache-control', 'no-store').send({
        access_token: token, token_type: 'Bearer', expires_in: ctx.tokenTtlSeconds, scope: 'am_application_scope default',
      });
    });
  };
}

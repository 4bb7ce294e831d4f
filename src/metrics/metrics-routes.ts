// GET /metrics on the API (Prometheus text format). Outside /api/v1 and its bearer JWTs: a scraper is
// no user; see metrics-access.ts for METRICS_TOKEN.
import type { FastifyPluginAsync } from 'fastify';
import { GatewayError } from '../errors.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { metricsAccess } from './metrics-access.ts';

export const metricsRoutes: FastifyPluginAsync<{ metrics: GatewayMetrics; token: string }> = async (app, { metrics, token }) => {
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    const access = metricsAccess(token, request.headers.authorization);
    if (access === 401) throw new GatewayError('UNAUTHENTICATED', { reason: 'METRICS_TOKEN' });
    if (access === 403) throw new GatewayError('FORBIDDEN', { reason: 'METRICS_TOKEN' });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};

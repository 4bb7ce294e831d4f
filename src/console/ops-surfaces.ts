// What operators reach outside /api/v1, registered once by the app: the console (/console/), the
// Prometheus metrics (/metrics, with the state collectors bound to this app's database, queues and
// certificates) and, when the app has the queues, Bull Board for ADMIN (/admin/queues).
import type { FastifyPluginAsync } from 'fastify';
import type { SigningSetup } from '../approval/signing-setup.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import { certificateExpiries } from '../metrics/certificate-expiry.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
import { metricsRoutes } from '../metrics/metrics-routes.ts';
import { bindStateCollectors } from '../metrics/state-collectors.ts';
import { consolePlugin } from './console-plugin.ts';
import { queueBoard } from './queue-board.ts';

export const QUEUE_BOARD_PATH = '/admin/queues';

export const opsSurfaces: FastifyPluginAsync<{ signing: SigningSetup; verifyToken: TokenVerifier }> = async (app, { signing, verifyToken }) => {
  const { db, config, queues } = app.deps;
  const metrics = app.deps.metrics ?? createGatewayMetrics();
  const now = () => app.deps.clock.now();
  bindStateCollectors(metrics, {
    db,
    ...(queues ? { queues } : {}),
    certificates: () => certificateExpiries({ signing, nationalTrustAnchors: app.deps.nationalTrust?.trustAnchors ?? [] }, now()),
  });
  await app.register(metricsRoutes, { metrics, token: config.metricsToken });
  await app.register(consolePlugin);
  if (queues) await app.register(queueBoard, { prefix: QUEUE_BOARD_PATH, basePath: QUEUE_BOARD_PATH, queues, verifyToken });
};

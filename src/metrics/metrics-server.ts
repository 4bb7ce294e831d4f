// The worker has no API; with METRICS_PORT set it serves its own metrics (national calls, alerts,
// process) at /metrics and its liveness at /health on that port, for Prometheus and for the
// container's health check. State metrics (database, queues, certificates) come from the API.
import { createServer, type Server } from 'node:http';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { metricsAccess } from './metrics-access.ts';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(metrics: GatewayMetrics, o: { host: string; port: number; token: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
    if (path === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (path !== '/metrics') return void res.writeHead(404).end();
    const access = metricsAccess(o.token, req.headers.authorization);
    if (access !== 'ok') return void res.writeHead(access).end();
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    close: () => (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // keep-alive scrapers would hold the close
    })),
  };
}

// Wires the process's dependencies from the configuration: used by every long-running command.
import type { Redis } from 'ioredis';
import { openRedis } from './jobs/redis-target.ts';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { openDb, pingDb, type Db } from './store/db.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import { devJwtPublicKeyFile } from './auth/dev-token.ts';
import { buildApp } from './http/app.ts';
import { loadSigningSetup } from './approval/signing-setup.ts';
import { loadNationalTrust } from './transfer/national-trust.ts';
import { readFileSync } from 'node:fs';
import { createNationalClient, type NationalClient } from './exchange/national-client.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics.ts';
import { alertCountingDestination } from './metrics/alert-tap.ts';
import { openOpsQueues } from './metrics/ops-queues.ts';

export interface Runtime {
  /** The national client, made on first use and closed with the runtime. */
  national(): NationalClient;
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  /** This process's metrics: national calls (of `national()`) and alerts (of the default logger). */
  metrics: GatewayMetrics;
  close(): Promise<void>;
}

export function openRuntime(config: Config, givenLogger?: Logger): Runtime {
  const metrics = createGatewayMetrics();
  // Alerts are log events; the process's logger counts them as it writes them.
  const logger = givenLogger ?? createLogger(config.logLevel, { destination: alertCountingDestination(metrics.countAlert) });
  const db = openDb(config.databaseUrl, {
    onIdleError: (err) => logger.warn({ err }, 'database closed an idle connection; reconnecting on next use'),
  });
  const redis = openRedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  let closing: Promise<void> | undefined;
  let national: NationalClient | undefined;
  return {
    config, logger, db, redis, metrics,
    national: () => (national ??= openNationalClient(config, metrics.onNationalAttempt)),
    close: () => (closing ??= Promise.all([db.close(), redis.quit().catch(() => redis.disconnect()), national?.close()]).then(() => undefined)),
  };
}

async function pingRedis(redis: Redis): Promise<boolean> {
  if (redis.status === 'wait' || redis.status === 'end') await redis.connect().catch(() => {});
  return (await redis.ping().catch(() => '')) === 'PONG';
}

export async function buildGatewayApp(rt: Runtime) {
  const { config } = rt;
  const verifyToken = createTokenVerifier({
    jwksUrl: config.authJwksUrl || undefined,
    // Without a configured key, the demo key in certs.example/ verifies tokens: say so loudly.
    publicKeyFile: config.authPublicKeyFile || (config.authJwksUrl ? undefined : devJwtPublicKeyFile),
    issuer: config.authIssuer || undefined,
    audience: config.authAudience || undefined,
  });
  if (!config.authPublicKeyFile && !config.authJwksUrl) rt.logger.warn('AUTH_JWT_PUBLIC_KEY_FILE is not set: accepting demo tokens signed by certs.example/jwt');
  const queues = openOpsQueues(config.redisUrl, config.queuePrefix);
  const app = await buildApp({
    config, db: rt.db, verifyToken, logger: rt.logger, signing: await loadSigningSetup(config), national: rt.national(), nationalTrust: loadNationalTrust(config),
    probes: [{ name: 'database', check: () => pingDb(rt.db) }, { name: 'redis', check: () => pingRedis(rt.redis) }],
    metrics: rt.metrics, queues,
  });
  app.addHook('onClose', () => queues.close());
  return app;
}

/** The client of the national platform, as configured (token, mutual TLS, timeouts, in-flight limit). */
export function openNationalClient(config: Config, onAttempt?: Parameters<typeof createNationalClient>[0]['onAttempt']): NationalClient {
  const file = (path: string) => (path ? readFileSync(path) : undefined);
  const tls = { cert: file(config.nationalTlsCertFile), key: file(config.nationalTlsKeyFile), ca: file(config.nationalTlsCaFile) };
  return createNationalClient({
    baseUrl: config.nationalBaseUrl, tokenUrl: config.nationalTokenUrl, clientId: config.nationalClientId,
    clientSecret: config.nationalClientSecret, senderCode: config.senderCode, maxInFlight: config.nationalMaxInFlight,
    connectTimeoutMs: config.nationalConnectTimeoutMs, headersTimeoutMs: config.nationalResponseTimeoutMs,
    bodyTimeoutMs: config.nationalResponseTimeoutMs,
    ...(tls.cert || tls.key || tls.ca ? { tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) } : {}),
    ...(onAttempt ? { onAttempt } : {}),
  });
}

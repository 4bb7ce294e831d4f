// Wires the process's dependencies from the configuration: used by every long-running command.
import type { Redis } from 'ioredis';
import { openRedis } from './jobs/redis-target.ts';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { openDb, pingDb, type Db } from './store/db.ts';
import { configuredTokenVerifier } from './auth/token-verifier.ts';
import { effectiveAuthority, withGrants } from './services/grants.ts';
import { systemClock } from './clock.ts';
import { createConsoleSignIn } from './services/console-sign-in.ts';
import { GatewayError } from './errors.ts';
import { devJwtPublicKeyFile } from './auth/dev-token.ts';
import { buildApp } from './http/app.ts';
import { closeSigningSetup, loadSigningSetup } from './approval/signing-setup.ts';
import { loadNationalTrust } from './transfer/national-trust.ts';
import { readFileSync } from 'node:fs';
import { createNationalClient, type NationalClient } from './exchange/national-client.ts';
import { createSenderGate } from './exchange/sender-gate.ts';
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
    connectTimeoutMs: config.databaseConnectTimeoutMs,
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
  // Refuses to start without a key (or issuer) unless AUTH_DEV_MODE; in that mode the demo key verifies tokens.
  const verified = configuredTokenVerifier(config, devJwtPublicKeyFile);
  // Identity from the SSO, authority from the grants stored here (unless AUTH_AUTHORITY=claims).
  const verifyToken = effectiveAuthority(config) === 'grants' ? withGrants(verified, rt.db, systemClock) : verified;
  const signIn = consoleSignInOf(config, rt.db);
  if (config.authDevMode) rt.logger.warn('AUTH_DEV_MODE is on: development tokens (certs.example/jwt) and tokens without an issuer are accepted');
  const queues = openOpsQueues(config.redisUrl, config.queuePrefix);
  const signing = await loadSigningSetup(config);
  const app = await buildApp({
    config, db: rt.db, verifyToken, ...(signIn ? { signIn } : {}), logger: rt.logger, signing, national: rt.national(), nationalTrust: loadNationalTrust(config),
    probes: [{ name: 'database', check: () => pingDb(rt.db) }, { name: 'redis', check: () => pingRedis(rt.redis) }],
    metrics: rt.metrics, queues,
  });
  app.addHook('onClose', async () => {
    await queues.close();
    closeSigningSetup(signing);
  });
  return app;
}

/** The client of the national platform, as configured (token, mutual TLS, timeouts, the sender's shared gate). */
export function openNationalClient(config: Config, onAttempt?: Parameters<typeof createNationalClient>[0]['onAttempt']): NationalClient {
  const file = (path: string) => (path ? readFileSync(path) : undefined);
  const tls = { cert: file(config.nationalTlsCertFile), key: file(config.nationalTlsKeyFile), ca: file(config.nationalTlsCaFile) };
  return createNationalClient({
    baseUrl: config.nationalBaseUrl, tokenUrl: config.nationalTokenUrl, clientId: config.nationalClientId,
    clientSecret: config.nationalClientSecret, senderCode: config.senderCode, maxInFlight: config.nationalMaxInFlight,
    // One limit and one Retry-After per sender across every process sharing this Redis and prefix (§4).
    gate: createSenderGate({ redisUrl: config.redisUrl, keyPrefix: config.queuePrefix, senderCode: config.senderCode, maxInFlight: config.nationalMaxInFlight }),
    connectTimeoutMs: config.nationalConnectTimeoutMs, headersTimeoutMs: config.nationalResponseTimeoutMs,
    bodyTimeoutMs: config.nationalResponseTimeoutMs,
    ...(tls.cert || tls.key || tls.ca ? { tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) } : {}),
    ...(onAttempt ? { onAttempt } : {}),
  });
}

/** The console's SSO sign-in, when OIDC_ISSUER_URL is set (its redirect URL and secret are then required). */
function consoleSignInOf(config: Config, db: Db) {
  if (!config.oidcIssuerUrl) return undefined;
  if (!config.oidcRedirectUrl) throw new GatewayError('CONFIG_INVALID', { variable: 'OIDC_REDIRECT_URL', reason: 'required with OIDC_ISSUER_URL' });
  if (!config.oidcClientSecret) throw new GatewayError('CONFIG_INVALID', { variable: 'OIDC_CLIENT_SECRET', reason: 'required with OIDC_ISSUER_URL' });
  const absoluteMs = config.sessionAbsoluteHours * 3_600_000;
  const service = createConsoleSignIn({ db, clock: systemClock }, {
    issuerUrl: config.oidcIssuerUrl, clientId: config.oidcClientId, clientSecret: config.oidcClientSecret, redirectUrl: config.oidcRedirectUrl,
    postLogoutRedirectUrl: new URL('/console/', config.oidcRedirectUrl).href, idleMs: config.sessionIdleMinutes * 60_000, absoluteMs,
    authority: effectiveAuthority(config), allowHttp: config.authDevMode, personalIdClaim: config.oidcPersonalIdClaim,
  });
  return { service, redirectUrl: config.oidcRedirectUrl, absoluteSeconds: absoluteMs / 1000 };
}

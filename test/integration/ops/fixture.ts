// The gateway app as the operator surfaces see it: a real test database (seeded province), the test
// PKI's trust anchors and organisation signer, this app's own metrics registry and read-only handles on
// the BullMQ queues under a prefix no other test uses.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import { createTokenVerifier } from '../../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile, issueDevToken } from '../../../src/auth/dev-token.ts';
import { createLogger } from '../../../src/logger.ts';
import type { Role } from '../../../src/auth/principal.ts';
import type { SigningSetup } from '../../../src/approval/signing-setup.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../../../src/metrics/gateway-metrics.ts';
import { openOpsQueues, type OpsQueues } from '../../../src/metrics/ops-queues.ts';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { getTestPki } from '../../support/pki.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface OpsApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  metrics: GatewayMetrics;
  queues: OpsQueues;
  signing: SigningSetup;
  token(role: Role, agency: string): Promise<string>;
  close(): Promise<void>;
}

export async function signingOf(extraIntermediates: Array<'expired-signer'> = []): Promise<SigningSetup> {
  const pki = await getTestPki();
  return {
    trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca'), ...extraIntermediates.map((e) => pki.certificate(e))],
    crls: pki.crls, orgSigner: pki.identity('org-signer'), sessionMinutes: 30,
  };
}

export async function createOpsApp(o: { persons?: number; overrides?: Partial<Config>; signing?: SigningSetup; now?: () => Date } = {}): Promise<OpsApp> {
  const database = await createTestDatabase('gw_ops');
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: o.persons ?? 40, seed: 3 });
  const queuePrefix = `ops-${randomBytes(5).toString('hex')}`;
  const config = loadConfig({}, { databaseUrl: database.url, logLevel: 'silent', queuePrefix, redisUrl: REDIS_URL, ...o.overrides });
  const metrics = createGatewayMetrics();
  const queues = openOpsQueues(config.redisUrl, config.queuePrefix);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // a Redis that is down is what the readiness probe reports
  const signing = o.signing ?? await signingOf();
  const pki = await getTestPki();
  const app = await buildApp({
    config, db: database.db, logger: createLogger('silent'), signing, metrics, queues,
    verifyToken: createTokenVerifier({ publicKeyFile: devJwtPublicKeyFile, audience: config.authAudience }),
    nationalTrust: { trustAnchors: pki.nationalTrustAnchors },
    probes: [{ name: 'database', check: async () => true }, { name: 'redis', check: async () => (await redis.ping().catch(() => '')) === 'PONG' }],
    ...(o.now ? { now: o.now } : {}),
  });
  await app.ready();
  return {
    app, database, config, metrics, queues, signing,
    token: (role, agency) => issueDevToken({ role, agency }),
    close: async () => {
      await app.close();
      await queues.close();
      redis.disconnect();
      await removeKeys(REDIS_URL, queuePrefix);
      await database.drop();
    },
  };
}

/** The test's BullMQ keys, so the shared Redis keeps nothing of it. */
export async function removeKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

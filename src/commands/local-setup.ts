// What the demo and the benchmark need on this machine before they start: PostgreSQL and Redis
// answering (one line saying which is missing otherwise) and a demo PKI fresh enough to use.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { serverReachable } from '../store/migrate.ts';
import { makeDemoPki, type DemoPkiManifest } from '../pki/demo-pki.ts';
import { systemClock, type Clock } from '../clock.ts';

/** The demo PKI's CRLs are good for 30 days: remake it after 20. */
const PKI_MAX_AGE_MS = 20 * 86_400_000;

export async function ensureDemoPki(dir: string, clock: Clock = systemClock): Promise<DemoPkiManifest> {
  const file = join(dir, 'manifest.json');
  if (existsSync(file)) {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as DemoPkiManifest;
    const age = clock.now().getTime() - Date.parse(manifest.generatedAt);
    if (age >= 0 && age < PKI_MAX_AGE_MS) return manifest; // made in the future (clock moved back): remake
  }
  return makeDemoPki(dir, { clock });
}

/** Throws one line naming what is missing: PostgreSQL or Redis. */
export async function checkServices(config: Pick<Config, 'databaseUrl' | 'redisUrl'>): Promise<void> {
  if (!(await serverReachable(config.databaseUrl))) {
    throw new Error(`PostgreSQL is not reachable at ${new URL(config.databaseUrl).host} (start it, or set DATABASE_URL)`);
  }
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`Redis is not reachable at ${config.redisUrl} (start it, or set REDIS_URL)`);
  } finally {
    redis.disconnect();
  }
}

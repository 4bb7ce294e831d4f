// Where Redis is: a plain `redis://` / `rediss://` URL, or a Sentinel group for high availability,
// written `redis+sentinel://[:password@]host1:26379,host2:26379,host3:26379/<master-name>[/<db>]`. ioredis
// follows Sentinel itself (it asks the sentinels for the master and reconnects on failover); this only
// turns REDIS_URL into its options. Pure.
import { Redis, type RedisOptions } from 'ioredis';
import { GatewayError } from '../errors.ts';

export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: Array<{ host: string; port: number }>; name: string; password?: string; db: number };

export function parseRedisTarget(url: string): RedisTarget {
  const m = /^redis\+sentinel:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/.exec(url);
  if (!url.startsWith('redis+sentinel://')) return { kind: 'url', url };
  if (!m) throw new GatewayError('CONFIG_INVALID', { variable: 'REDIS_URL', reason: 'expected redis+sentinel://host:port,host:port/master-name[/db]' });
  const sentinels = m[2]!.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    const n = Number(port ?? 26379);
    if (!host || !Number.isInteger(n) || n < 1 || n > 65535) throw new GatewayError('CONFIG_INVALID', { variable: 'REDIS_URL', reason: `bad sentinel address ${hp}` });
    return { host, port: n };
  });
  return { kind: 'sentinel', sentinels, name: decodeURIComponent(m[3]!), db: Number(m[4] ?? 0), ...(m[1] ? { password: decodeURIComponent(m[1]) } : {}) };
}

/** A Redis client for REDIS_URL (plain or Sentinel) with `options` (ioredis RedisOptions). */
export function openRedis(url: string, options: RedisOptions): Redis {
  const target = parseRedisTarget(url);
  if (target.kind === 'url') return new Redis(url, options);
  return new Redis({ ...options, sentinels: target.sentinels, name: target.name, db: target.db,
    ...(target.password ? { password: target.password, sentinelPassword: target.password } : {}) });
}

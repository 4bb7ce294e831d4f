// REDIS_URL: a plain URL, or a Sentinel group (high availability through ioredis).
import { describe, expect, it } from 'vitest';
import { parseRedisTarget } from '../../../src/jobs/redis-target.ts';

describe('parseRedisTarget', () => {
  it('passes a plain URL through', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379')).toEqual({ kind: 'url', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisTarget('rediss://:pw@r.tinh.gov.vn:6380/2')).toEqual({ kind: 'url', url: 'rediss://:pw@r.tinh.gov.vn:6380/2' });
  });
  it('reads a Sentinel group with its master name, database and password', () => {
    expect(parseRedisTarget('redis+sentinel://:s%40cret@10.0.0.1:26379,10.0.0.2,10.0.0.3:26380/csdl-master/1')).toEqual({
      kind: 'sentinel', name: 'csdl-master', db: 1, password: 's@cret',
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }, { host: '10.0.0.3', port: 26380 }],
    });
    expect(parseRedisTarget('redis+sentinel://s1:26379/mymaster')).toEqual({ kind: 'sentinel', name: 'mymaster', db: 0, sentinels: [{ host: 's1', port: 26379 }] });
  });
  it('refuses a Sentinel URL without a master name or with a bad port (CONFIG_INVALID)', () => {
    expect(() => parseRedisTarget('redis+sentinel://s1:26379')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => parseRedisTarget('redis+sentinel://s1:99999/m')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

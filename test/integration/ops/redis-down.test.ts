// Redis gone (nothing listens) or hanging (it accepts and never answers): every request of the API still
// gets an answer — /ready says which dependency is down, Bull Board answers 503 QUEUE_UNAVAILABLE
// without a library's message, the health panel answers, and writes (PostgreSQL only) go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { auth, createOpsApp, type OpsApp } from './fixture.ts';
import { startRedisServer, type RedisServer } from '../../support/worker-process.ts';

let closedPort: number;
let stuck: RedisServer;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  closedPort = await freePort();
  // A Redis of this test's own that will stop answering once the app is connected (SIGSTOP: a stuck
  // server, a half-open link): the connections stay up, every command waits.
  stuck = await startRedisServer(undefined, 'redis-stuck');
});
afterAll(async () => {
  if (stuck && !stuck.hasExited()) {
    process.kill(stuck.pid, 'SIGCONT');
    await stuck.kill('SIGKILL');
  }
});

async function closeQuietly(t: OpsApp | undefined): Promise<void> {
  if (!t) return;
  await t.app.close();
  t.queues.close().catch(() => {});
  await t.database.drop();
}

describe.each([
  ['down (nothing listens)', false, 'DISCONNECTED'],
  ['hanging (connected, never answers)', true, 'TIMEOUT'],
])('Redis %s', (_what, hangs, boardReason) => {
  let t: OpsApp;
  beforeAll(async () => {
    t = await createOpsApp({ persons: 3, overrides: { redisUrl: hangs ? stuck.url : `redis://127.0.0.1:${closedPort}` } });
    if (hangs) {
      await t.queues.outbox.getJobCounts('waiting'); // connected and initialised first
      process.kill(stuck.pid, 'SIGSTOP');
    }
  }, 60_000);
  afterAll(async () => closeQuietly(t));

  it('/ready answers 503 naming Redis, the database still ready', async () => {
    const res = await t.app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', checks: { database: true, redis: false } });
  });

  it('Bull Board’s API answers 503 QUEUE_UNAVAILABLE with a stable reason, never hangs or leaks library text', async () => {
    const admin = auth(await t.token('ADMIN', 'H55'));
    const res = await t.app.inject({ url: '/admin/queues/api/queues?activeQueue=outbox&status=latest&page=1&jobsPerPage=10', headers: admin });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ code: 'QUEUE_UNAVAILABLE', message: 'Không kết nối được hàng đợi xử lý.', details: { reason: boardReason } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The board's page itself needs no Redis, and the refusals still come first.
    expect((await t.app.inject({ url: '/admin/queues/', headers: admin })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/admin/queues/api/queues' })).statusCode).toBe(401);
  }, 30_000);

  it('the health panel and the metrics answer with the queue unknown, and a write still succeeds', async () => {
    const admin = auth(await t.token('ADMIN', 'H55'));
    const status = await t.app.inject({ url: '/api/v1/ops/status', headers: admin });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ queue: { available: false, level: 'red' }, readiness: { checks: { database: true, redis: false } } });
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(200);
    const person = await t.database.db.prisma.person.findFirstOrThrow();
    const officer = auth(await t.token('UNIT_OFFICER', 'H55'));
    const created = await t.app.inject({ method: 'POST', url: `/api/v1/persons/${person.personalId}/changes`, headers: officer,
      payload: { profile: { ...(person.profile as object), SoDienThoai: '0900000042' } } });
    expect(created.statusCode).toBe(201);
  }, 30_000);
});

// PostgreSQL that accepts connections and never answers (a stuck server, a half-open link): requests
// answer 503 DATABASE_UNAVAILABLE by the connect deadline, /ready answers by its probe deadline, and the
// command line prints one line; nothing waits for the operating system to give up on the socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/http/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { openDb, pingDb, type Db } from '../../../src/store/db.ts';
import { createLogger } from '../../../src/logger.ts';
import { createTokenVerifier } from '../../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile, issueDevToken } from '../../../src/auth/dev-token.ts';

const run = promisify(execFile);
let silent: Server;
const sockets = new Set<Socket>();
let url: string;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  silent = createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `postgresql://gw:s3cret@127.0.0.1:${(silent.address() as { port: number }).port}/csdl`;
  db = openDb(url, { connectTimeoutMs: 500 });
  const config = loadConfig({}, { databaseUrl: url, logLevel: 'silent' });
  app = await buildApp({ config, db, logger: createLogger('silent'), verifyToken: createTokenVerifier({ publicKeyFile: devJwtPublicKeyFile, audience: config.authAudience }),
    probes: [{ name: 'database', check: () => pingDb(db) }] });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.close().catch(() => {});
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('a database that never answers', () => {
  it('an API read and a write answer 503 DATABASE_UNAVAILABLE', async () => {
    const headers = { authorization: `Bearer ${await issueDevToken({ role: 'ADMIN', agency: 'H55' })}` };
    const read = await app.inject({ url: '/api/v1/agencies/tree', headers });
    expect(read.statusCode).toBe(503);
    expect(read.json()).toEqual({ code: 'DATABASE_UNAVAILABLE', message: 'Không kết nối được cơ sở dữ liệu.', details: { reason: 'NO_ANSWER' } });
    const write = await app.inject({ method: 'POST', url: '/api/v1/agencies/import', headers, payload: { agencies: [{ code: 'H55.70', name: 'Sở Thử' }] } });
    expect(write.statusCode).toBe(503);
    expect(write.json().code).toBe('DATABASE_UNAVAILABLE');
  });

  it('/ready answers 503 with the database down', async () => {
    const res = await app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', checks: { database: false } });
  });

  it('`migrate` prints one line and exits 1', async () => {
    const out = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], {
      cwd: process.cwd(), env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' }, timeout: 90_000,
    }).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => err);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe('DATABASE_UNAVAILABLE: Không kết nối được cơ sở dữ liệu. (NO_ANSWER) — khởi động PostgreSQL tại 127.0.0.1:'
      + `${(silent.address() as { port: number }).port} hoặc sửa DATABASE_URL`);
  }, 90_000);
});

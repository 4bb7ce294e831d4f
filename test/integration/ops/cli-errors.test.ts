// The command line against what is really down or missing: one line on stderr, a non-zero exit, the
// stack only with --verbose, and nothing created by a command that failed.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { adminUrl, testDatabaseUrl } from '../../support/database.ts';

const run = promisify(execFile);
let closedPort: number;
let blackhole: Server;

beforeAll(async () => {
  // A port that was just free: nothing listens there (PostgreSQL "stopped").
  blackhole = createServer();
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  closedPort = (blackhole.address() as { port: number }).port;
  await new Promise<void>((resolve) => blackhole.close(() => resolve()));
});

function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }), (err: { code: number; stdout: string; stderr: string }) => err);
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

describe('command-line errors', () => {
  it('migrate against a stopped PostgreSQL: one line naming where, exit 1; the stack only with --verbose', async () => {
    const env = { DATABASE_URL: `postgresql://gw:s3cret@127.0.0.1:${closedPort}/csdl` };
    const out = await cli(['migrate'], env);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([`DATABASE_UNAVAILABLE: Không kết nối được cơ sở dữ liệu. (ECONNREFUSED) — khởi động PostgreSQL tại 127.0.0.1:${closedPort} hoặc sửa DATABASE_URL`]);
    expect(out.stderr).not.toContain('s3cret');
    const verbose = await cli(['--verbose', 'migrate'], env);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr.split('\n')[0]).toMatch(/^DATABASE_UNAVAILABLE: /);
    expect(verbose.stderr).toMatch(/\n\s+at /); // the stack, asked for
  });

  it('seed into a database that does not exist: says to run migrate first, and creates nothing', async () => {
    const name = `gw_test_missing_${randomBytes(4).toString('hex')}`;
    const out = await cli(['seed', '--count', '3'], { DATABASE_URL: testDatabaseUrl(name) });
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe('DATABASE_MISSING: Cơ sở dữ liệu chưa được tạo. — chạy `csdl-gateway migrate` trước (lệnh này tạo cơ sở dữ liệu và các bảng)');
    expect(await databaseExists(name)).toBe(false);
  });

  it('seed into a database never migrated: says to run migrate first, and writes nothing', async () => {
    const name = `gw_test_bare_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    try {
      const out = await cli(['seed', '--count', '3'], { DATABASE_URL: testDatabaseUrl(name) });
      expect(out.code).toBe(1);
      expect(out.stderr.trim()).toMatch(/^DATABASE_NOT_MIGRATED: .* — chạy `csdl-gateway migrate` trước/);
      const bare = new pg.Client({ connectionString: testDatabaseUrl(name) });
      await bare.connect();
      const { rows } = await bare.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
      await bare.end();
      expect(rows[0].n).toBe(0);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('serve on a port already taken: one line naming PORT, and the process exits despite its open pools', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const out = await cli(['serve'], { AUTH_DEV_MODE: 'true', DATABASE_URL: adminUrl, HOST: '127.0.0.1', PORT: String((taken.address() as { port: number }).port) });
      expect(out.code).toBe(1);
      expect(out.stderr.trim()).toBe('CONFIG_INVALID: Cấu hình hệ thống không hợp lệ. (PORT: EADDRINUSE) — cổng này đang được tiến trình khác dùng: chọn PORT khác hoặc dừng tiến trình đó');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('a bad option or setting: one line with the code and the fix, exit 1', async () => {
    const count = await cli(['seed', '--count', 'many'], {});
    expect(count).toMatchObject({ code: 1 });
    expect(count.stderr.trim()).toBe('BAD_REQUEST: Yêu cầu không hợp lệ. — --count phải là số nguyên từ 0 đến 1000000');
    const setting = await cli(['audit', 'verify'], { PORT: 'eighty' });
    expect(setting).toMatchObject({ code: 1 });
    expect(setting.stderr.trim()).toMatch(/^CONFIG_INVALID: Cấu hình hệ thống không hợp lệ\. \(PORT: .*\) — sửa biến môi trường/);
  });
});

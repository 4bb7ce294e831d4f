// The backup commands as an operator runs them: real processes, configured through the environment.
// `backup` ends with the dump's path; every failure is one Vietnamese line with its code and a hint,
// and a non-zero exit status.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropDatabase } from '../../../src/store/migrate.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../support/database.ts';
import { REPO_ROOT } from '../../support/worker-process.ts';

const run = promisify(execFile);
let source: TestDatabase;
let dir: string;
const target = `gw_cli_restore_${Math.random().toString(16).slice(2, 10)}`;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: source.url, LOG_LEVEL: 'error', ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  source = await createTestDatabase('gw_backup_cli');
  dir = await mkdtemp(join(tmpdir(), 'gw-backup-cli-'));
});

afterAll(async () => {
  await dropDatabase(testDatabaseUrl(target)).catch(() => {});
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('backs up (path on the last line), drills, restores, and refuses to restore over data', async () => {
  const backup = await cli(['backup', '--to', dir]);
  expect(backup.code).toBe(0);
  const lines = backup.stdout.trim().split('\n');
  const file = lines.at(-1)!;
  expect(file).toMatch(new RegExp(`^${dir}/csdl-gateway-manual-\\d{8}T\\d{6}Z\\.dump$`));
  expect(lines[0]).toMatch(/^Sao lưu cơ sở dữ liệu gw_backup_cli_\w+ lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(giờ Việt Nam\)/);
  expect(backup.stderr).toBe(''); // not a terminal: no progress bar

  const drill = await cli(['restore-drill', file]);
  expect(drill.code).toBe(0);
  expect(drill.stdout).toMatch(/DIỄN TẬP ĐẠT: \d+ bảng/);
  const verify = await cli(['restore', file, '--verify']);
  expect(verify.stdout).toMatch(/DIỄN TẬP ĐẠT/);

  const restored = await cli(['restore', file, '--into', testDatabaseUrl(target)]);
  expect(restored.code).toBe(0);
  expect(restored.stdout).toContain(`Đã khôi phục vào ${target}`);

  const again = await cli(['restore', file, '--into', testDatabaseUrl(target)]);
  expect(again.code).toBe(1);
  expect(again.stderr.trim().split('\n')).toHaveLength(1);
  expect(again.stderr).toMatch(/^RESTORE_TARGET_NOT_EMPTY: .+ — .*--force/);

  const manifest = JSON.parse(await readFile(`${file}.manifest.json`, 'utf8'));
  manifest.dumpSha256 = '0'.repeat(64);
  await writeFile(`${file}.manifest.json`, JSON.stringify(manifest));
  const corrupt = await cli(['restore-drill', file]);
  expect(corrupt.code).toBe(2);
  expect(corrupt.stderr).toMatch(/^BACKUP_CORRUPT: .*reason=sha256.* — /);
}, 300_000); // seven processes, each compiling the CLI with tsx

it('says in one line that pg_dump is missing', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'gw-nopg-'));
  try {
    const r = await cli(['backup', '--to', dir], { BACKUP_PG_BIN_DIR: empty });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^BACKUP_TOOL_MISSING: .* — cài gói postgresql-client/)]);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}, 120_000);

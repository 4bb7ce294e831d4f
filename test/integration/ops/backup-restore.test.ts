// Backup, restore and the restore drill against the real PostgreSQL and its real pg_dump/pg_restore:
// a good backup restores faithfully and passes the drill; a tampered one (bytes, manifest, audit chain)
// fails it; every failure path has its own code and leaves the target as it was.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.ts';
import { isGatewayError, type ErrorCode } from '../../../src/errors.ts';
import { appendAuditNow } from '../../../src/store/audit-log.ts';
import { dropDatabase } from '../../../src/store/migrate.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createBackup, readBackup } from '../../../src/services/backup-service.ts';
import { restoreBackup, restoreDrill } from '../../../src/services/restore-service.ts';
import { adminUrl, createTestDatabase, testDatabaseUrl, type TestDatabase, SEED_TODAY } from '../../support/database.ts';

let source: TestDatabase;
let dir: string;
let good: string;
const created: string[] = [];
const clock = fixedClock('2026-11-30T13:00:00Z');

async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A database URL on the test server that this file drops afterwards. */
function scratchUrl(tag: string): string {
  const name = `gw_restore_${tag}_${Math.random().toString(16).slice(2, 10)}`;
  created.push(name);
  return testDatabaseUrl(name);
}

async function drillDatabases(): Promise<string[]> {
  return (await sql<{ datname: string }>(adminUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'csdl_gateway_drill_%'")).map((r) => r.datname);
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<unknown> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(isGatewayError(err) ? err.code : err).toBe(code);
  return (err as { details: unknown }).details;
}

beforeAll(async () => {
  source = await createTestDatabase('gw_backup');
  await seedProvince(source.db, 'H55', { today: SEED_TODAY, count: 40, seed: 7 });
  for (let i = 0; i < 5; i++) await appendAuditNow(source.db, { actor: 'test', action: 'TEST_READ', entityType: 'person', entityId: String(i), details: { i } });
  dir = await mkdtemp(join(tmpdir(), 'gw-backup-'));
  good = (await createBackup({ databaseUrl: source.url, clock, db: source.db }, { dir, kind: 'manual' })).file;
});

afterAll(async () => {
  for (const name of created) await dropDatabase(testDatabaseUrl(name)).catch(() => {});
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('backup', () => {
  it('writes one dump and a manifest beside it that describe the database exactly', async () => {
    expect(good).toBe(join(dir, 'csdl-gateway-manual-20261130T130000Z.dump'));
    const { manifest } = await readBackup(good);
    const persons = await sql<{ n: string }>(source.url, 'SELECT count(*)::text AS n FROM person');
    expect(manifest.rowCounts.person).toBe(Number(persons[0]!.n));
    expect(manifest.rowCounts.person).toBe(40);
    expect(manifest.rowCounts.audit_log).toBeGreaterThanOrEqual(5);
    expect(manifest.schemaVersion).toContain('0001_init');
    expect(manifest.schemaVersion).toContain('0018_backup_runs');
    const head = await sql<{ seq: string; hash: string }>(source.url, 'SELECT seq::text AS seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    expect(manifest.auditHead).toEqual(head[0]);
    expect(manifest.createdAt).toBe('2026-11-30T13:00:00.000Z');
    expect(manifest.tool).toMatch(/^pg_dump \(PostgreSQL\) \d+/);
    expect((await readdir(dir)).sort()).toEqual(['csdl-gateway-manual-20261130T130000Z.dump', 'csdl-gateway-manual-20261130T130000Z.dump.manifest.json']);
    const runs = await source.db.prisma.backupRun.findMany();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ kind: 'manual', ok: true, file: good, sha256: manifest.dumpSha256 });
  });

  it('gives a second backup in the same second a name of its own', async () => {
    const other = await mkdtemp(join(tmpdir(), 'gw-backup-twice-'));
    try {
      const a = await createBackup({ databaseUrl: source.url, clock }, { dir: other, kind: 'frequent' });
      const b = await createBackup({ databaseUrl: source.url, clock }, { dir: other, kind: 'frequent' });
      expect(a.file).not.toBe(b.file);
      expect(b.file).toMatch(/-2\.dump$/);
      expect((await readBackup(b.file)).manifest.dumpFile).toBe('csdl-gateway-frequent-20261130T130000Z-2.dump');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('fails with BACKUP_TOOL_MISSING when pg_dump is not there, leaves no file and records the failure', async () => {
    const other = await mkdtemp(join(tmpdir(), 'gw-backup-nopg-'));
    try {
      await expectCode(createBackup({ databaseUrl: source.url, clock, db: source.db, pgBinDir: other }, { dir: other, kind: 'monthly' }), 'BACKUP_TOOL_MISSING');
      expect(await readdir(other)).toEqual([]);
      const failed = await source.db.prisma.backupRun.findMany({ where: { ok: false } });
      expect(failed.map((r) => r.kind)).toEqual(['monthly']);
      expect(failed[0]!.error).toMatch(/^BACKUP_TOOL_MISSING/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('fails with BACKUP_DIR_UNWRITABLE when the directory cannot be made', async () => {
    await expectCode(createBackup({ databaseUrl: source.url, clock }, { dir: join(good, 'inside-a-file'), kind: 'manual' }), 'BACKUP_DIR_UNWRITABLE');
  });

  it('fails with DATABASE_UNAVAILABLE when the database cannot be reached, and removes the partial dump', async () => {
    const other = await mkdtemp(join(tmpdir(), 'gw-backup-nodb-'));
    try {
      await expectCode(createBackup({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere', clock }, { dir: other, kind: 'manual' }), 'DATABASE_UNAVAILABLE');
      expect(await readdir(other)).toEqual([]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('restore', () => {
  it('restores into a new database with the same rows and an intact audit chain', async () => {
    const target = scratchUrl('new');
    const outcome = await restoreBackup(good, target);
    const { manifest } = await readBackup(good);
    expect(outcome.rows).toBe(Object.values(manifest.rowCounts).reduce((a, b) => a + b, 0));
    expect(outcome.auditRows).toBe(manifest.rowCounts.audit_log);
    const names = await sql<{ personal_id: string }>(target, 'SELECT personal_id FROM person ORDER BY personal_id');
    const original = await sql<{ personal_id: string }>(source.url, 'SELECT personal_id FROM person ORDER BY personal_id');
    expect(names).toEqual(original);
  });

  it('refuses a database that already holds data (RESTORE_TARGET_NOT_EMPTY) and changes nothing; --force replaces it', async () => {
    const target = scratchUrl('full');
    await sql(adminUrl, `CREATE DATABASE "${new URL(target).pathname.slice(1)}"`);
    await sql(target, 'CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (1)');
    const details = await expectCode(restoreBackup(good, target), 'RESTORE_TARGET_NOT_EMPTY');
    expect(details).toMatchObject({ database: new URL(target).pathname.slice(1) });
    expect(await sql(target, "SELECT to_regclass('public.person') AS t")).toEqual([{ t: null }]);
    await restoreBackup(good, target, { force: true });
    expect(await sql<{ n: string }>(target, 'SELECT count(*)::text AS n FROM person')).toEqual([{ n: '40' }]);
    expect(await sql(target, "SELECT to_regclass('public.keep_me') AS t")).toEqual([{ t: null }]);
  });

  it('names a bad target: not a URL (BAD_REQUEST), a server that does not answer (RESTORE_TARGET_UNREACHABLE)', async () => {
    await expectCode(restoreBackup(good, 'not a url'), 'BAD_REQUEST');
    await expectCode(restoreBackup(good, 'postgresql://postgres@127.0.0.1:1/somewhere'), 'RESTORE_TARGET_UNREACHABLE');
  });

  it('fails with BACKUP_NOT_FOUND for a missing dump or a dump without its manifest', async () => {
    await expectCode(restoreBackup(join(dir, 'nope.dump'), scratchUrl('nf')), 'BACKUP_NOT_FOUND');
    const lonely = join(dir, 'lonely.dump');
    await writeFile(lonely, await readFile(good));
    try {
      await expectCode(restoreDrill(lonely, adminUrl), 'BACKUP_NOT_FOUND');
    } finally {
      await rm(lonely);
    }
  });
});

describe('restore drill', () => {
  /** A copy of the good backup under another name in its own directory, to tamper with. */
  async function copyOfGood(tag: string): Promise<{ file: string; manifestFile: string; cleanup: () => Promise<void> }> {
    const other = await mkdtemp(join(tmpdir(), `gw-tamper-${tag}-`));
    const file = join(other, 'csdl-gateway-manual-20261130T130000Z.dump');
    await writeFile(file, await readFile(good));
    await writeFile(`${file}.manifest.json`, await readFile(`${good}.manifest.json`));
    return { file, manifestFile: `${file}.manifest.json`, cleanup: () => rm(other, { recursive: true, force: true }) };
  }

  it('passes on the good backup and drops its scratch database', async () => {
    const before = await drillDatabases();
    const steps: string[] = [];
    let tables = 0;
    const restoredTables: string[] = [];
    const outcome = await restoreDrill(good, adminUrl, { onStep: (s) => steps.push(s), onStart: (n) => { tables = n; }, onTable: (t) => restoredTables.push(t) });
    expect(outcome.database).toMatch(/^csdl_gateway_drill_[0-9a-f]{10}$/);
    expect(steps).toEqual(['checksum', 'restore', 'compare', 'drop']);
    expect(tables).toBe(Object.keys(outcome.manifest.rowCounts).length);
    expect(restoredTables).toContain('person');
    expect(await drillDatabases()).toEqual(before);
  });

  it('fails with BACKUP_CORRUPT on a dump with one byte changed, before creating any database', async () => {
    const copy = await copyOfGood('byte');
    try {
      const bytes = await readFile(copy.file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0xff;
      await writeFile(copy.file, bytes);
      const before = await drillDatabases();
      expect(await expectCode(restoreDrill(copy.file, adminUrl), 'BACKUP_CORRUPT')).toMatchObject({ reason: 'sha256' });
      expect(await drillDatabases()).toEqual(before);
      const target = scratchUrl('corrupt');
      await expectCode(restoreBackup(copy.file, target), 'BACKUP_CORRUPT');
      expect(await sql(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [new URL(target).pathname.slice(1)])).toEqual([]);
      // a truncated dump is caught by its size
      await writeFile(copy.file, bytes.subarray(0, bytes.length - 10));
      expect(await expectCode(restoreDrill(copy.file, adminUrl), 'BACKUP_CORRUPT')).toMatchObject({ reason: 'size' });
    } finally {
      await copy.cleanup();
    }
  });

  it('fails with RESTORE_FAILED on an archive pg_restore cannot read even when its checksum was recomputed, and drops the scratch database', async () => {
    const copy = await copyOfGood('garbage');
    try {
      const garbage = Buffer.from('PGDMP but not really an archive '.repeat(50));
      await writeFile(copy.file, garbage);
      const manifest = JSON.parse(await readFile(copy.manifestFile, 'utf8'));
      manifest.dumpBytes = garbage.length;
      manifest.dumpSha256 = createHash('sha256').update(garbage).digest('hex');
      await writeFile(copy.manifestFile, JSON.stringify(manifest));
      const before = await drillDatabases();
      const details = await expectCode(restoreDrill(copy.file, adminUrl), 'RESTORE_FAILED') as { stderr: string };
      expect(details.stderr).toMatch(/pg_restore/);
      expect(await drillDatabases()).toEqual(before);
      // a restore that created its target removes it again
      const target = scratchUrl('garbage');
      await expectCode(restoreBackup(copy.file, target), 'RESTORE_FAILED');
      expect(await sql(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [new URL(target).pathname.slice(1)])).toEqual([]);
    } finally {
      await copy.cleanup();
    }
  });

  it('fails with BACKUP_CORRUPT on a manifest that is not one', async () => {
    const copy = await copyOfGood('manifest');
    try {
      await writeFile(copy.manifestFile, '{"format":"something else"}');
      expect(await expectCode(restoreDrill(copy.file, adminUrl), 'BACKUP_CORRUPT')).toMatchObject({ reason: 'manifest:unknown-format' });
    } finally {
      await copy.cleanup();
    }
  });

  it('fails with RESTORE_VERIFY_FAILED when the manifest promises rows the dump does not hold', async () => {
    const copy = await copyOfGood('counts');
    try {
      const manifest = JSON.parse(await readFile(copy.manifestFile, 'utf8'));
      manifest.rowCounts.person += 1;
      await writeFile(copy.manifestFile, JSON.stringify(manifest));
      const before = await drillDatabases();
      const details = await expectCode(restoreDrill(copy.file, adminUrl), 'RESTORE_VERIFY_FAILED') as { mismatches: unknown[] };
      expect(details.mismatches).toEqual([{ what: 'row-count', table: 'person', expected: 41, actual: 40 }]);
      expect(await drillDatabases()).toEqual(before);
    } finally {
      await copy.cleanup();
    }
  });

  it('fails with RESTORE_VERIFY_FAILED when a backup holds an altered audit row, even with a fresh checksum', async () => {
    // The tampering a checksum cannot see: the database was altered before it was dumped.
    const altered = scratchUrl('altered');
    await restoreBackup(good, altered);
    await sql(altered, `ALTER TABLE audit_log DISABLE TRIGGER USER;
      UPDATE audit_log SET details = '{"i":99}' WHERE seq = (SELECT max(seq) - 2 FROM audit_log);
      ALTER TABLE audit_log ENABLE TRIGGER USER`);
    const other = await mkdtemp(join(tmpdir(), 'gw-tamper-audit-'));
    try {
      const tampered = await createBackup({ databaseUrl: altered, clock }, { dir: other, kind: 'manual' });
      const details = await expectCode(restoreDrill(tampered.file, adminUrl), 'RESTORE_VERIFY_FAILED') as { mismatches: Array<{ what: string; reason?: string }> };
      expect(details.mismatches).toEqual([expect.objectContaining({ what: 'audit-chain', reason: 'HASH' })]);
      // the good backup still passes
      await expect(restoreDrill(good, adminUrl)).resolves.toMatchObject({ manifest: { dumpFile: 'csdl-gateway-manual-20261130T130000Z.dump' } });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

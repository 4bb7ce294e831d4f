import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { appendAuditNow, verifyAuditChain } from '../../../src/store/audit-log.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

const run = promisify(execFile);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  for (let i = 0; i < 25; i++) {
    await appendAuditNow(database.db, { actor: `user${i % 3}`, action: 'TEST', entityType: 'thing', entityId: String(i), details: { i, text: 'Nguyễn Văn An' } });
  }
});
afterAll(async () => database?.drop());

describe('audit log', () => {
  it('chains every row to the previous one', async () => {
    expect(await verifyAuditChain(database.db, 7)).toMatchObject({ ok: true, rows: 25 });
  });

  it('keeps the chain linear under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAuditNow(database.db, { actor: 'c', action: 'CONCURRENT', entityType: 'thing', details: { i } })));
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, rows: 45 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(database.db.pool.query("UPDATE audit_log SET actor = 'x' WHERE seq = 3")).rejects.toThrow(/append-only/);
    await expect(database.db.pool.query('DELETE FROM audit_log WHERE seq = 3')).rejects.toThrow(/append-only/);
    await expect(database.db.pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('finds a row altered behind the trigger’s back, and `audit verify` exits 2 naming it', async () => {
    // An attacker with superuser rights can switch the trigger off; the chain still tells.
    await database.db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await database.db.pool.query(`UPDATE audit_log SET details = '{"i":9,"text":"changed"}' WHERE seq = 10`);
    await database.db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: { seq: '10', reason: 'HASH' }, rows: 9 });

    const cli = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', 'verify'], {
      env: { ...process.env, DATABASE_URL: database.url }, cwd: process.cwd(),
    }).catch((err: { code: number; stderr: string }) => err);
    expect((cli as { code: number }).code).toBe(2);
    expect((cli as { stderr: string }).stderr).toMatch(/^AUDIT_CHAIN_BROKEN: .* \(dòng 10, HASH\)/);
  });

  it('finds a removed row as a gap', async () => {
    await database.db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await database.db.pool.query(`UPDATE audit_log SET details = '{"i":9,"text":"Nguyễn Văn An"}' WHERE seq = 10`);
    await database.db.pool.query('DELETE FROM audit_log WHERE seq = 20');
    await database.db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: { seq: '21', reason: 'SEQ_GAP' } });
  });
});

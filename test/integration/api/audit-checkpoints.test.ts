// Signed checkpoints of the audit chain: every tampering a superuser can do behind the triggers (cut the
// tail, truncate, rewrite a row and recompute the chain, delete or forge checkpoints) fails `audit
// verify`, through the use case, the CLI and the API, with the right reason and first bad row.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appendAuditNow, auditRowHash, verifyAuditChain } from '../../../src/store/audit-log.ts';
import { checkpointAfter, checkpointDeps, checkpointDocument, createCheckpoint, verifyAuditTrail, type CheckpointDeps, type TrailCheckOptions }
  from '../../../src/services/audit-checkpoints.ts';
import { insertCheckpoint, listCheckpoints } from '../../../src/store/audit-checkpoints.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { notBefore } from '../../../src/pki/certificates.ts';
import { fixedClock, type Clock } from '../../../src/clock.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { createTestApp, bearer } from '../../support/app.ts';
import type { Db } from '../../../src/store/db.ts';

const run = promisify(execFile);
let pki: TestPki;
let clock: Clock;
const open: Array<{ database: TestDatabase; dir: string }> = [];

beforeAll(async () => {
  pki = await getTestPki();
  // Inside the organisation certificate's validity whatever day the PKI was made.
  clock = fixedClock(new Date(notBefore(pki.certificate('org-signer')).getTime() + 3_600_000));
});
afterEach(async () => {
  for (const { database, dir } of open.splice(0)) {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
});

const noLog = { error: () => {} };

/** A database with `rows` audit rows and the checkpoint machinery pointed at a fresh directory. */
async function trail(rows: number) {
  const database = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'gw-checkpoints-'));
  open.push({ database, dir });
  await append(database.db, rows);
  const deps = checkpointDeps(database.db, { orgSigner: pki.identity('org-signer') }, dir, clock, noLog)!;
  const options: TrailCheckOptions = { trustAnchors: pki.trustAnchors, organisation: pki.certificate('org-signer'), dir, clock };
  return { database, db: database.db, dir, deps, options, verify: () => verifyAuditTrail(database.db, options) };
}

async function append(db: Db, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await appendAuditNow(db, { actor: `user${i % 3}`, action: 'TEST', entityType: 'thing', entityId: String(i), details: { i, text: 'Nguyễn Văn An' } });
}

/** What a superuser can do: the append-only triggers off, some SQL, the triggers back on. */
async function behindTriggers(db: Db, sql: string, params: unknown[] = []): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await client.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER USER');
    await client.query(sql, params);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    await client.query('ALTER TABLE audit_checkpoint ENABLE TRIGGER USER');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** Rewrites row `seq` and recomputes every hash after it, so the chain alone looks intact. */
async function rewriteAndRechain(db: Db, seq: number): Promise<void> {
  const rows = await db.prisma.auditLog.findMany({ orderBy: { seq: 'asc' } });
  let prev = rows.find((r) => r.seq === BigInt(seq - 1))?.hash ?? '0'.repeat(64);
  const statements: string[] = [];
  for (const r of rows.filter((x) => x.seq >= BigInt(seq))) {
    const edited = r.seq === BigInt(seq) ? { ...r, details: '{"i":4,"text":"đã sửa"}' } : r;
    const hash = auditRowHash(prev, edited);
    statements.push(`UPDATE audit_log SET details = ${edited.details === null ? 'NULL' : `'${edited.details}'`}, prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${r.seq}`);
    prev = hash;
  }
  await behindTriggers(db, statements.join(';\n'));
}

function cli(database: TestDatabase, dir: string, args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent', AUDIT_CHECKPOINT_DIR: dir,
      SIGNER_P12_FILE: pki.path('org-signer.p12'), SIGNER_P12_PASSWORD: pki.p12Password, TRUST_ANCHORS: pki.path('root-ca.pem') },
  }).then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }), (err: { code: number; stdout: string; stderr: string }) => err);
}

describe('signed audit checkpoints', () => {
  it('are kept in the database and the directory, and an intact trail verifies with the rows after the last one counted', async () => {
    const t = await trail(10);
    const c = await createCheckpoint(t.deps, 'MANUAL');
    expect(c.seq).toBe(10n);
    expect((await readdir(t.dir)).sort()).toEqual([expect.stringMatching(/^audit-checkpoint-000000000010-.*\.json$/), expect.stringMatching(/\.json\.p7s$/)]);
    await append(t.db, 3);
    const report = await t.verify();
    expect(report).toMatchObject({ ok: true, rows: 13, uncovered: '3', checkpoints: { database: 1, directory: 1, verified: 1, latest: { seq: '10' } } });
    expect(report.checkpoints.latest!.sources.sort()).toEqual(['database', 'directory']);
  });

  it('catch a deleted tail, naming the first missing row, in the use case and the CLI (exit 2)', async () => {
    const t = await trail(12);
    await createCheckpoint(t.deps, 'BATCH_BUILD');
    await behindTriggers(t.db, 'DELETE FROM audit_log WHERE seq > 7');
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 7 }); // the chain alone sees nothing
    expect(await t.verify()).toMatchObject({ ok: false, brokenAt: { seq: '8', reason: 'TAIL_DELETED', checkpointSeq: '12' } });

    const out = await cli(t.database, t.dir, ['audit', 'verify']);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^AUDIT_CHAIN_BROKEN: Nhật ký kiểm toán.* \(dòng 8, TAIL_DELETED\)/);
  });

  it('catch a truncated table', async () => {
    const t = await trail(5);
    await createCheckpoint(t.deps, 'DAILY');
    await behindTriggers(t.db, 'TRUNCATE audit_log');
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 0 });
    expect(await t.verify()).toMatchObject({ ok: false, brokenAt: { seq: '1', reason: 'TRUNCATED', checkpointSeq: '5' } });
  });

  it('catch a row rewritten and the chain recomputed, between the last checkpoint that still matches and the first that does not', async () => {
    const t = await trail(3);
    await createCheckpoint(t.deps, 'APPROVAL');
    await append(t.db, 7);
    await createCheckpoint(t.deps, 'APPROVAL');
    await rewriteAndRechain(t.db, 5);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 10 });
    expect(await t.verify()).toMatchObject({ ok: false, brokenAt: { seq: '4', reason: 'RECHAINED', checkpointSeq: '10', origin: 'database' } });
  });

  it('still catch it from the directory when the database checkpoints were deleted too', async () => {
    const t = await trail(6);
    await createCheckpoint(t.deps, 'DAILY');
    await rewriteAndRechain(t.db, 2);
    await behindTriggers(t.db, 'DELETE FROM audit_checkpoint');
    expect(await listCheckpoints(t.db)).toEqual([]);
    const report = await t.verify();
    expect(report).toMatchObject({ ok: false, brokenAt: { seq: '1', reason: 'RECHAINED', checkpointSeq: '6' } });
    expect(report.brokenAt!.origin).toMatch(/^audit-checkpoint-000000000006-.*\.json$/);
  });

  it('report a checkpoint deleted from the database even when the rows are untouched', async () => {
    const t = await trail(4);
    await createCheckpoint(t.deps, 'DAILY');
    await behindTriggers(t.db, 'DELETE FROM audit_checkpoint');
    expect(await t.verify()).toMatchObject({ ok: false, brokenAt: { reason: 'CHECKPOINT_DELETED', checkpointSeq: '4' } });
  });

  it('refuse a checkpoint signed by another key, or whose signed document was edited', async () => {
    const t = await trail(4);
    await createCheckpoint(t.deps, 'DAILY');
    // A valid signature of a trusted person, but not the organisation: it vouches for nothing.
    const forged = checkpointDocument(4n, 'f'.repeat(64), clock.now(), 'MANUAL');
    await insertCheckpoint(t.db, { seq: 4n, headHash: 'f'.repeat(64), reason: 'MANUAL', createdAt: clock.now(), document: forged,
      signature: await signDetached(forged, pki.identity('head-rsa'), { signingTime: clock.now() }) });
    expect(await t.verify()).toMatchObject({ ok: false, brokenAt: { reason: 'CHECKPOINT_INVALID', origin: 'database' } });

    const u = await trail(4);
    const c = await createCheckpoint(u.deps, 'DAILY');
    const name = (await readdir(u.dir)).find((n) => n.endsWith('.json'))!;
    await rm(join(u.dir, name), { force: true });
    await writeFile(join(u.dir, name), Buffer.from(c.document).toString('utf8').replace(c.headHash, 'e'.repeat(64)));
    expect(await u.verify()).toMatchObject({ ok: false, brokenAt: { reason: 'CHECKPOINT_INVALID', origin: name } });
  });

  it('never fail the work they follow: a checkpoint that cannot be written is an alert', async () => {
    const t = await trail(2);
    const file = join(t.dir, 'not-a-directory');
    await writeFile(file, 'x');
    const alerts: unknown[] = [];
    const deps: CheckpointDeps = { ...t.deps, dir: file, logger: { error: (o: unknown) => alerts.push(o) } };
    await expect(checkpointAfter(deps, 'APPROVAL')).resolves.toBeUndefined();
    expect(alerts).toMatchObject([{ alert: 'AUDIT_CHECKPOINT_FAILED', reason: 'APPROVAL' }]);
  });

  it('`audit checkpoint` signs the head from the CLI; GET /audit/verify reports the trail', async () => {
    const t = await trail(3);
    const out = await cli(t.database, t.dir, ['audit', 'checkpoint']);
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toMatch(/^audit checkpoint: đã ký dòng 3 /);
    const ok = await cli(t.database, t.dir, ['audit', 'verify']);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^Chuỗi nhật ký kiểm toán nguyên vẹn: 3 dòng, dòng cuối 3; điểm kiểm tra đã ký mới nhất: dòng 3, \d\d\/\d\d\/\d{4} \d\d:\d\d/);
  });
});

describe('GET /api/v1/audit/verify', () => {
  let api: Awaited<ReturnType<typeof createTestApp>>;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-checkpoints-api-'));
    api = await createTestApp({ auditCheckpointDir: dir }, {
      signing: { trustAnchors: pki.trustAnchors, intermediates: [], crls: [], orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
    });
  });
  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the trail report to ADMIN, and names a cut tail', async () => {
    await append(api.database.db, 6);
    await createCheckpoint(checkpointDeps(api.database.db, { orgSigner: pki.identity('org-signer') }, dir, clock, noLog)!, 'MANUAL');
    const headers = bearer(await api.token('ADMIN', 'H55'));
    const intact = await api.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers });
    expect(intact.statusCode).toBe(200);
    expect(intact.json()).toMatchObject({ ok: true, rows: 6, checkpoints: { verified: 1, latest: { seq: '6' } } });
    await behindTriggers(api.database.db, 'DELETE FROM audit_log WHERE seq > 4');
    const cut = await api.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers });
    expect(cut.json()).toMatchObject({ ok: false, brokenAt: { seq: '5', reason: 'TAIL_DELETED' } });
  });
});

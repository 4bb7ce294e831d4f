import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { insertBatch, recordBatchFailure } from '../../../src/store/batches.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';

let t: TestApp;
let operator: string;
const batchId = 'H55.19-2026-11-000042';

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.token('PROVINCE_OPERATOR', 'H55');
  await insertBatch(t.database.db, systemPrincipal('H55'), { batchId, senderCode: 'H55.19', period: '2026-11', payload: new Uint8Array([1, 2, 3]),
    payloadSha256: 'a'.repeat(64), signature: new Uint8Array([4]), deadlineAt: new Date(Date.now() + 60_000), records: [] });
  await recordBatchFailure(t.database.db, batchId, { code: 'IDEMPOTENCY_MISMATCH', message: 'Mã gói đã được gửi với nội dung khác.' });
});
afterAll(async () => t?.close());

describe('batches for operators', () => {
  it('lists failed batches with their last error', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/batches?state=FAILED', headers: bearer(operator) });
    expect(res.json().batches).toEqual([expect.objectContaining({ batchId, state: 'FAILED', lastErrorCode: 'IDEMPOTENCY_MISMATCH' })]);
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/batches/${batchId}`, headers: bearer(operator) });
    expect(one.json().batch).toMatchObject({ batchId, payloadBytes: 3 });
  });

  it('re-runs a failed batch once, audited, and refuses what is not failed or not there', async () => {
    const rerun = await t.app.inject({ method: 'POST', url: `/api/v1/batches/${batchId}/rerun`, headers: bearer(operator) });
    expect(rerun.statusCode).toBe(202);
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/batches/${batchId}/rerun`, headers: bearer(operator) });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('BATCH_NOT_FAILED');
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/batches/H55.19-none', headers: bearer(operator) });
    expect(missing.json().code).toBe('BATCH_NOT_FOUND');
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/batches/bad%20id', headers: bearer(operator) });
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const officer = await t.token('UNIT_OFFICER', 'H55.05');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/batches/${batchId}/rerun`, headers: bearer(officer) })).statusCode).toBe(403);
    const audit = await t.database.db.prisma.auditLog.findMany({ where: { entityId: batchId }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['BATCH_BUILD', 'BATCH_FAILED', 'BATCH_RERUN']);
  });
});

describe('personal ids for ADMIN', () => {
  it('are masked in batch records and audit rows', async () => {
    const admin = await t.token('ADMIN', 'H55');
    await t.database.db.pool.query(`INSERT INTO batch_record (batch_id, change_id, personal_id, version) VALUES ($1, gen_random_uuid(), '001085012345', 1)`, [batchId]);
    const asAdmin = await t.app.inject({ method: 'GET', url: `/api/v1/batches/${batchId}`, headers: bearer(admin) });
    expect(asAdmin.json().records[0].personalId).toBe('001*******45');
    const asOperator = await t.app.inject({ method: 'GET', url: `/api/v1/batches/${batchId}`, headers: bearer(operator) });
    expect(asOperator.json().records[0].personalId).toBe('001085012345');
    const { appendAuditNow } = await import('../../../src/store/audit-log.ts');
    await appendAuditNow(t.database.db, { actor: 'x', action: 'READ', entityType: 'person', entityId: '001085012345', details: { personalId: '001085012345' } });
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?entityType=person', headers: bearer(admin) });
    expect(JSON.stringify(audit.json())).not.toContain('001085012345');
  });
});

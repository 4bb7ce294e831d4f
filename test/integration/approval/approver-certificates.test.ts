// Issue 15: an approver signs only with a certificate Sở Nội vụ registered for them — a colleague's token
// (a certificate that chains to the same trust anchor) is refused with CERT_NOT_APPROVERS and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { signPreparedDigest } from '../../../src/pki/external-signing.ts';
import { parseCertificates, certificateDer } from '../../../src/pki/certificates.ts';
import type { DemoEntity } from '../../../src/pki/demo-pki.ts';
import { approvalMoment } from '../../support/approved-changes.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let pki: TestPki;
const clock = approvalMoment(new Date());
let headA: string; // giam-doc-a, the head of H55.06; his token holds head-ec
let operator: string;
let officer: string;
let checker: string;

const A = 'giam-doc-a';
const B = 'giam-doc-b';

beforeAll(async () => {
  pki = await getTestPki();
  t = await createTestApp({ approverCertificatesRequired: true }, {
    clock: { now: () => clock },
    signing: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls,
      orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
  });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 300, seed: 15 });
  headA = await t.token('AGENCY_HEAD', 'H55.06', { subject: A });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv-to-chuc' });
  officer = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'can-bo-to-chuc' });
  checker = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'can-bo-kiem-tra' });
});
afterAll(async () => t?.close());

const pem = (who: DemoEntity) => readFileSync(pki.identity(who).certificatePath, 'utf8');
const fingerprint = (who: DemoEntity) => createHash('sha256').update(certificateDer(parseCertificates(pem(who))[0]!)).digest('hex');
const send = (method: 'POST' | 'GET' | 'DELETE', url: string, token: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
const register = (token: string, subject: string, who: DemoEntity) => send('POST', `/api/v1/approvers/${subject}/certificates`, token, { certificatePem: pem(who) });
const start = (who: DemoEntity) => send('POST', '/api/v1/approvals/sessions', headA, { level: 'CO_QUAN', agencyCode: 'H55.06', certificatePem: pem(who) });
const sessions = () => t.database.db.prisma.signingSession.count();
const audit = (action: string) => t.database.db.prisma.auditLog.findMany({ where: { action }, orderBy: { seq: 'asc' } });

async function complete(sessionId: string, signedAttributesBase64: string, who: DemoEntity) {
  const value = await signPreparedDigest(pki.key(who), Buffer.from(signedAttributesBase64, 'base64'));
  return send('POST', `/api/v1/approvals/sessions/${sessionId}/complete`, headA, { signatureValueBase64: Buffer.from(value).toString('base64') });
}

/** One verified change of H55.06, so there is something to approve. */
async function verifiedChange(): Promise<void> {
  const p = await t.database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.06' }, changes: { none: {} } } });
  const created = await send('POST', `/api/v1/persons/${p.personalId}/changes`, officer, { profile: { ...(p.profile as object), SoDienThoai: '0912345678' } });
  expect(created.statusCode).toBe(201);
  expect((await send('POST', `/api/v1/changes/${created.json().id}/verify`, checker, {})).json().state).toBe('VERIFIED');
}

describe('the registry of approver certificates', () => {
  it('refuses an agency head registering a certificate for himself (separation of duties), storing and auditing nothing', async () => {
    const res = await register(headA, A, 'head-ec');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('SEPARATION_OF_DUTIES');
    expect(await t.database.db.prisma.approverCertificate.count()).toBe(0);
    expect(await audit('APPROVER_CERT_REGISTER')).toHaveLength(0);
  });

  it('refuses a head registering for someone else too: only Sở Nội vụ manages them', async () => {
    const res = await register(headA, B, 'head-rsa');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
    expect(await t.database.db.prisma.approverCertificate.count()).toBe(0);
  });

  it('lets a Sở Nội vụ operator register, audited with the clock’s time; a second registration of the same is a conflict', async () => {
    const a = await register(operator, A, 'head-ec');
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ subject: A, fingerprint: fingerprint('head-ec'), registeredBy: 'snv-to-chuc', revokedAt: null, registeredAt: clock.toISOString() });
    expect((await register(operator, B, 'head-rsa')).statusCode).toBe(201);
    const again = await register(operator, A, 'head-ec');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CERT_ALREADY_REGISTERED');
    const rows = await audit('APPROVER_CERT_REGISTER');
    expect(rows.map((r) => [r.actor, r.at.toISOString()])).toEqual([['snv-to-chuc', clock.toISOString()], ['snv-to-chuc', clock.toISOString()]]);
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ subject: A, fingerprint: fingerprint('head-ec') });
  });

  it('shows a head his own certificates but not a colleague’s', async () => {
    const own = await send('GET', `/api/v1/approvers/${A}/certificates`, headA);
    expect(own.statusCode).toBe(200);
    expect(own.json().certificates.map((c: { fingerprint: string }) => c.fingerprint)).toEqual([fingerprint('head-ec')]);
    expect((await send('GET', `/api/v1/approvers/${B}/certificates`, headA)).json().code).toBe('FORBIDDEN');
  });
});

describe('signing only with one’s own registered certificate', () => {
  it('refuses head A presenting head B’s certificate: 403 CERT_NOT_APPROVERS, no signing session stored', async () => {
    await verifiedChange();
    const before = await sessions();
    const res = await start('head-rsa');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CERT_NOT_APPROVERS');
    expect(res.json().message).toContain('Sở Nội vụ');
    expect(await sessions()).toBe(before);
  });

  it('refuses a certificate registered for nobody (the deputy’s, chaining to the same CA)', async () => {
    const before = await sessions();
    expect((await start('deputy')).json().code).toBe('CERT_NOT_APPROVERS');
    expect(await sessions()).toBe(before);
  });

  it('signs with head A’s registered certificate', async () => {
    const s = await start('head-ec');
    expect(s.statusCode).toBe(201);
    const done = await complete(s.json().sessionId, s.json().signedAttributesBase64, 'head-ec');
    expect(done.statusCode).toBe(201);
    expect(done.json().count).toBe(1);
  });

  it('refuses to complete a session whose certificate was revoked while it waited, recording no approval', async () => {
    await verifiedChange();
    const s = await start('head-ec');
    expect(s.statusCode).toBe(201);
    const revoked = await send('DELETE', `/api/v1/approvers/${A}/certificates/${fingerprint('head-ec')}`, operator, { reason: 'Mất thiết bị ký' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ revokedBy: 'snv-to-chuc', reason: 'Mất thiết bị ký', revokedAt: clock.toISOString() });
    const approvals = await t.database.db.prisma.approval.count();
    const done = await complete(s.json().sessionId, s.json().signedAttributesBase64, 'head-ec');
    expect(done.statusCode).toBe(403);
    expect(done.json().code).toBe('CERT_NOT_APPROVERS');
    expect(await t.database.db.prisma.approval.count()).toBe(approvals);
    const [row] = await audit('APPROVER_CERT_REVOKE');
    expect(JSON.parse(row!.details!)).toMatchObject({ subject: A, fingerprint: fingerprint('head-ec'), reason: 'Mất thiết bị ký' });
  });

  it('refuses a revoked certificate at session start', async () => {
    const before = await sessions();
    expect((await start('head-ec')).json().code).toBe('CERT_NOT_APPROVERS');
    expect(await sessions()).toBe(before);
  });

  it('refuses a head revoking his own certificate, and an unknown fingerprint is not found', async () => {
    const own = await send('DELETE', `/api/v1/approvers/${A}/certificates/${fingerprint('head-ec')}`, headA, { reason: 'thử' });
    expect(own.json().code).toBe('SEPARATION_OF_DUTIES');
    const unknown = await send('DELETE', `/api/v1/approvers/${B}/certificates/${'0'.repeat(64)}`, operator, { reason: 'thử' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('APPROVER_CERT_NOT_FOUND');
    expect(await audit('APPROVER_CERT_REVOKE')).toHaveLength(1);
  });
});

// The signed approval workflow against real PostgreSQL and the project's test PKI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { approvalWindow, periodOf } from '../../../src/domain/working-days.ts';
import { signPreparedDigest } from '../../../src/pki/external-signing.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import { parseCertificates } from '../../../src/pki/certificates.ts';
import { readFileSync } from 'node:fs';
import type { DemoEntity } from '../../../certs.example/make-pki.ts';
import { approvalMoment } from '../../support/approved-changes.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let pki: TestPki;
let clock = new Date();
const realNow = new Date();
// Inside an approval window, never before the real time (certificates and CRLs are dated from today).
const inWindow = approvalMoment(realNow);
const period = periodOf(inWindow);
// Outside any window: now, or (when today is itself inside the window) the 10th of next month.
const beforeWindow = realNow < approvalWindow(periodOf(realNow)).opensAt
  ? new Date(realNow.getTime() + 60_000)
  : new Date(approvalWindow(periodOf(realNow)).closesAt.getTime() + 9 * 86_400_000);

let head: string;
let officer: string;
let checker: string; // verifies what `officer` entered (separation of duties)
let operator: string;

beforeAll(async () => {
  pki = await getTestPki();
  t = await createTestApp({}, {
    clock: { now: () => clock },
    signing: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls,
      orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
  });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 600, seed: 11 });
  head = await t.token('AGENCY_HEAD', 'H55.06', { subject: 'giam-doc-so-y-te' });
  officer = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'can-bo-to-chuc' });
  checker = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'can-bo-kiem-tra' });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv-operator' });
});
afterAll(async () => t?.close());

const post = (url: string, token: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

/** Submits and verifies a phone-number change for `n` seeded persons of H55.06. */
async function verifiedChanges(n: number): Promise<string[]> {
  const persons = await t.database.db.prisma.person.findMany({ where: { employingAgencyCode: { startsWith: 'H55.06' }, changes: { none: {} } }, take: n });
  const ids: string[] = [];
  for (const p of persons) {
    const created = await post(`/api/v1/persons/${p.personalId}/changes`, officer, { profile: { ...(p.profile as object), SoDienThoai: `09${String(ids.length).padStart(8, '0')}` } });
    expect(created.statusCode).toBe(201);
    const verified = await post(`/api/v1/changes/${created.json().id}/verify`, checker, {});
    expect(verified.json().state).toBe('VERIFIED');
    ids.push(created.json().id);
  }
  return ids;
}

async function states(ids: string[]) {
  const rows = await t.database.db.prisma.profileChange.findMany({ where: { id: { in: ids } }, select: { state: true } });
  return [...new Set(rows.map((r) => r.state))];
}

async function startSession(token: string, signer: DemoEntity, body: Record<string, unknown> = {}) {
  return post('/api/v1/approvals/sessions', token, { level: 'CO_QUAN', agencyCode: 'H55.06', certificatePem: readFileSync(pki.identity(signer).certificatePath, 'utf8'), ...body });
}

async function tokenSigns(session: { signedAttributesBase64: string }, signer: DemoEntity): Promise<string> {
  const value = await signPreparedDigest(pki.key(signer), Buffer.from(session.signedAttributesBase64, 'base64'));
  return Buffer.from(value).toString('base64');
}

describe('agency head approval, two-step with a USB token', () => {
  it('is refused outside the last 5 days of the month, and nothing changes', async () => {
    const ids = await verifiedChanges(2);
    clock = beforeWindow;
    const res = await startSession(head, 'head-ec');
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('OUTSIDE_APPROVAL_WINDOW');
    expect(await states(ids)).toEqual(['VERIFIED']);
  });

  it('signs the manifest of the month’s verified changes and moves them to AGENCY_APPROVED', async () => {
    clock = inWindow;
    const session = await startSession(head, 'head-ec');
    expect(session.statusCode).toBe(201);
    const s = session.json();
    expect(s.count).toBe(2);
    expect(Buffer.from(s.manifestBase64, 'base64').toString()).toContain('<Cap>CO_QUAN</Cap><MaDonVi>H55.06</MaDonVi>');
    const done = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: await tokenSigns(s, 'head-ec') });
    expect(done.statusCode).toBe(201);
    const changes = await t.database.db.prisma.profileChange.findMany({ where: { state: 'AGENCY_APPROVED' } });
    expect(changes).toHaveLength(2);
    expect(changes.every((c) => c.period === period)).toBe(true);

    // The stored approval re-verifies offline from what GET returns.
    const approval = (await t.app.inject({ method: 'GET', url: `/api/v1/approvals/${done.json().approvalId}`, headers: bearer(operator) })).json();
    const verified = await verifyDetached(Buffer.from(approval.manifestBase64, 'base64'), Buffer.from(approval.cmsBase64, 'base64'),
      { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true, now: clock });
    expect(verified.serialNumber).toBe(approval.signerSerial);
    expect(parseCertificates(approval.signerCertificatePem)).toHaveLength(1);
    expect(approval.items).toHaveLength(2);

    // A completed session cannot be replayed.
    const replay = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: await tokenSigns(s, 'head-ec') });
    expect(replay.json().code).toBe('SIGNING_SESSION_NOT_FOUND');
  });

  it.each([
    ['a signature by another key than the announced certificate', 'head-ec', 'deputy', 'BAD_SIGNATURE'],
    ['a revoked certificate', 'revoked-signer', 'revoked-signer', 'CERT_REVOKED'],
  ] as const)('refuses %s and changes nothing', async (_name, announced, signer, code) => {
    clock = inWindow;
    const ids = await verifiedChanges(1);
    const s = (await startSession(head, announced)).json();
    const res = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: await tokenSigns(s, signer) });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe(code);
    expect(await states(ids)).toEqual(['VERIFIED']);
  });

  it.each([
    ['an expired certificate', 'expired-signer', 'CERT_EXPIRED'],
    ['a certificate without a signing key usage', 'keyenc-signer', 'WRONG_KEY_USAGE'],
  ] as const)('refuses to start with %s', async (_name, announced, code) => {
    clock = inWindow;
    const res = await startSession(head, announced);
    expect(res.json().code).toBe(code);
  });

  it('refuses garbage and truncated signature values', async () => {
    clock = inWindow;
    const ids = await verifiedChanges(1);
    const s = (await startSession(head, 'head-rsa')).json();
    const good = Buffer.from(await tokenSigns(s, 'head-rsa'), 'base64');
    for (const bad of [Buffer.from('garbage garbage garbage'), good.subarray(0, good.length - 10)]) {
      const res = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: bad.toString('base64') });
      expect(res.json().code).toBe('BAD_SIGNATURE');
    }
    expect(await states(ids)).toEqual(['VERIFIED']);
  });

  it('refuses a manifest that went stale: a change returned after the session began', async () => {
    clock = inWindow;
    const ids = await verifiedChanges(1);
    const s = (await startSession(head, 'head-rsa')).json();
    await post(`/api/v1/changes/${ids[0]}/return`, head, { reason: 'Sai số điện thoại' });
    const res = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: await tokenSigns(s, 'head-rsa') });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('MANIFEST_STALE');
    expect(await t.database.db.prisma.profileChange.count({ where: { state: 'VERIFIED' } })).toBeGreaterThan(0);
  });

  it('lets a deputy approve only with a recorded delegation', async () => {
    clock = inWindow;
    await verifiedChanges(1);
    const deputy = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'pho-giam-doc' });
    expect((await startSession(deputy, 'deputy')).json().code).toBe('NOT_DELEGATED');
    const delegated = await post('/api/v1/approvals/delegations', head, { agencyCode: 'H55.06', delegateSubject: 'pho-giam-doc',
      validFrom: new Date(clock.getTime() - 3600_000).toISOString(), validTo: new Date(clock.getTime() + 86_400_000).toISOString(), decisionNo: '05/QĐ-SYT' });
    expect(delegated.statusCode).toBe(201);
    const s = (await startSession(deputy, 'deputy')).json();
    const done = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, deputy, { signatureValueBase64: await tokenSigns(s, 'deputy') });
    expect(done.statusCode).toBe(201);
    const approval = await t.database.db.prisma.approval.findUniqueOrThrow({ where: { id: done.json().approvalId } });
    expect(approval.delegationId).toBe(delegated.json().id);
  });

  it('refuses the verifier, delegated as deputy, the agency approval of what they verified, and changes nothing', async () => {
    clock = inWindow;
    const ids = await verifiedChanges(1);
    const delegated = await post('/api/v1/approvals/delegations', head, { agencyCode: 'H55.06', delegateSubject: 'can-bo-kiem-tra',
      validFrom: new Date(clock.getTime() - 3600_000).toISOString(), validTo: new Date(clock.getTime() + 86_400_000).toISOString(), decisionNo: '06/QĐ-SYT' });
    expect(delegated.statusCode).toBe(201);
    const sessions = await t.database.db.prisma.signingSession.count();
    const res = await startSession(checker, 'deputy');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { rule: 'VERIFIER_MAY_NOT_APPROVE_AGENCY' } });
    expect(res.json().details.changeIds).toEqual(expect.arrayContaining(ids));
    expect(await t.database.db.prisma.signingSession.count()).toBe(sessions);
    expect(await states(ids)).toEqual(['VERIFIED']);
  });

  it('lets an operator’s audited override open the window for one agency and month', async () => {
    const ids = await verifiedChanges(1);
    clock = beforeWindow;
    const overridePeriod = periodOf(clock);
    const granted = await post('/api/v1/approvals/window-overrides', operator, { agencyCode: 'H55.06', period: overridePeriod,
      reason: 'Thủ trưởng đi công tác cuối tháng', validUntil: new Date(clock.getTime() + 86_400_000).toISOString() });
    expect(granted.statusCode).toBe(201);
    const s = (await startSession(head, 'head-ec', { period: overridePeriod })).json();
    const done = await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: await tokenSigns(s, 'head-ec') });
    expect(done.statusCode).toBe(201);
    expect(await states(ids)).toEqual(['AGENCY_APPROVED']);
    const audit = await t.database.db.prisma.auditLog.findMany({ where: { action: { in: ['WINDOW_OVERRIDE', 'APPROVE_CO_QUAN'] } }, orderBy: { seq: 'desc' }, take: 2 });
    expect(audit.map((a) => a.action).sort()).toEqual(['APPROVE_CO_QUAN', 'WINDOW_OVERRIDE']);
    expect(JSON.parse(audit.find((a) => a.action === 'APPROVE_CO_QUAN')!.details!)).toMatchObject({ windowOverride: true });
  });
});

describe('Sở Nội vụ approval with the organisation key', () => {
  it('approves what agency heads signed, bumps each person’s version, and refuses a second time', async () => {
    clock = inWindow;
    // One record was at another agency before (its change moves it into H55.06): that person, who has no
    // account, gets a STAFF grant reserved for their personal id; the others, approved where they were, none.
    const arriving = await t.database.db.prisma.profileChange.findFirstOrThrow({ where: { state: 'AGENCY_APPROVED' }, orderBy: { personalId: 'asc' } });
    await t.database.db.prisma.person.update({ where: { personalId: arriving.personalId }, data: { employingAgencyCode: 'H55.07' } });
    const res = await post('/api/v1/approvals/province', operator, { period });
    expect(res.statusCode).toBe(201);
    const approved = await t.database.db.prisma.profileChange.findMany({ where: { state: 'PROVINCE_APPROVED' }, include: { person: true } });
    expect(approved.length).toBe(res.json().count);
    expect((await t.database.db.prisma.accessGrant.findMany({ where: { subject: { startsWith: 'personal-id:' } } })).map((g) => [g.subject, g.role, g.agencyCode, g.state]))
      .toEqual([[`personal-id:${arriving.personalId}`, 'STAFF', arriving.employingAgencyCode, 'ACTIVE']]);
    expect(approved.every((c) => c.targetVersion === 2 && c.person.version === 2 && c.person.profile !== null)).toBe(true);
    // The approval's audit rows are fixed by a checkpoint signed with the organisation key right after it.
    const auditHead = await t.database.db.prisma.auditLog.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(await t.database.db.prisma.auditCheckpoint.findFirst({ where: { reason: 'APPROVAL' }, orderBy: { id: 'desc' }, select: { seq: true } }))
      .toEqual({ seq: auditHead.seq });
    expect((await post('/api/v1/approvals/province', operator, { period })).json().code).toBe('NOTHING_TO_APPROVE');
    const unit = await post('/api/v1/approvals/province', head, { period });
    expect(unit.statusCode).toBe(403);
  });

  it('does not carry an agency approval over to content edited after it', async () => {
    clock = inWindow;
    const [id] = await verifiedChanges(1);
    const s = (await startSession(head, 'head-ec')).json();
    expect((await post(`/api/v1/approvals/sessions/${s.sessionId}/complete`, head, { signatureValueBase64: await tokenSigns(s, 'head-ec') })).statusCode).toBe(201);
    // Returned by the province, edited, resubmitted and verified again: the old signature covers old content.
    await post(`/api/v1/changes/${id}/return`, operator, { reason: 'Kiểm tra lại' });
    const change = await t.database.db.prisma.profileChange.findUniqueOrThrow({ where: { id } });
    await t.app.inject({ method: 'PUT', url: `/api/v1/changes/${id}`, headers: bearer(officer), payload: { profile: { ...(change.profile as object), SoDienThoai: '0911111111' } } });
    await post(`/api/v1/changes/${id}/submit`, officer, {});
    await post(`/api/v1/changes/${id}/verify`, officer, {});
    // Force it past the agency step without a new signature, as a bug or a direct database edit might.
    await t.database.db.pool.query(`UPDATE profile_change SET state = 'AGENCY_APPROVED', period = $2 WHERE id = $1`, [id, period]);
    expect((await post('/api/v1/approvals/province', operator, { period })).json().code).toBe('NOTHING_TO_APPROVE');
    expect(await states([id!])).toEqual(['AGENCY_APPROVED']);
  });
});

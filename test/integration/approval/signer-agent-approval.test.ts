// The month's approvals with real devices, against PostgreSQL: the agency head signs through the signer
// agent with a key on a USB token (SoftHSM2), Sở Nội vụ approves and the month's batches are signed by
// the organisation key held in an HSM (another SoftHSM2 token). Every CMS verifies in the gateway and in
// `openssl cms -verify`; a refused signature stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { createTestToken, removeTestToken, signerProfile, SOFTHSM_MODULE, TOKEN_PIN } from '../../support/softhsm.ts';
import { opensslVerifyDetached } from '../../support/openssl.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { fixedClock } from '../../../src/clock.ts';
import { approvalWindow, periodOf } from '../../../src/domain/working-days.ts';
import { serialNumberHex } from '../../../src/pki/certificates.ts';
import { isDeviceKey } from '../../../src/pki/keys.ts';
import { openPkcs11Token, type PersistentDeviceKey, type Pkcs11Token } from '../../../src/pki/pkcs11.ts';
import { loadSigningIdentity, type SigningIdentity } from '../../../src/pki/signing-identity.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import type { SigningSetup } from '../../../src/approval/signing-setup.ts';
import { buildSignerAgent, type SignerPrompter } from '../../../src/signer-agent/agent.ts';
import { SEED_TODAY } from '../../support/database.ts';
import { approvalMoment } from '../../support/approved-changes.ts';

const ORIGIN = 'http://127.0.0.1:3000';
const SECRET = '4821-0937-5561';
const realNow = new Date();
const inWindow = approvalMoment(realNow);
const period = periodOf(inWindow);

let t: TestApp;
let pki: TestPki;
let usb: Pkcs11Token;
let hsmSigner: SigningIdentity;
let signing: SigningSetup;
let head: string;
let officer: string;
let checker: string; // verifies what `officer` entered (separation of duties)
let operator: string;
let answer = true;

const prompter: SignerPrompter = { confirm: async () => answer, askPin: async () => TOKEN_PIN };
const post = (url: string, token: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

beforeAll(async () => {
  pki = await getTestPki();
  const revokedSerial = serialNumberHex(pki.certificate('revoked-signer'));
  await createTestToken(pki, 'usb-giam-doc', [
    { spec: 'EC-P256', label: 'giam-doc', id: '41', profile: signerProfile('Trần Thị Bình (USB token)', realNow) },
    // Issued by the same CA under the serial its CRL lists: a revoked certificate on the token.
    { spec: 'EC-P256', label: 'revoked', id: '42', profile: { ...signerProfile('Chứng thư đã thu hồi', realNow), serialNumber: revokedSerial } },
    // A colleague's certificate on the same token: it chains to the same CA but is not registered for this head.
    { spec: 'EC-P256', label: 'dong-nghiep', id: '43', profile: signerProfile('Lê Văn Cường (đồng nghiệp)', realNow) },
  ]);
  await createTestToken(pki, 'hsm-so-noi-vu', [{ spec: 'RSA-2048', label: 'org-signer', id: '01', profile: signerProfile('Sở Nội vụ tỉnh Demo (HSM)', realNow) }]);
  hsmSigner = await loadSigningIdentity({ pkcs11: { modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm-so-noi-vu', keyLabel: 'org-signer', pin: TOKEN_PIN } });
  usb = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'usb-giam-doc' });
  signing = { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls,
    orgSigner: { ...hsmSigner, chain: [pki.certificate('intermediate-ca')] }, sessionMinutes: 30 };
  t = await createTestApp({ approverCertificatesRequired: true }, { clock: fixedClock(inWindow), signing });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 300, seed: 15 });
  head = await t.token('AGENCY_HEAD', 'H55.06', { subject: 'giam-doc-so-y-te' });
  officer = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'can-bo-to-chuc' });
  // The creator of a change may not verify it (src/domain/duties.ts): a second officer verifies.
  checker = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'can-bo-tham-dinh' });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv-operator' });
  // Sở Nội vụ registers the head's certificates on the token (the revoked one too: the CA revoked it later).
  for (const label of ['giam-doc', 'revoked']) {
    const registered = await post('/api/v1/approvers/giam-doc-so-y-te/certificates', operator, { certificatePem: (await tokenCertificate(label)).certificatePem });
    expect(registered.statusCode).toBe(201);
  }
});
afterAll(async () => {
  usb?.close();
  if (hsmSigner && isDeviceKey(hsmSigner.key)) (hsmSigner.key as PersistentDeviceKey).close();
  await t?.close();
});

async function verifiedChanges(n: number): Promise<string[]> {
  const persons = await t.database.db.prisma.person.findMany({ where: { employingAgencyCode: { startsWith: 'H55.06' }, changes: { none: {} } }, take: n });
  const ids: string[] = [];
  for (const p of persons) {
    const created = await post(`/api/v1/persons/${p.personalId}/changes`, officer, { profile: { ...(p.profile as object), SoDienThoai: `08${String(ids.length).padStart(8, '0')}` } });
    expect(created.statusCode).toBe(201);
    expect((await post(`/api/v1/changes/${created.json().id}/verify`, checker, {})).json().state).toBe('VERIFIED');
    ids.push(created.json().id);
  }
  return ids;
}

const states = async (ids: string[]) => [...new Set((await t.database.db.prisma.profileChange.findMany({ where: { id: { in: ids } }, select: { state: true } })).map((r) => r.state))];

const agentHeaders = { host: '127.0.0.1:8730', origin: ORIGIN, 'x-pairing-secret': SECRET };
const newAgent = () => buildSignerAgent({ token: usb, consoleOrigin: ORIGIN, pairingSecret: SECRET, prompter, clock: fixedClock(inWindow) });

/** A certificate the agent lists on the token, as the console shows it. */
async function tokenCertificate(label: string): Promise<{ label: string; certificatePem: string }> {
  const listed = (await newAgent().inject({ method: 'GET', url: '/v1/certificates', headers: agentHeaders })).json().certificates as Array<{ label: string; certificatePem: string }>;
  return listed.find((c) => c.label === label)!;
}

/** The console's part: pick the certificate in the agent, start the session, have the agent sign, complete. */
async function consoleSigns(label: string) {
  const agent = newAgent();
  const headers = agentHeaders;
  const chosen = await tokenCertificate(label);
  const started = await post('/api/v1/approvals/sessions', head, { level: 'CO_QUAN', agencyCode: 'H55.06', certificatePem: chosen.certificatePem });
  expect(started.statusCode).toBe(201);
  const signed = await agent.inject({ method: 'POST', url: '/v1/sign', headers, payload: started.json() });
  if (signed.statusCode !== 200) return { agent: signed.json() as { code: string }, session: started.json() };
  const { signatureValueBase64, chainPem } = signed.json() as { signatureValueBase64: string; chainPem: string };
  const done = await post(`/api/v1/approvals/sessions/${started.json().sessionId}/complete`, head, { signatureValueBase64, ...(chainPem ? { chainPem } : {}) });
  return { done, session: started.json() };
}

describe('agency head with a USB token through the signer agent', () => {
  it('the signer declining stores nothing', async () => {
    const ids = await verifiedChanges(1);
    answer = false;
    try {
      expect((await consoleSigns('giam-doc')).agent?.code).toBe('SIGNING_DECLINED');
    } finally {
      answer = true;
    }
    expect(await states(ids)).toEqual(['VERIFIED']);
    expect(await t.database.db.prisma.approval.count()).toBe(0);
  });

  it('a certificate on the token that is not the approver’s: CERT_NOT_APPROVERS at session start, nothing stored', async () => {
    const ids = await t.database.db.prisma.profileChange.findMany({ where: { state: 'VERIFIED' }, select: { id: true } });
    const sessions = await t.database.db.prisma.signingSession.count();
    const started = await post('/api/v1/approvals/sessions', head, { level: 'CO_QUAN', agencyCode: 'H55.06', certificatePem: (await tokenCertificate('dong-nghiep')).certificatePem });
    expect(started.statusCode).toBe(403);
    expect(started.json().code).toBe('CERT_NOT_APPROVERS');
    expect(await t.database.db.prisma.signingSession.count()).toBe(sessions);
    expect(await states(ids.map((r) => r.id))).toEqual(['VERIFIED']);
  });

  it('a revoked token certificate: the gateway refuses the signature (CERT_REVOKED) and stores nothing', async () => {
    const ids = await t.database.db.prisma.profileChange.findMany({ where: { state: 'VERIFIED' }, select: { id: true } });
    const { done } = await consoleSigns('revoked');
    expect(done!.statusCode).toBe(422);
    expect(done!.json().code).toBe('CERT_REVOKED');
    expect(await states(ids.map((r) => r.id))).toEqual(['VERIFIED']);
    expect(await t.database.db.prisma.approval.count()).toBe(0);
  });

  it('signs the month’s approval on the token: verifies in the gateway and in openssl cms -verify', async () => {
    const ids = [...(await t.database.db.prisma.profileChange.findMany({ where: { state: 'VERIFIED' }, select: { id: true } })).map((r) => r.id), ...await verifiedChanges(2)];
    const { done } = await consoleSigns('giam-doc');
    expect(done!.statusCode).toBe(201);
    expect(await states(ids)).toEqual(['AGENCY_APPROVED']);
    const approval = (await t.app.inject({ method: 'GET', url: `/api/v1/approvals/${done!.json().approvalId}`, headers: bearer(operator) })).json();
    expect(approval.signerSubject).toContain('Trần Thị Bình (USB token)');
    const manifest = Buffer.from(approval.manifestBase64, 'base64');
    const cms = Buffer.from(approval.cmsBase64, 'base64');
    await verifyDetached(manifest, cms, { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true, now: inWindow });
    expect((await opensslVerifyDetached(pki, manifest, cms)).output).toContain('Verification successful');
  });
});

describe('Sở Nội vụ with the organisation key in the HSM', () => {
  it('approves the month and signs its batches on the HSM (nothing stored while the HSM is away): both verify in openssl cms -verify', async () => {
    const province = await post('/api/v1/approvals/province', operator, { period });
    expect(province.statusCode).toBe(201);
    const approval = await t.database.db.prisma.approval.findUniqueOrThrow({ where: { id: province.json().approvalId } });
    expect(approval.signerSubject).toContain('Sở Nội vụ tỉnh Demo (HSM)');
    expect((await opensslVerifyDetached(pki, approval.manifest, approval.cms)).output).toContain('Verification successful');

    // The HSM goes away during the month-end build: a clear code, no batch stored, nothing marked as batched.
    await createTestToken(pki, 'hsm-unplugged', [{ spec: 'RSA-2048', label: 'org-signer', id: '01', profile: signerProfile('Sở Nội vụ tỉnh Demo (HSM 2)', realNow) }]);
    const unplugged = await loadSigningIdentity({ pkcs11: { modulePath: SOFTHSM_MODULE, tokenLabel: 'hsm-unplugged', keyLabel: 'org-signer', pin: TOKEN_PIN } });
    const good = signing.orgSigner;
    signing.orgSigner = unplugged;
    try {
      removeTestToken('hsm-unplugged');
      const failed = await post('/api/v1/batches/build', operator, { period });
      expect(failed.statusCode).toBe(503);
      expect(failed.json().code).toBe('PKCS11_TOKEN_UNAVAILABLE');
      expect(await t.database.db.prisma.batch.count()).toBe(0);
      expect(await t.database.db.prisma.profileChange.count({ where: { state: 'PROVINCE_APPROVED', batchId: null } })).toBeGreaterThan(0);
    } finally {
      signing.orgSigner = good;
      (unplugged.key as PersistentDeviceKey).close();
    }

    // Later (the HSM back), the same build signs everything.
    const built = await post('/api/v1/batches/build', operator, { period });
    expect(built.statusCode).toBe(201);
    expect(built.json().batches.length).toBeGreaterThan(0);
    for (const { batchId } of built.json().batches as Array<{ batchId: string }>) {
      const batch = await t.database.db.prisma.batch.findUniqueOrThrow({ where: { batchId } });
      const verified = await verifyDetached(batch.payload, batch.signature, { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true, now: inWindow });
      expect(verified.algorithm).toMatchObject({ scheme: 'RSASSA-PSS', saltLength: 32 });
      expect((await opensslVerifyDetached(pki, batch.payload, batch.signature)).output).toContain('Verification successful');
    }
  });
});

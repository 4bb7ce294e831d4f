// GET /api/v1/persons/{personalId}/export: a change goes through the whole signed workflow (unit officer,
// agency head with a token, Sở Nội vụ with the organisation key), then the exported record verifies with
// `csdl-gateway verify` (runVerify) against the test PKI's root CA, and fails once tampered with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createRng, generateProfile } from '../../../src/seed/demo-profiles.ts';
import { approvalWindow, localDate, periodOf } from '../../../src/domain/working-days.ts';
import { signPreparedDigest } from '../../../src/pki/external-signing.ts';
import { runVerify } from '../../../src/pki/cli-commands.ts';
import { parseRecordDocument } from '../../../src/exchange/xml/record-document.ts';
import { fixedClock } from '../../../src/clock.ts';
import { approvalMoment } from '../../support/approved-changes.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let pki: TestPki;
let dir: string;
let officer: string;
let operator: string;
let personalId: string;
const phone = '0912345678';
const realNow = new Date();

// Inside an approval window, never before the real time (the PKI is dated from today).
const clock = approvalMoment(realNow);
const period = periodOf(clock);

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const post = async (url: string, token: string, payload: object) => {
  const res = await t.app.inject({ method: 'POST', url, headers: bearer(token), payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};

beforeAll(async () => {
  pki = await getTestPki();
  t = await createTestApp({}, {
    clock: { now: () => clock },
    signing: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls,
      orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
  });
  dir = await mkdtemp(join(tmpdir(), 'csdl-export-'));
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 200, seed: 21 });
  officer = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'to-chuc-yte' });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv' });
  const head = await t.token('AGENCY_HEAD', 'H55.06', { subject: 'giam-doc-syt' });

  // The unit enters and verifies a change; the agency head signs with a token; Sở Nội vụ approves.
  const person = await t.database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.06.' }, status: 'DANG_CONG_TAC' } });
  personalId = person.personalId;
  const change = await post(`/api/v1/persons/${personalId}/changes`, officer, { profile: { ...(person.profile as object), SoDienThoai: phone } });
  await post(`/api/v1/changes/${change.id}/verify`, await t.token('UNIT_OFFICER', 'H55.06', { subject: 'kiem-tra-yte' }), {});
  const session = await post('/api/v1/approvals/sessions', head, {
    level: 'CO_QUAN', agencyCode: 'H55.06', certificatePem: await readFile(pki.identity('head-ec').certificatePath, 'utf8') });
  const value = await signPreparedDigest(pki.key('head-ec'), Buffer.from(session.signedAttributesBase64, 'base64'));
  await post(`/api/v1/approvals/sessions/${session.sessionId}/complete`, head, { signatureValueBase64: Buffer.from(value).toString('base64') });
  await post('/api/v1/approvals/province', operator, { period });
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Writes the export to files and runs `csdl-gateway verify` on them. */
async function verify(document: Buffer, signature: Buffer) {
  await writeFile(join(dir, 'record.xml'), document);
  await writeFile(join(dir, 'record.p7s'), signature);
  // verified at the gateway's (test) clock: the export was signed at it
  return runVerify({ in: join(dir, 'record.xml'), sig: join(dir, 'record.p7s'), ca: [pki.path('root-ca.pem')], clock: fixedClock(clock) });
}

describe('GET /api/v1/persons/{personalId}/export', () => {
  it('answers the approved record with its approval chain, signed by Sở Nội vụ, that `verify` accepts', async () => {
    const res = await get(`/api/v1/persons/${personalId}/export`, officer);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['documentBase64', 'sha256', 'signatureBase64']);
    const document = Buffer.from(body.documentBase64, 'base64');
    expect(body.sha256).toBe(createHash('sha256').update(document).digest('hex'));
    expect(document.toString('utf8')).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1">/);

    const hoSo = parseRecordDocument(document, { provinceCode: 'H55', today: localDate(clock), maxBytes: 1024 * 1024 });
    expect(hoSo.SoDinhDanh).toBe(personalId);
    expect(hoSo.SoYeuLyLich.SoDienThoai).toBe(phone);
    expect(hoSo.PheDuyet.map((p) => [p.Cap, p.MaDonVi])).toEqual([['CO_QUAN', 'H55.06'], ['SO_NOI_VU', 'H55.19']]);

    const ok = await verify(document, Buffer.from(body.signatureBase64, 'base64'));
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('algorithm:');

    const tampered = Buffer.from(document.toString('utf8').replace(phone, '0987654321'), 'utf8');
    const bad = await verify(tampered, Buffer.from(body.signatureBase64, 'base64'));
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.startsWith('DIGEST_MISMATCH:')).toBe(true);
  });

  it('is audited as a read of the record', async () => {
    const rows = await t.database.db.prisma.auditLog.findMany({ where: { action: 'READ', entityType: 'person', entityId: personalId } });
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.parse(rows.at(-1)!.details!)).toMatchObject({ export: true, version: 2 });
    expect(rows.at(-1)!.actor).toBe('to-chuc-yte');
  });

  it('hides records outside the caller’s subtree, and is not for staff', async () => {
    const other = await get(`/api/v1/persons/${personalId}/export`, await t.token('UNIT_OFFICER', 'H55.05'));
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('PERSON_NOT_FOUND');
    const staff = await get(`/api/v1/persons/${personalId}/export`, await t.token('STAFF', 'H55.06', { personalId }));
    expect(staff.json().code).toBe('FORBIDDEN');
    const malformed = await get('/api/v1/persons/12345/export', officer);
    expect(malformed.json().code).toBe('INVALID_PERSONAL_ID');
  });

  it('answers 409 NOT_YET_APPROVED for a new record still in review', async () => {
    const p = generateProfile(createRng(9), { agencyCode: 'H55.06.01', category: 'VIEN_CHUC', today: localDate(realNow), serial: 990_001 });
    await post('/api/v1/persons', officer, { personalId: p.personalId, category: p.category, managingAgencyCode: 'H55.06',
      employingAgencyCode: 'H55.06.01', profile: p.SoYeuLyLich });
    const res = await get(`/api/v1/persons/${p.personalId}/export`, officer);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NOT_YET_APPROVED', details: { reason: 'NEVER_APPROVED' } });
  });

  it('answers 409 NOT_YET_APPROVED for a record loaded without signed approvals', async () => {
    const seeded = await t.database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.06' }, changes: { none: {} } } });
    const res = await get(`/api/v1/persons/${seeded.personalId}/export`, officer);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NOT_YET_APPROVED', details: { reason: 'NO_APPROVAL_EVIDENCE', version: 1 } });
  });

  it('exports nothing when the stored content no longer matches what was signed', async () => {
    await t.database.db.pool.query(
      `UPDATE profile_change SET profile = jsonb_set(profile, '{SoDienThoai}', '"0900000000"') WHERE personal_id = $1 AND target_version = 2`, [personalId]);
    const res = await get(`/api/v1/persons/${personalId}/export`, officer);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NOT_YET_APPROVED', details: { reason: 'CONTENT_HASH_MISMATCH' } });
  });
});

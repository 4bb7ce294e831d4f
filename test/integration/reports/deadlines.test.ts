// GET /api/v1/reports/deadlines and `csdl-gateway report deadlines` against real PostgreSQL: changes are
// made through the store, then their timestamps are moved with SQL to known dates around 20/3/2026, with
// 16/3/2026 configured as an extra holiday (HOLIDAYS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { runReport } from '../../../src/commands/report.ts';
import { createChange, createPersonWithChange, type NewChange } from '../../../src/store/changes.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import type { ChangeKind, ChangeState } from '../../../src/generated/prisma/client.ts';
import { DEADLINE_CSV_HEADER } from '../../../src/reports/deadline-report.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let officer06: string;
let officer05: string;
let operator: string;
const asOf = '2026-03-20';
const actor: Principal = { subject: 'fixture', role: 'UNIT_OFFICER', agencyCode: 'H55' };
const ids: Record<string, string> = {};
const pids: Record<string, string> = {};

interface Fixture { kind: ChangeKind; state: ChangeState; source?: string; createdAt: string; submittedAt?: string; provinceApprovedAt?: string }

/** A change of a seeded person of `agencyRoot`, then its state and timestamps set by SQL. */
async function fixture(name: string, agencyRoot: string, f: Fixture): Promise<void> {
  const { db } = t.database;
  const person = await db.prisma.person.findFirstOrThrow({
    where: { employingAgencyCode: { startsWith: `${agencyRoot}.` }, changes: { none: {} }, personalId: { notIn: Object.values(pids) } },
  });
  const input: NewChange = {
    personalId: person.personalId, kind: f.kind, state: 'SUBMITTED', source: f.source ?? 'ENTRY', attachments: [],
    category: person.category, status: person.status, managingAgencyCode: person.managingAgencyCode,
    employingAgencyCode: person.employingAgencyCode, effectiveDate: null, profile: person.profile as object, contentSha256: '0'.repeat(64),
  };
  const change = f.kind === 'THEM_MOI'
    ? await createPersonWithChange(db, actor, { ...input, personalId: `0010990${String(Object.keys(ids).length).padStart(5, '0')}` }, 'Người Mới')
    : await createChange(db, actor, input);
  await db.pool.query(
    'UPDATE profile_change SET state = $2, created_at = $3, submitted_at = $4, province_approved_at = $5 WHERE id = $1',
    [change.id, f.state, f.createdAt, f.submittedAt ?? null, f.provinceApprovedAt ?? null]);
  ids[name] = change.id;
  pids[name] = change.personalId;
}

beforeAll(async () => {
  t = await createTestApp({ holidays: ['2026-03-16'] });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 400, seed: 5 });
  officer06 = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'to-chuc-yte' });
  officer05 = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'to-chuc-gd' });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv' });
  const mon9 = '2026-03-09T03:00:00Z';
  const mon2 = '2026-03-02T03:00:00Z';
  // Submitted Monday 9/3: verification due 17/3 (16/3 is a holiday): 3 working days late on 20/3.
  await fixture('A', 'H55.06', { kind: 'CAP_NHAT', state: 'SUBMITTED', createdAt: mon9, submittedAt: mon9 });
  // 00:30 on Thursday 12/3 in Vietnam (Wednesday in UTC): due Friday 20/3, not late.
  await fixture('B', 'H55.06', { kind: 'CAP_NHAT', state: 'SUBMITTED', createdAt: '2026-03-11T17:30:00Z', submittedAt: '2026-03-11T17:30:00Z' });
  // A new record entered Friday 20/2 (Tết week), still unapproved: due 27/2, 14 working days late.
  await fixture('C', 'H55.06', { kind: 'THEM_MOI', state: 'VERIFIED', createdAt: '2026-02-20T03:00:00Z', submittedAt: '2026-02-20T03:00:00Z' });
  // An inbound transfer submitted 2/3: verification due 9/3 (8 late), transfer due 17/3 (3 late).
  await fixture('D', 'H55.06', { kind: 'CAP_NHAT', state: 'SUBMITTED', source: 'INBOUND_TRANSFER', createdAt: mon2, submittedAt: mon2 });
  // Approved by the province 10/3, not synchronised: due 13/3, 4 working days late.
  await fixture('E', 'H55.06', { kind: 'CHUYEN_TRANG_THAI', state: 'PROVINCE_APPROVED', createdAt: '2026-01-05T03:00:00Z', provinceApprovedAt: '2026-03-10T03:00:00Z' });
  // Another subtree: Sở Giáo dục, verification 8 days late.
  await fixture('F', 'H55.05', { kind: 'CAP_NHAT', state: 'SUBMITTED', createdAt: mon2, submittedAt: mon2 });
  // Done long ago: never reported.
  await fixture('G', 'H55.06', { kind: 'CAP_NHAT', state: 'SYNCED', createdAt: '2026-01-05T03:00:00Z', provinceApprovedAt: '2026-01-06T03:00:00Z' });
});
afterAll(async () => t?.close());

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const brief = (items: Array<{ changeId: string; rule: string; workingDaysLate: number }>) =>
  items.map((i) => [Object.keys(ids).find((k) => ids[k] === i.changeId), i.rule, i.workingDaysLate]);

describe('GET /api/v1/reports/deadlines', () => {
  it('reports the caller’s subtree per agency, by rule, with the overdue items worst first', async () => {
    const res = await get(`/api/v1/reports/deadlines?asOf=${asOf}`, officer06);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    // One item per change: D breaks VERIFY and TRANSFER and is listed once, under its worst breach.
    expect(report).toMatchObject({ asOf, agencyCode: 'H55.06', itemCount: 4, truncated: false });
    expect(report.days).toEqual({ VERIFY: 5, NEW_RECORD: 5, UPDATE: 15, STATUS_CHANGE: 15, TRANSFER: 10, SYNC: 3 });
    expect(report.totals).toEqual({ VERIFY: 2, NEW_RECORD: 1, UPDATE: 0, STATUS_CHANGE: 0, TRANSFER: 1, SYNC: 1, total: 4 });
    const items = brief(report.items);
    expect(items).toEqual([['C', 'NEW_RECORD', 14], ['D', 'VERIFY', 8], ['E', 'SYNC', 4], ['A', 'VERIFY', 3]]);
    const d = report.items.find((i: { changeId: string }) => i.changeId === ids.D);
    expect(d.breaches.map((b: { rule: string; workingDaysLate: number }) => [b.rule, b.workingDaysLate])).toEqual([['VERIFY', 8], ['TRANSFER', 3]]);
    const a = report.items.find((i: { changeId: string }) => i.changeId === ids.A);
    expect(a).toMatchObject({ personalId: pids.A, kind: 'CAP_NHAT', state: 'SUBMITTED', since: '2026-03-09', deadline: '2026-03-17' });
    const perAgency = report.agencies.reduce((n: number, x: { counts: { total: number } }) => n + x.counts.total, 0);
    expect(perAgency).toBe(4);
    expect(report.agencies.every((x: { agencyCode: string; agencyName: string }) => x.agencyCode.startsWith('H55.06.') && x.agencyName)).toBe(true);
  });

  it('counts from the date asked for', async () => {
    const report = (await get('/api/v1/reports/deadlines?asOf=2026-03-13', officer06)).json();
    expect(brief(report.items)).toEqual([['C', 'NEW_RECORD', 10], ['D', 'VERIFY', 4]]);
  });

  it('gives the operator the province, or the subtree asked for', async () => {
    const all = (await get(`/api/v1/reports/deadlines?asOf=${asOf}`, operator)).json();
    expect(all.totals.total).toBe(5);
    const gd = (await get(`/api/v1/reports/deadlines?asOf=${asOf}&agency=H55.05`, operator)).json();
    expect(brief(gd.items)).toEqual([['F', 'VERIFY', 8]]);
  });

  it('keeps an officer inside their subtree', async () => {
    const own = (await get(`/api/v1/reports/deadlines?asOf=${asOf}`, officer05)).json();
    expect(brief(own.items)).toEqual([['F', 'VERIFY', 8]]);
    const other = await get(`/api/v1/reports/deadlines?asOf=${asOf}&agency=H55.06`, officer05);
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('OUT_OF_SCOPE');
    const province = await get(`/api/v1/reports/deadlines?asOf=${asOf}&agency=H55`, officer05);
    expect(province.json().code).toBe('OUT_OF_SCOPE');
    const staff = await get('/api/v1/reports/deadlines', await t.token('STAFF', 'H55.06', { personalId: pids.A! }));
    expect(staff.statusCode).toBe(403);
    expect(staff.json().code).toBe('FORBIDDEN');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/reports/deadlines' })).statusCode).toBe(401);
  });

  it.each([
    ['a malformed agency code', 'agency=H55..06', 422, 'INVALID_AGENCY_CODE'],
    ['a lowercase agency code', 'agency=h55.06', 422, 'INVALID_AGENCY_CODE'],
    ['an unknown agency', 'agency=H55.06.99', 404, 'AGENCY_NOT_FOUND'],
    ['an impossible date', 'asOf=2026-02-30', 400, 'VALIDATION_FAILED'],
    ['a date in another format', 'asOf=20/03/2026', 400, 'VALIDATION_FAILED'],
    ['an unknown format', 'format=pdf', 400, 'VALIDATION_FAILED'],
    ['a limit of 0', 'limit=0', 400, 'VALIDATION_FAILED'],
    ['an unknown parameter', 'agencyCode=H55.06', 400, 'VALIDATION_FAILED'],
  ])('refuses %s', async (_name, query, status, code) => {
    const res = await get(`/api/v1/reports/deadlines?${query}`, operator);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('lists at most `limit` items and still counts them all', async () => {
    const report = (await get(`/api/v1/reports/deadlines?asOf=${asOf}&limit=2`, operator)).json();
    expect(report).toMatchObject({ itemCount: 5, truncated: true });
    expect(report.items).toHaveLength(2);
    expect(report.totals.total).toBe(5);
  });

  it('answers CSV: BOM, header, one row per change with Vietnamese labels and dd/mm/yyyy; the read is audited', async () => {
    const before = await t.database.db.prisma.auditLog.count({ where: { entityType: 'report', entityId: 'deadlines' } });
    const res = await get(`/api/v1/reports/deadlines?asOf=${asOf}&format=csv`, officer06);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(res.rawPayload.subarray(3).toString('utf8')) as string[][];
    expect(rows[0]).toEqual([...DEADLINE_CSV_HEADER]);
    expect(rows).toHaveLength(5);
    expect(rows.find((r) => r[3] === ids.E)).toEqual([expect.stringMatching(/^H55\.06\./), expect.any(String), 'Đồng bộ lên CSDL quốc gia (quá 4 ngày làm việc)', ids.E, pids.E,
      'Chuyển trạng thái', 'Sở Nội vụ đã duyệt, chờ đồng bộ', '10/03/2026', '13/03/2026', '4']);
    expect(rows.find((r) => r[3] === ids.D)![2]).toBe('Xác minh, đối chiếu hồ sơ (quá 8 ngày làm việc); Chuyển công tác (quá 3 ngày làm việc)');
    expect(await t.database.db.prisma.auditLog.count({ where: { entityType: 'report', entityId: 'deadlines' } })).toBe(before + 1);
  });

  it('answers XLSX: frozen header, widths, one row per change, the same rows as the CSV', async () => {
    const res = await get(`/api/v1/reports/deadlines?asOf=${asOf}&format=xlsx`, officer06);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(res.rawPayload).buffer);
    const ws = book.worksheets[0]!;
    const header = ws.views[0] as { state: string; ySplit: number };
    expect(header.state).toBe('frozen');
    expect((ws.getRow(header.ySplit).values as unknown[]).slice(1)).toEqual([...DEADLINE_CSV_HEADER]);
    expect(ws.getColumn(2).width).toBe(36);
    const body = [];
    for (let r = header.ySplit + 1; r <= ws.rowCount; r++) body.push((ws.getRow(r).values as unknown[]).slice(1));
    expect(body.map((r) => r[3]).sort()).toEqual([ids.A, ids.C, ids.D, ids.E].sort());
    expect(body.find((r) => r[3] === ids.E)!.slice(5)).toEqual(['Chuyển trạng thái', 'Sở Nội vụ đã duyệt, chờ đồng bộ', '10/03/2026', '13/03/2026', 4]);
  });

  it('answers the export route with CONFIG_INVALID when no organisation signer is configured', async () => {
    const res = await get(`/api/v1/persons/${pids.A}/export`, officer06);
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('CONFIG_INVALID');
  });
});

describe('csdl-gateway report deadlines', () => {
  const run = async (opts: Parameters<typeof runReport>[2]) => {
    let out = '';
    let err = '';
    const code = await runReport({ ...t.config }, 'deadlines', opts, (s) => { out += s; }, (s) => { err += s; });
    return { code, out, err };
  };

  it('prints the province’s report as JSON, or one subtree as CSV', async () => {
    const json = await run({ asOf, format: 'json' });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ agencyCode: 'H55', itemCount: 5, truncated: false });
    const csv = await run({ asOf, format: 'csv', agency: 'H55.05' });
    expect(csv.out.startsWith('\ufeff')).toBe(true);
    expect((parse(csv.out.slice(1)) as string[][]).map((r) => r[3])).toEqual([DEADLINE_CSV_HEADER[3], ids.F]);
  });

  it.each([
    [{ asOf: '2026-3-20', format: 'json' as const }, 'VALIDATION_FAILED'],
    [{ agency: 'Sở Y tế', format: 'json' as const }, 'INVALID_AGENCY_CODE'],
    [{ agency: 'H55.77', format: 'json' as const }, 'AGENCY_NOT_FOUND'],
  ])('exits 2 on %o', async (opts, code) => {
    const r = await run(opts);
    expect(r.code).toBe(2);
    expect(r.err.startsWith(`${code}:`)).toBe(true);
    expect(r.out).toBe('');
  });
});

// GET /api/v1/reports/headcount and `csdl-gateway report headcount` against a seeded demo province; the
// expected counts are recomputed from the person rows in JavaScript.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { fullYearsBetween } from '../../../src/domain/calendar-date.ts';
import { COLUMN_GROUPS } from '../../../src/reports/annual-headcount.ts';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { runReport } from '../../../src/commands/report.ts';
import { HEADCOUNT_CSV_HEADER } from '../../../src/reports/headcount-report.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let operator: string;
let head06: string;
let atWorkBefore: number;

type P = { personalId: string; category: string; status: string; employingAgencyCode: string; gradeCode: string | null; version: number;
  profile: { ChucVuHienTai?: string; Luong?: { TenNgach?: string; ViTriViecLam?: string } } };

/** What the report should say, counted from the rows. */
async function expected(root: string) {
  const persons = (await t.database.db.prisma.person.findMany()) as unknown as P[];
  const counted = persons.filter((p) => p.status === 'DANG_CONG_TAC' && p.version > 0
    && (p.employingAgencyCode === root || p.employingAgencyCode.startsWith(`${root}.`)));
  const tally = (key: (p: P) => string | null) => {
    const m = new Map<string | null, number>();
    for (const p of counted) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
    return m;
  };
  return {
    total: counted.length,
    grade: tally((p) => p.gradeCode),
    position: tally((p) => p.profile.ChucVuHienTai ?? null),
    jobPosition: tally((p) => p.profile.Luong?.ViTriViecLam ?? null),
    category: tally((p) => p.category),
    agency: tally((p) => p.employingAgencyCode),
  };
}

/** A dimension of the report as key → count. */
const asMap = (rows: Array<Record<string, unknown>>, key: string) => new Map(rows.map((r) => [r[key] as string | null, r.count as number]));

beforeAll(async () => {
  t = await createTestApp();
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 500, seed: 3 });
  // Left the service, or not yet approved: not in the headcount.
  atWorkBefore = await t.database.db.prisma.person.count({ where: { status: 'DANG_CONG_TAC' } });
  const [retired, pending] = await t.database.db.prisma.person.findMany({ where: { employingAgencyCode: { startsWith: 'H55.06.' }, status: 'DANG_CONG_TAC' }, take: 2 });
  await t.database.db.pool.query(`UPDATE person SET status = 'NGHI_HUU' WHERE personal_id = $1`, [retired!.personalId]);
  await t.database.db.pool.query('UPDATE person SET version = 0 WHERE personal_id = $1', [pending!.personalId]);
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv' });
  head06 = await t.token('AGENCY_HEAD', 'H55.06', { subject: 'gd-syt' });
});
afterAll(async () => t?.close());

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

describe('GET /api/v1/reports/headcount', () => {
  it('counts persons at work by ngạch, position, job position, category and agency', async () => {
    const res = await get('/api/v1/reports/headcount', operator);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    const want = await expected('H55');
    expect(report.agencyCode).toBe('H55');
    expect(report.total).toBe(want.total);
    expect(report.total).toBe(atWorkBefore - 2); // one retired, one back at version 0
    expect(asMap(report.byGrade, 'gradeCode')).toEqual(want.grade);
    expect(asMap(report.byPosition, 'position')).toEqual(want.position);
    expect(asMap(report.byJobPosition, 'jobPosition')).toEqual(want.jobPosition);
    expect(asMap(report.byCategory, 'category')).toEqual(want.category);
    expect(asMap(report.byAgency, 'agencyCode')).toEqual(want.agency);
    // Names come along: the ngạch's name from the profiles, the agency's from the agency table.
    const graded = report.byGrade.find((g: { gradeCode: string | null }) => g.gradeCode !== null);
    expect(graded.gradeName).toEqual(expect.any(String));
    expect(report.byAgency.every((a: { agencyName: string | null }) => typeof a.agencyName === 'string' && a.agencyName.length > 0)).toBe(true);
    expect(report.byGrade[0].count).toBeGreaterThanOrEqual(report.byGrade.at(-1).count);
  });

  it('gives an agency head their subtree, and nothing outside it', async () => {
    const own = (await get('/api/v1/reports/headcount', head06)).json();
    const want = await expected('H55.06');
    expect(own.agencyCode).toBe('H55.06');
    expect(own.total).toBe(want.total);
    expect(own.byAgency.every((a: { agencyCode: string }) => a.agencyCode === 'H55.06' || a.agencyCode.startsWith('H55.06.'))).toBe(true);
    const unit = (await get('/api/v1/reports/headcount?agency=H55.06.01', head06)).json();
    expect(unit.total).toBe((await expected('H55.06.01')).total);
    const province = await get('/api/v1/reports/headcount?agency=H55', head06);
    expect(province.statusCode).toBe(403);
    expect(province.json().code).toBe('OUT_OF_SCOPE');
    const sibling = await get('/api/v1/reports/headcount?agency=H55.05', head06);
    expect(sibling.json().code).toBe('OUT_OF_SCOPE');
  });

  it.each(['UNIT_OFFICER', 'STAFF'] as const)('is not for %s', async (role) => {
    const res = await get('/api/v1/reports/headcount', await t.token(role, 'H55.06', role === 'STAFF' ? { personalId: '001090000001' } : {}));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it.each([
    ['agency=S%E1%BB%9F%20Y%20t%E1%BA%BF', 422, 'INVALID_AGENCY_CODE'],
    ['agency=H55.06.', 422, 'INVALID_AGENCY_CODE'],
    ['format=pdf', 400, 'VALIDATION_FAILED'],
    ['asOf=2027-02-30', 400, 'VALIDATION_FAILED'],
    ['year=1999', 400, 'VALIDATION_FAILED'],
  ])('refuses %s', async (query, status, code) => {
    const res = await get(`/api/v1/reports/headcount?${query}`, operator);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('answers CSV for Excel: UTF-8 with BOM, a header row, the total first', async () => {
    const res = await get('/api/v1/reports/headcount?format=csv&agency=H55.06', operator);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="bien-che-H55\.06-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = res.rawPayload.subarray(3).toString('utf8');
    expect(text).toContain('\r\n');
    const rows = parse(text) as string[][];
    const want = await expected('H55.06');
    expect(rows[0]).toEqual([...HEADCOUNT_CSV_HEADER]);
    expect(rows[1]).toEqual(['Tổng số', '', '', String(want.total)]);
    expect(rows.every((r) => r.length === 4)).toBe(true);
    for (const dimension of ['Ngạch', 'Chức vụ', 'Vị trí việc làm', 'Phân loại', 'Đơn vị']) {
      const sum = rows.filter((r) => r[0] === dimension).reduce((n, r) => n + Number(r[3]), 0);
      expect([dimension, sum]).toEqual([dimension, want.total]);
    }
    expect(rows).toContainEqual(['Phân loại', 'VIEN_CHUC', 'Viên chức', String(want.category.get('VIEN_CHUC'))]);
  });
});

describe('csdl-gateway report headcount', () => {
  it('prints the province’s headcount as CSV or JSON', async () => {
    let out = '';
    expect(await runReport({ ...t.config }, 'headcount', { format: 'csv' }, (s) => { out += s; })).toBe(0);
    expect(out.startsWith(`\ufeffTiêu chí,Mã,Tên,Số lượng\r\nTổng số,,,${(await expected('H55')).total}\r\n`)).toBe(true);
    out = '';
    expect(await runReport({ ...t.config }, 'headcount', { format: 'json', agency: 'H55.06' }, (s) => { out += s; })).toBe(0);
    expect(JSON.parse(out).total).toBe((await expected('H55.06')).total);
  });
});

describe('the annual headcount workbook (XLSX)', () => {
  type Cells = unknown[];
  const rowsOf = (ws: ExcelJS.Worksheet, from: number) => {
    const out: Cells[] = [];
    for (let r = from; r <= ws.rowCount; r++) out.push((ws.getRow(r).values as Cells).slice(1));
    return out;
  };

  it('has a title, the province, the year and the as-of date; three sheets whose totals add up and match the database', async () => {
    const res = await get('/api/v1/reports/headcount?format=xlsx&year=2026&asOf=2026-12-31', operator);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="bien-che-H55-2026.xlsx"');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(res.rawPayload).buffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Theo đơn vị', 'Theo ngạch, chức danh', 'Theo vị trí việc làm']);
    const want = await expected('H55');
    const persons = (await t.database.db.prisma.person.findMany()) as unknown as Array<P & { profile: { GioiTinh: string; NgaySinh: string; DanToc?: string } }>;
    const counted = persons.filter((p) => p.status === 'DANG_CONG_TAC' && p.version > 0);
    const women = counted.filter((p) => p.profile.GioiTinh === 'NU').length;
    const over60 = counted.filter((p) => fullYearsBetween(p.profile.NgaySinh, '2026-12-31') > 60).length;
    const upTo30 = counted.filter((p) => fullYearsBetween(p.profile.NgaySinh, '2026-12-31') <= 30).length;
    const minority = counted.filter((p) => p.profile.DanToc && p.profile.DanToc !== 'Kinh').length;
    for (const ws of book.worksheets) {
      const title = (ws.getRow(1).values as Cells)[1];
      expect(title).toBe('BÁO CÁO SỐ LƯỢNG, CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC VÀ NGƯỜI LAO ĐỘNG NĂM 2026');
      expect(String((ws.getRow(3).values as Cells)[1])).toContain('(H55)');
      expect(String((ws.getRow(4).values as Cells)[1])).toContain('31/12/2026');
      const view = ws.views[0] as { state: string; ySplit: number; xSplit: number };
      expect(view).toMatchObject({ state: 'frozen', xSplit: 3 });
      const groupRow = (ws.getRow(view.ySplit - 1).values as Cells).slice(1);
      const header = (ws.getRow(view.ySplit).values as Cells).slice(1);
      expect(header.slice(0, 8)).toEqual(['STT', expect.any(String), expect.any(String), 'Tổng số', 'Cán bộ', 'Công chức', 'Viên chức', 'Người lao động']);
      const body = rowsOf(ws, view.ySplit + 1);
      const footer = body.pop()!;
      expect(footer[2]).toBe('Tổng cộng');
      expect(footer[3]).toBe(want.total);
      // Each column: rows add up to the footer. Each group of columns: adds up to the row's total.
      for (let c = 3; c < header.length; c++) expect([header[c], body.reduce((n, r) => n + Number(r[c]), 0)]).toEqual([header[c], footer[c]]);
      const groups = [...new Set(COLUMN_GROUPS)];
      for (const row of [...body, footer]) {
        for (const g of groups) {
          const sum = groupRow.reduce<number>((n, name, c) => (name === g ? n + Number(row[c]) : n), 0);
          expect([row[1], g, sum]).toEqual([row[1], g, row[3]]);
        }
      }
      const col = (label: string) => header.indexOf(label);
      expect(footer[col('Nữ')]).toBe(women);
      expect(footer[col('Viên chức')]).toBe(want.category.get('VIEN_CHUC') ?? 0);
      expect(footer[col('Trên 60')]).toBe(over60);
      expect(footer[col('Từ 30 trở xuống')]).toBe(upTo30);
      expect(footer[col('Dân tộc thiểu số')]).toBe(minority);
    }
    const byAgency = rowsOf(book.worksheets[0]!, (book.worksheets[0]!.views[0] as { ySplit: number }).ySplit + 1).slice(0, -1);
    expect(new Map(byAgency.map((r) => [r[1], r[3]]))).toEqual(want.agency);
    const byGrade = rowsOf(book.worksheets[1]!, (book.worksheets[1]!.views[0] as { ySplit: number }).ySplit + 1).slice(0, -1);
    expect(new Map(byGrade.map((r) => [r[1] === undefined || r[1] === null || r[1] === '' ? null : r[1], r[3]]))).toEqual(want.grade);
  });

  it('neutralises text that would run as a formula', async () => {
    await t.database.db.pool.query(`UPDATE agency SET name = '=1+2 Phòng thử' WHERE code = 'H55.06'`);
    try {
      const res = await get('/api/v1/reports/headcount?format=xlsx&agency=H55.06', operator);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(new Uint8Array(res.rawPayload).buffer);
      const cells: unknown[] = [];
      book.worksheets[0]!.eachRow((row) => row.eachCell((c) => cells.push(c.value)));
      expect(cells.some((v) => typeof v === 'string' && v.startsWith("'=1+2"))).toBe(true);
      expect(cells.some((v) => typeof v === 'object' && v !== null && 'formula' in v)).toBe(false);
      expect(cells.some((v) => v === '=1+2 Phòng thử')).toBe(false);
    } finally {
      await t.database.db.pool.query(`UPDATE agency SET name = 'Sở Y tế' WHERE code = 'H55.06'`);
    }
  });
});

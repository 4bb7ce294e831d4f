// `csdl-gateway import`: a generated legacy workbook with deliberate defects (the report names each, with
// its cell), a second run changing nothing, a crash between batches leaving no partial record, and the
// bad files that must end in a clear error.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { importLegacyFile, type LegacyImportOptions } from '../../../src/services/legacy-import.ts';
import { legacyCsv, legacyRowOf, writeLegacyWorkbook, type LegacyRow } from '../../../src/bench/legacy-workbook.ts';
import { fixedClock } from '../../../src/clock.ts';
import { isGatewayError } from '../../../src/errors.ts';
import type { Principal } from '../../../src/auth/principal.ts';

const TODAY = '2026-06-15';
const clock = fixedClock('2026-06-15T03:00:00Z');
const operator: Principal = { subject: 'snv-import', role: 'PROVINCE_OPERATOR', agencyCode: 'H55' };
let database: TestDatabase;
let dir: string;

const row = (serial: number, agencyCode = 'H55.06'): LegacyRow => legacyRowOf(serial, { seed: 7, agencyCode, today: TODAY });
const options = (path: string, extra: Partial<LegacyImportOptions> = {}): LegacyImportOptions => ({
  path, dryRun: false, actor: operator, provinceCode: 'H55', today: TODAY, now: () => clock.now(), batchSize: 4, ...extra,
});

/** The report's data rows as { row, id, outcome, cells, errors }. */
async function readReport(path: string) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  const ws = book.getWorksheet('Kết quả nhập')!;
  const out: Array<{ row: number; id: string; outcome: string; cells: string; errors: string }> = [];
  ws.eachRow((r, n) => {
    if (n <= 2) return;
    const v = r.values as unknown[];
    out.push({ row: v[1] as number, id: String(v[2] ?? ''), outcome: String(v[4]), cells: String(v[5] ?? ''), errors: String(v[6] ?? '') });
  });
  return { rows: out, views: ws.views, summary: book.getWorksheet('Tổng hợp')! };
}

const counts = async () => {
  const { rows } = await database.db.pool.query<{ persons: string; changes: string; events: string; orphans: string }>(`
    SELECT (SELECT count(*) FROM person)::text AS persons, (SELECT count(*) FROM profile_change)::text AS changes,
      (SELECT count(*) FROM change_event)::text AS events,
      (SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM profile_change c WHERE c.personal_id = p.personal_id))::text AS orphans`);
  return { persons: Number(rows[0]!.persons), changes: Number(rows[0]!.changes), events: Number(rows[0]!.events), orphans: Number(rows[0]!.orphans) };
};

beforeAll(async () => {
  database = await createTestDatabase('gw_import');
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 0, seed: 1 });
  dir = await mkdtemp(join(tmpdir(), 'legacy-import-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a legacy workbook with defects', () => {
  const good = Array.from({ length: 10 }, (_, i) => row(i));
  const withDefects: LegacyRow[] = [
    ...good.slice(0, 3),
    { ...row(20), 'Họ và tên': { formula: 'CONCATENATE("Nguyễn"," Văn A")', result: 'Nguyễn Văn A' } }, // row 5: formula
    { ...row(21), 'Ngày sinh': '31/02/1980' }, // row 6: a date that does not exist
    { ...row(22), 'Mã đơn vị sử dụng': 'H55.98' }, // row 7: no such agency
    { ...good[1]! }, // row 8: the same person as row 3
    { ...row(23), 'Họ và tên': '' }, // row 9: no name
    { ...row(24), 'Giới tính': 'Không rõ' }, // row 10: not in the list
    { ...row(25), 'Hệ số lương': 'hai phẩy ba' }, // row 11: not a number
    { ...good[3]!, 'Ngày sinh': `${(good[3]!['Ngày sinh'] as Date).toISOString().slice(8, 10)}/${(good[3]!['Ngày sinh'] as Date).toISOString().slice(5, 7)}/${(good[3]!['Ngày sinh'] as Date).toISOString().slice(0, 4)}` }, // row 12: dd/mm/yyyy text: fine
    { ...good[4]!, 'Ngày tuyển dụng': Math.round(((good[4]!['Ngày tuyển dụng'] as Date).getTime() - Date.UTC(1899, 11, 30)) / 86_400_000) }, // row 13: Excel serial: fine
    { ...good[5]!, 'Họ và tên': (good[5]!['Họ và tên'] as string).normalize('NFD') }, // row 14: NFD text: fine, stored NFC
    { ...good[6]!, 'Số định danh cá nhân': Number(good[6]!['Số định danh cá nhân']) }, // row 15: id typed as a number (leading zeros lost)
    { ...row(26), 'Giới tính': row(26)['Giới tính'] === 'Nam' ? 'Nữ' : 'Nam' }, // row 16: id does not match the gender
    ...good.slice(7),
  ];

  it('dry run: writes nothing, and the report names each defect with its cell', async () => {
    const file = join(dir, 'defects.xlsx');
    await writeLegacyWorkbook(file, withDefects);
    const report = join(dir, 'defects-dry.xlsx');
    const summary = await importLegacyFile(database.db, options(file, { dryRun: true, reportPath: report }));
    expect(summary).toMatchObject({ rows: withDefects.length, invalid: 8, valid: withDefects.length - 8, imported: 0, existing: 0 });
    expect(await counts()).toMatchObject({ persons: 0, changes: 0 });
    const { rows, views } = await readReport(report);
    expect(views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    expect(rows).toHaveLength(withDefects.length);
    const at = (n: number) => rows.find((r) => r.row === n)!;
    expect(at(2).outcome).toMatch(/^Hợp lệ/);
    expect(at(5)).toMatchObject({ cells: 'B5' });
    expect(at(5).errors).toMatch(/công thức/);
    expect(at(6)).toMatchObject({ cells: 'D6' });
    expect(at(6).errors).toMatch(/dd\/mm\/yyyy/);
    expect(at(7)).toMatchObject({ cells: 'W7' });
    expect(at(7).errors).toMatch(/không có trong danh mục/);
    expect(at(8).errors).toMatch(/trùng với một dòng phía trên \(dòng 3\)/);
    expect(at(9)).toMatchObject({ cells: 'B9' });
    expect(at(9).errors).toMatch(/Thiếu thông tin bắt buộc/);
    expect(at(10)).toMatchObject({ cells: 'C10' });
    expect(at(11)).toMatchObject({ cells: 'S11' });
    expect(at(11).errors).toMatch(/Không phải là số/);
    expect(at(16)).toMatchObject({ cells: 'A16' });
    expect(at(16).errors).toMatch(/giới tính/);
    for (const n of [12, 13, 14, 15]) expect(at(n).outcome).toMatch(/^Hợp lệ/);
    for (const r of rows.filter((x) => x.outcome.startsWith('Lỗi'))) expect(r.errors.length).toBeGreaterThan(0);
  });

  it('real run: loads the valid rows as new records awaiting verification, NFC, with their change and audit; a second run changes nothing', async () => {
    const file = join(dir, 'defects.xlsx');
    const first = await importLegacyFile(database.db, options(file, { reportPath: join(dir, 'run1.xlsx') }));
    expect(first).toMatchObject({ imported: withDefects.length - 8, existing: 0, invalid: 8 });
    const after = await counts();
    expect(after).toEqual({ persons: first.imported, changes: first.imported, events: first.imported, orphans: 0 });
    const changes = await database.db.prisma.profileChange.findMany();
    expect(new Set(changes.map((c) => `${c.kind}/${c.state}/${c.source}/${c.baseVersion}`))).toEqual(new Set(['THEM_MOI/SUBMITTED/IMPORT/0']));
    const nfd = await database.db.prisma.person.findUnique({ where: { personalId: good[5]!['Số định danh cá nhân'] as string } });
    expect(nfd!.fullName).toBe((good[5]!['Họ và tên'] as string).normalize('NFC'));
    expect(await database.db.prisma.person.findUnique({ where: { personalId: good[6]!['Số định danh cá nhân'] as string } })).not.toBeNull();
    const audit = await database.db.prisma.auditLog.findMany({ where: { action: 'PERSON_IMPORT' } });
    expect(audit.reduce((n, a) => n + (JSON.parse(a.details!) as { count: number }).count, 0)).toBe(first.imported);

    const second = await importLegacyFile(database.db, options(file, { reportPath: join(dir, 'run2.xlsx') }));
    expect(second).toMatchObject({ imported: 0, existing: first.imported, invalid: 8 });
    expect(await counts()).toEqual(after);
    const { rows } = await readReport(join(dir, 'run2.xlsx'));
    expect(rows.filter((r) => r.outcome.startsWith('Đã có'))).toHaveLength(first.imported);
  });
});

describe('a crash in the middle of an import', () => {
  it('leaves whole records only, and running the file again completes it', async () => {
    const rows = Array.from({ length: 11 }, (_, i) => row(100 + i, 'H55.05'));
    const file = join(dir, 'crash.csv');
    await writeFile(file, legacyCsv(rows));
    const before = await counts();
    await expect(importLegacyFile(database.db, options(file, { afterBatch: (n) => { if (n >= 4) throw new Error('power cut'); } }))).rejects.toThrow('power cut');
    const cut = await counts();
    expect(cut.persons - before.persons).toBe(4);
    expect(cut.orphans).toBe(0);
    expect(cut.changes - before.changes).toBe(4);
    const again = await importLegacyFile(database.db, options(file));
    expect(again).toMatchObject({ imported: 7, existing: 4, invalid: 0 });
    expect((await counts()).persons - before.persons).toBe(11);
  });
});

describe('bad files end in IMPORT_FILE_INVALID with a reason, not a crash', () => {
  const refusal = async (path: string, extra: Partial<LegacyImportOptions> = {}) => {
    try {
      await importLegacyFile(database.db, options(path, { dryRun: true, ...extra }));
    } catch (err) {
      if (isGatewayError(err, 'IMPORT_FILE_INVALID')) return err.details as { reason: string; hint: string };
      throw err;
    }
    throw new Error('expected a refusal');
  };

  it('not a workbook, an encrypted workbook, an empty file, a zip that is not a workbook', async () => {
    await writeFile(join(dir, 'photo.xlsx'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]));
    expect((await refusal(join(dir, 'photo.xlsx'))).reason).toBe('NOT_A_WORKBOOK');
    await writeFile(join(dir, 'locked.xlsx'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]));
    const locked = await refusal(join(dir, 'locked.xlsx'));
    expect(locked.reason).toBe('ENCRYPTED_OR_XLS');
    expect(locked.hint).toMatch(/mật khẩu/);
    await writeFile(join(dir, 'empty.csv'), '');
    expect((await refusal(join(dir, 'empty.csv'))).reason).toBe('EMPTY_FILE');
    await writeFile(join(dir, 'fake.xlsx'), Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]));
    expect((await refusal(join(dir, 'fake.xlsx'))).reason).toBe('NOT_A_WORKBOOK');
  });

  it('merged header cells, a missing required column, too many rows', async () => {
    await writeLegacyWorkbook(join(dir, 'merged.xlsx'), [row(1)], { mergeHeader: true });
    const merged = await refusal(join(dir, 'merged.xlsx'));
    expect(merged).toMatchObject({ reason: 'HEADER_BLANK_CELL', cell: 'E1' });
    expect(merged.hint).toMatch(/gộp/);
    await writeFile(join(dir, 'nocol.csv'), '\uFEFFHọ và tên,Giới tính\r\nNguyễn Văn A,Nam\r\n');
    expect(await refusal(join(dir, 'nocol.csv'))).toMatchObject({ reason: 'HEADER_MISSING_COLUMN' });
    await writeFile(join(dir, 'long.csv'), legacyCsv(Array.from({ length: 6 }, (_, i) => row(200 + i))));
    expect(await refusal(join(dir, 'long.csv'), { maxRows: 5 })).toMatchObject({ reason: 'TOO_MANY_ROWS', maxRows: 5 });
  });
});

describe('csdl-gateway import', () => {
  it('dry-runs a CSV with the default mapping, writes the report next to the file, and prints the counts', async () => {
    const { runImport, defaultReportPath } = await import('../../../src/commands/import.ts');
    const { loadConfig } = await import('../../../src/config.ts');
    const config = loadConfig({}, { databaseUrl: database.url, provinceCode: 'H55' });
    const file = join(dir, 'cli.csv');
    await writeFile(file, legacyCsv([row(300), { ...row(301), 'Ngày sinh': '30/02/1990' }]));
    let out = '';
    const before = await counts();
    expect(await runImport(config, file, { dryRun: true }, (s) => { out += s; })).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ rows: 2, valid: 1, invalid: 1, imported: 0, report: defaultReportPath(file) });
    expect((await readReport(join(dir, 'cli.ket-qua.xlsx'))).rows.map((r) => r.cells)).toEqual(['', 'D3']);
    expect(await counts()).toEqual(before);
  });

  it('exits 2 with the code and reason for a bad mapping or a bad file', async () => {
    const { runImport } = await import('../../../src/commands/import.ts');
    const { loadConfig } = await import('../../../src/config.ts');
    const config = loadConfig({}, { databaseUrl: database.url, provinceCode: 'H55' });
    await writeFile(join(dir, 'mapping.json'), JSON.stringify({ columns: { 'Họ và tên': 'SoYeuLyLich.HoTen' } }));
    let err = '';
    expect(await runImport(config, join(dir, 'cli.csv'), { mapping: join(dir, 'mapping.json') }, () => {}, (s) => { err += s; })).toBe(2);
    expect(err).toMatch(/^IMPORT_MAPPING_INVALID: .*REQUIRED_FIELD_UNMAPPED/);
    await writeFile(join(dir, 'mapping.json'), '{ not json');
    err = '';
    expect(await runImport(config, join(dir, 'cli.csv'), { mapping: join(dir, 'mapping.json') }, () => {}, (s) => { err += s; })).toBe(2);
    expect(err).toMatch(/NOT_JSON/);
    err = '';
    expect(await runImport(config, join(dir, 'missing.xlsx'), {}, () => {}, (s) => { err += s; })).toBe(2);
    expect(err).toMatch(/^IMPORT_FILE_INVALID: .*UNREADABLE/);
  });
});

describe('the sample files in samples/', () => {
  it('dry-run as the README says: 10 valid rows, a date that does not exist, a repeated personal id', async () => {
    for (const file of ['samples/legacy-import.csv', 'samples/legacy-import.xlsx']) {
      const report = join(dir, `sample-${file.slice(-4)}.xlsx`);
      const { checkMapping } = await import('../../../src/domain/legacy-mapping.ts');
      const { readFile } = await import('node:fs/promises');
      const mapping = checkMapping(JSON.parse(await readFile('samples/legacy-mapping.json', 'utf8')));
      expect(await importLegacyFile(database.db, options(file, { dryRun: true, mapping, reportPath: report }))).toMatchObject({ rows: 12, valid: 10, invalid: 2 });
      const { rows } = await readReport(report);
      expect(rows.filter((r) => r.outcome.startsWith('Lỗi')).map((r) => r.cells)).toEqual(['D6', 'A11']);
    }
  });
});

describe('history lists from other sheets', () => {
  it('attaches each row of a child sheet to its person, and names the bad ones with their sheet and cell', async () => {
    const { checkMapping, DEFAULT_LEGACY_MAPPING } = await import('../../../src/domain/legacy-mapping.ts');
    const people = [row(400, 'H55.07'), row(401, 'H55.07'), row(402, 'H55.07')];
    const id = (i: number) => people[i]!['Số định danh cá nhân'] as string;
    const file = join(dir, 'children.xlsx');
    await writeLegacyWorkbook(file, people, { children: [{
      sheet: 'Quá trình công tác', headers: ['Số định danh cá nhân', 'Từ tháng', 'Đến tháng', 'Cơ quan, đơn vị', 'Chức danh'],
      rows: [
        [id(0), '03/2015', '12/2019', 'Sở Tài chính', 'Chuyên viên'],
        [id(0), new Date('2020-01-01T00:00:00Z'), null, 'Sở Nội vụ', 'Chuyên viên chính'],
        [id(1), '13/2015', null, 'Sở Y tế', null], // row 4: no month 13
        [id(2), '05/2021', '02/2020', 'UBND xã', null], // row 5: ends before it starts
        ['001099999999', '01/2010', null, 'Không ai', null], // no such person in the file: not attached
      ],
    }] });
    const mapping = checkMapping({ ...DEFAULT_LEGACY_MAPPING, children: [{
      sheet: 'Quá trình công tác', list: 'QuaTrinhCongTac', key: 'Số định danh cá nhân',
      columns: { 'Từ tháng': 'TuThang', 'Đến tháng': 'DenThang', 'Cơ quan, đơn vị': 'DonVi', 'Chức danh': 'ChucDanh' },
    }] });
    const report = join(dir, 'children-report.xlsx');
    expect(await importLegacyFile(database.db, options(file, { mapping, reportPath: report }))).toMatchObject({ rows: 3, valid: 1, invalid: 2, imported: 1 });
    const { rows } = await readReport(report);
    expect(rows.map((r) => r.cells)).toEqual(['', "'Quá trình công tác'!B4", "'Quá trình công tác'!C5"]);
    expect(rows[1]!.errors).toMatch(/mm\/yyyy/);
    expect(rows[2]!.errors).toMatch(/bắt đầu sau ngày kết thúc/);
    const person = await database.db.prisma.person.findUniqueOrThrow({ where: { personalId: id(0) } });
    expect((person.profile as { QuaTrinhCongTac: unknown }).QuaTrinhCongTac).toEqual([
      { TuThang: '2015-03', DenThang: '2019-12', DonVi: 'Sở Tài chính', ChucDanh: 'Chuyên viên' },
      { TuThang: '2020-01', DonVi: 'Sở Nội vụ', ChucDanh: 'Chuyên viên chính' },
    ]);
  });

  it('refuses child sheets for a CSV, and a child list or field the record does not have', async () => {
    const { checkMapping, DEFAULT_LEGACY_MAPPING } = await import('../../../src/domain/legacy-mapping.ts');
    const child = { sheet: 'X', list: 'QuaTrinhCongTac', key: 'Số định danh cá nhân', columns: { 'Từ tháng': 'TuThang' } };
    expect(() => checkMapping({ ...DEFAULT_LEGACY_MAPPING, children: [{ ...child, list: 'ConCai' }] })).toThrow(expect.objectContaining({ code: 'IMPORT_MAPPING_INVALID', details: expect.objectContaining({ reason: 'CHILD_LIST' }) }));
    expect(() => checkMapping({ ...DEFAULT_LEGACY_MAPPING, children: [{ ...child, columns: { A: 'Luong' } }] })).toThrow(expect.objectContaining({ details: expect.objectContaining({ reason: 'UNKNOWN_FIELD' }) }));
    await writeFile(join(dir, 'children.csv'), legacyCsv([row(410)]));
    await expect(importLegacyFile(database.db, options(join(dir, 'children.csv'), { dryRun: true, mapping: checkMapping({ ...DEFAULT_LEGACY_MAPPING, children: [child] }) })))
      .rejects.toMatchObject({ code: 'IMPORT_MAPPING_INVALID', details: { reason: 'CHILDREN_NEED_XLSX' } });
  });
});

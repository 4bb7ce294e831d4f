import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LEGACY_MAPPING, REQUIRED_TARGETS, cellKindOf, checkMapping, columnLetters, convertCell, issueCell, parseDateCell, planColumns, readLegacyRow,
} from '../../../src/domain/legacy-mapping.ts';
import { isGatewayError } from '../../../src/errors.ts';

const details = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, ...(err.details as object) };
    throw err;
  }
  throw new Error('expected an error');
};

describe('cells', () => {
  it('read dates as Excel dates, serial numbers, dd/mm/yyyy text or ISO text, and refuse the rest', () => {
    expect(parseDateCell(new Date('1985-03-07T00:00:00Z'))).toBe('1985-03-07');
    expect(parseDateCell(31113)).toBe('1985-03-07');
    expect(parseDateCell(60)).toBe('1900-02-28'); // Excel's phantom 29/02/1900 is day 60 in Excel; the 1899-12-30 epoch skips it
    expect(parseDateCell('07/03/1985')).toBe('1985-03-07');
    expect(parseDateCell('7/3/1985')).toBe('1985-03-07');
    expect(parseDateCell('07-03-1985')).toBe('1985-03-07');
    expect(parseDateCell('07.03.1985')).toBe('1985-03-07');
    expect(parseDateCell('1985-03-07')).toBe('1985-03-07');
    for (const bad of ['31/02/1985', '03/1985', '1985', 'hôm qua', 31113.5, 0, -1, 3_000_000, new Date(Number.NaN), true]) expect(parseDateCell(bad)).toBeNull();
  });

  it('take each field’s kind from the record’s schema', () => {
    expect(cellKindOf('SoDinhDanh')).toBe('text');
    expect(cellKindOf('SoYeuLyLich.NgaySinh')).toBe('date');
    expect(cellKindOf('SoYeuLyLich.Luong.BacLuong')).toBe('integer');
    expect(cellKindOf('SoYeuLyLich.Luong.HeSoLuong')).toBe('number');
    expect(cellKindOf('SoYeuLyLich.GioiTinh')).toBe('gender');
    expect(cellKindOf('PhanLoai')).toBe('category');
    expect(cellKindOf('TrangThai')).toBe('status');
    expect(cellKindOf('SoYeuLyLich.Luong')).toBeNull();
    expect(cellKindOf('SoYeuLyLich.QuaTrinhCongTac')).toBeNull();
    expect(cellKindOf('SoYeuLyLich.KhongCo')).toBeNull();
    expect(cellKindOf('constructor')).toBeNull();
  });

  it('convert values, restore leading zeros of ids typed as numbers, and refuse formulas and errors', () => {
    expect(convertCell('SoDinhDanh', 'text', 1085001234)).toEqual({ ok: true, value: '001085001234' });
    expect(convertCell('SoYeuLyLich.SoBHXH', 'text', 123456789)).toEqual({ ok: true, value: '0123456789' });
    expect(convertCell('SoYeuLyLich.SoDienThoai', 'text', 912345678)).toEqual({ ok: true, value: '0912345678' });
    expect(convertCell('SoYeuLyLich.HoTen', 'text', { richText: [{ text: 'Nguyễn ' }, { text: 'Văn A' }] })).toEqual({ ok: true, value: 'Nguyễn Văn A' });
    expect(convertCell('SoYeuLyLich.HoTen', 'text', { formula: 'A1', result: 'x' })).toEqual({ ok: false, reason: 'FORMULA' });
    expect(convertCell('SoYeuLyLich.HoTen', 'text', { sharedFormula: 'A1' })).toEqual({ ok: false, reason: 'FORMULA' });
    expect(convertCell('SoYeuLyLich.HoTen', 'text', { error: '#REF!' })).toEqual({ ok: false, reason: 'CELL_ERROR' });
    expect(convertCell('SoYeuLyLich.HoTen', 'text', '   ')).toEqual({ ok: true, value: undefined });
    expect(convertCell('SoYeuLyLich.Luong.HeSoLuong', 'number', '2,34')).toEqual({ ok: true, value: 2.34 });
    expect(convertCell('SoYeuLyLich.Luong.HeSoLuong', 'number', 'hai')).toEqual({ ok: false, reason: 'NOT_A_NUMBER' });
    expect(convertCell('SoYeuLyLich.Luong.BacLuong', 'integer', 3.5)).toEqual({ ok: false, reason: 'NOT_AN_INTEGER' });
    expect(convertCell('SoYeuLyLich.GioiTinh', 'gender', ' nữ ')).toEqual({ ok: true, value: 'NU' });
    expect(convertCell('SoYeuLyLich.GioiTinh', 'gender', 'Nữ'.normalize('NFD'))).toEqual({ ok: true, value: 'NU' });
    expect(convertCell('SoYeuLyLich.GioiTinh', 'gender', 'NAM')).toEqual({ ok: true, value: 'NAM' });
    expect(convertCell('SoYeuLyLich.GioiTinh', 'gender', 'khác')).toEqual({ ok: false, reason: 'UNKNOWN_LABEL' });
    expect(convertCell('PhanLoai', 'category', 'Viên chức')).toEqual({ ok: true, value: 'VIEN_CHUC' });
    expect(convertCell('TrangThai', 'status', 'Nghỉ hưu')).toEqual({ ok: true, value: 'NGHI_HUU' });
    expect(convertCell('SoYeuLyLich.NgaySinh', 'date', '30/02/1990')).toEqual({ ok: false, reason: 'DATE_FORMAT' });
    expect(convertCell('SoYeuLyLich.HoTen', 'text', new Date(0))).toEqual({ ok: false, reason: 'NOT_TEXT' });
  });

  it('name columns as a spreadsheet does', () => {
    expect([1, 2, 26, 27, 52, 53, 702, 703].map(columnLetters)).toEqual(['A', 'B', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});

describe('mappings', () => {
  it('accept the default mapping, which fills every required field', () => {
    expect(checkMapping(DEFAULT_LEGACY_MAPPING).columns).toEqual(DEFAULT_LEGACY_MAPPING.columns);
    for (const t of REQUIRED_TARGETS) expect(Object.values(DEFAULT_LEGACY_MAPPING.columns)).toContain(t);
  });

  it('refuse unknown fields, a field mapped twice, unmapped required fields and stray keys', () => {
    expect(details(() => checkMapping([]))).toMatchObject({ code: 'IMPORT_MAPPING_INVALID', reason: 'NOT_AN_OBJECT' });
    expect(details(() => checkMapping({ columns: { ...DEFAULT_LEGACY_MAPPING.columns, X: 'SoYeuLyLich.Bay' } }))).toMatchObject({ reason: 'UNKNOWN_FIELD', header: 'X' });
    expect(details(() => checkMapping({ columns: { ...DEFAULT_LEGACY_MAPPING.columns, Tên: 'SoYeuLyLich.HoTen' } }))).toMatchObject({ reason: 'FIELD_TWICE' });
    expect(details(() => checkMapping({ columns: { 'Họ và tên': 'SoYeuLyLich.HoTen' } }))).toMatchObject({ reason: 'REQUIRED_FIELD_UNMAPPED' });
    expect(details(() => checkMapping({ ...DEFAULT_LEGACY_MAPPING, sheets: 'x' }))).toMatchObject({ reason: 'UNKNOWN_KEY', key: 'sheets' });
    expect(details(() => checkMapping({ ...DEFAULT_LEGACY_MAPPING, headerRow: 0 }))).toMatchObject({ reason: 'HEADER_ROW' });
  });
});

describe('header row', () => {
  const headers = [undefined, ...Object.keys(DEFAULT_LEGACY_MAPPING.columns)];

  it('matches headers whatever their case, spacing or Unicode form', () => {
    const plan = planColumns(DEFAULT_LEGACY_MAPPING, [undefined, '  HỌ VÀ  TÊN ', ...headers.slice(1).filter((h) => h !== 'Họ và tên').map((h) => h!.normalize('NFD'))]);
    expect(plan.find((p) => p.field === 'SoYeuLyLich.HoTen')!.col).toBe(1);
    expect(plan).toHaveLength(headers.length - 1);
  });

  it('refuses a blank (merged) header cell, a repeated header, a missing required column', () => {
    const merged = [...headers];
    merged[3] = null as never;
    expect(details(() => planColumns(DEFAULT_LEGACY_MAPPING, merged))).toMatchObject({ code: 'IMPORT_FILE_INVALID', reason: 'HEADER_BLANK_CELL', cell: 'C1' });
    expect(details(() => planColumns(DEFAULT_LEGACY_MAPPING, [...headers, 'Họ và tên']))).toMatchObject({ reason: 'HEADER_DUPLICATE' });
    expect(details(() => planColumns(DEFAULT_LEGACY_MAPPING, headers.filter((h) => h !== 'Ngày sinh')))).toMatchObject({ reason: 'HEADER_MISSING_COLUMN', headers: ['Ngày sinh'] });
    expect(details(() => planColumns(DEFAULT_LEGACY_MAPPING, [undefined, '', '']))).toMatchObject({ reason: 'HEADER_MISSING' });
  });

  it('points a row’s issues at their cells', () => {
    const plan = planColumns(DEFAULT_LEGACY_MAPPING, headers);
    const row = readLegacyRow(plan, [undefined, '001085001234', { formula: 'X' }, 'Nam', '32/01/1985'], 7);
    expect(row.issues.map((i) => [i.cell, i.reason])).toEqual([['B7', 'FORMULA'], ['D7', 'DATE_FORMAT']]);
    expect(issueCell(plan, 'SoYeuLyLich.Luong.HeSoLuong', 7).cell).toBe('S7');
    expect(issueCell(plan, 'SoYeuLyLich.QuaTrinhCongTac[0].DonVi', 7)).toEqual({ cell: null, header: null, field: 'SoYeuLyLich.QuaTrinhCongTac[0].DonVi' });
  });
});

describe('history list cells', () => {
  it('take their kinds from the list item’s schema', async () => {
    const { itemKindOf } = await import('../../../src/domain/legacy-mapping.ts');
    expect(itemKindOf('QuaTrinhCongTac', 'TuThang')).toBe('month');
    expect(itemKindOf('QuaTrinhCongTac', 'DonVi')).toBe('text');
    expect(itemKindOf('KyLuat', 'TuNgay')).toBe('date');
    expect(itemKindOf('KhenThuong', 'Nam')).toBe('integer');
    expect(itemKindOf('QuaTrinhLuong', 'HeSoLuong')).toBe('number');
    expect(itemKindOf('QuanHeGiaDinh', 'BenVoChong')).toBe('yesNo');
    expect(itemKindOf('QuaTrinhDaoTao', 'Loai')).toBe('training');
    expect(itemKindOf('QuaTrinhCongTac', 'Khong')).toBeNull();
  });

  it('read months, yes/no and kinds of training', () => {
    expect(convertCell('TuThang', 'month', '3/2015')).toEqual({ ok: true, value: '2015-03' });
    expect(convertCell('TuThang', 'month', '2015-03')).toEqual({ ok: true, value: '2015-03' });
    expect(convertCell('TuThang', 'month', new Date('2015-03-01T00:00:00Z'))).toEqual({ ok: true, value: '2015-03' });
    expect(convertCell('TuThang', 'month', '01/03/2015')).toEqual({ ok: true, value: '2015-03' });
    expect(convertCell('TuThang', 'month', '13/2015')).toEqual({ ok: false, reason: 'MONTH_FORMAT' });
    expect(convertCell('BenVoChong', 'yesNo', 'Có')).toEqual({ ok: true, value: true });
    expect(convertCell('BenVoChong', 'yesNo', 'x')).toEqual({ ok: true, value: true });
    expect(convertCell('BenVoChong', 'yesNo', 'không')).toEqual({ ok: true, value: false });
    expect(convertCell('BenVoChong', 'yesNo', 'có lẽ')).toEqual({ ok: false, reason: 'NOT_YES_NO' });
    expect(convertCell('Loai', 'training', 'Lý luận chính trị')).toEqual({ ok: true, value: 'LY_LUAN_CHINH_TRI' });
    expect(convertCell('Loai', 'training', 'TIN_HOC')).toEqual({ ok: true, value: 'TIN_HOC' });
  });
});

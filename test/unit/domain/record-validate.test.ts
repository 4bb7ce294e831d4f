import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  assertValidRecord,
  checkRecordConsistency,
  recordConsistencyIssues,
  validateChangeContent,
  validateRecord,
  type HoSo,
} from '../../../src/domain/profile.ts';

const today = '2026-11-24';

function record(): HoSo {
  return {
    SoDinhDanh: '026188012345',
    MaDonViQuanLy: 'H55.19',
    MaDonViSuDung: 'H55.19.05',
    PhanLoai: 'CONG_CHUC',
    TrangThai: 'DANG_CONG_TAC',
    NgayHieuLuc: '2026-11-01',
    SoYeuLyLich: {
      HoTen: 'Nguyễn Thị Thu Hương', GioiTinh: 'NU', NgaySinh: '1988-03-15', NgayTuyenDung: '2011-09-01',
      Luong: { MaNgach: '01.003', BacLuong: 5, HeSoLuong: 3.66 },
    },
    PheDuyet: [
      { Cap: 'CO_QUAN', MaDonVi: 'H55.19.05', ThoiGian: '2026-11-27T09:30:00+07:00', SoHieuChungThu: '54010203ABCDEF', MaBamBienBan: 'ab'.repeat(32) },
      { Cap: 'SO_NOI_VU', MaDonVi: 'H55.19', ThoiGian: '2026-11-30T15:00:00+07:00', SoHieuChungThu: '00ff', MaBamBienBan: 'CD'.repeat(32) },
    ],
  };
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('validateRecord', () => {
  it('accepts a complete record', () => {
    expect(validateRecord(record(), { today })).toEqual([]);
    expect(validateRecord(record(), { today, provinceCode: 'H55' })).toEqual([]);
  });

  it.each<[string, (r: Any) => void, string, string, string]>([
    ['id too short', (r) => (r.SoDinhDanh = '02618801234'), 'SoDinhDanh', 'INVALID_PERSONAL_ID', 'LENGTH'],
    ['id with a letter', (r) => (r.SoDinhDanh = '02618801234X'), 'SoDinhDanh', 'INVALID_PERSONAL_ID', 'NOT_DIGITS'],
    ['id province 097', (r) => (r.SoDinhDanh = '097188012345'), 'SoDinhDanh', 'INVALID_PERSONAL_ID', 'PROVINCE_CODE'],
    ['id a number', (r) => (r.SoDinhDanh = 26188012345), 'SoDinhDanh', 'INVALID_PERSONAL_ID', 'NOT_STRING'],
    ['id missing', (r) => delete r.SoDinhDanh, 'SoDinhDanh', 'MISSING_FIELD', 'REQUIRED'],
    ['gender disagrees', (r) => (r.SoYeuLyLich.GioiTinh = 'NAM'), 'SoDinhDanh', 'PERSONAL_ID_MISMATCH', 'GENDER'],
    ['birth year disagrees', (r) => (r.SoYeuLyLich.NgaySinh = '1989-03-15'), 'SoDinhDanh', 'PERSONAL_ID_MISMATCH', 'BIRTH_YEAR'],
    ['century disagrees', (r) => (r.SoDinhDanh = '026388012345'), 'SoDinhDanh', 'PERSONAL_ID_MISMATCH', 'CENTURY'],
    ['employing code lower case', (r) => (r.MaDonViSuDung = 'h55.19.05'), 'MaDonViSuDung', 'INVALID_AGENCY_CODE', 'LOWERCASE'],
    ['managing code zero group', (r) => (r.MaDonViQuanLy = 'H55.00'), 'MaDonViQuanLy', 'INVALID_AGENCY_CODE', 'ZERO_GROUP'],
    ['QCVN form not converted', (r) => (r.MaDonViQuanLy = '000.00.19.H55'), 'MaDonViQuanLy', 'INVALID_AGENCY_CODE', 'NOT_CANONICAL'],
    ['employing code missing', (r) => delete r.MaDonViSuDung, 'MaDonViSuDung', 'MISSING_FIELD', 'REQUIRED'],
    ['category unknown', (r) => (r.PhanLoai = 'HOP_DONG'), 'PhanLoai', 'INVALID_VALUE', 'ENUM'],
    ['status unknown', (r) => (r.TrangThai = 'NGHI_VIEC'), 'TrangThai', 'INVALID_VALUE', 'ENUM'],
    ['effective date not a date', (r) => (r.NgayHieuLuc = '2026-02-30'), 'NgayHieuLuc', 'INVALID_VALUE', 'NOT_A_DATE'],
    ['CV missing', (r) => delete r.SoYeuLyLich, 'SoYeuLyLich', 'MISSING_FIELD', 'REQUIRED'],
    ['CV field out of range', (r) => (r.SoYeuLyLich.Luong.BacLuong = 17), 'SoYeuLyLich.Luong.BacLuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
    ['CV date in the future', (r) => (r.SoYeuLyLich.NgayTuyenDung = '2027-01-01'), 'SoYeuLyLich.NgayTuyenDung', 'INVALID_VALUE', 'IN_FUTURE'],
    ['unknown envelope field', (r) => (r.PhienBan = 3), 'PhienBan', 'INVALID_VALUE', 'UNKNOWN_FIELD'],
    ['approval chain missing', (r) => delete r.PheDuyet, 'PheDuyet', 'MISSING_FIELD', 'REQUIRED'],
    ['no Sở Nội vụ approval', (r) => r.PheDuyet.pop(), 'PheDuyet', 'MISSING_FIELD', 'NO_PROVINCE_APPROVAL'],
    ['approval level unknown', (r) => (r.PheDuyet[0].Cap = 'UBND'), 'PheDuyet[0].Cap', 'INVALID_VALUE', 'ENUM'],
    ['approval agency invalid', (r) => (r.PheDuyet[0].MaDonVi = 'X55'), 'PheDuyet[0].MaDonVi', 'INVALID_AGENCY_CODE', 'LEVEL1'],
    ['approval time without offset', (r) => (r.PheDuyet[0].ThoiGian = '2026-11-27T09:30:00'), 'PheDuyet[0].ThoiGian', 'INVALID_VALUE', 'FORMAT'],
    ['approval time impossible', (r) => (r.PheDuyet[0].ThoiGian = '2026-11-31T09:30:00+07:00'), 'PheDuyet[0].ThoiGian', 'INVALID_VALUE', 'NOT_A_DATE'],
    ['certificate serial not hex', (r) => (r.PheDuyet[1].SoHieuChungThu = 'serial-1'), 'PheDuyet[1].SoHieuChungThu', 'INVALID_VALUE', 'FORMAT'],
    ['manifest hash too short', (r) => (r.PheDuyet[1].MaBamBienBan = 'ab'), 'PheDuyet[1].MaBamBienBan', 'INVALID_VALUE', 'FORMAT'],
    ['approval field missing', (r) => delete r.PheDuyet[1].MaBamBienBan, 'PheDuyet[1].MaBamBienBan', 'MISSING_FIELD', 'REQUIRED'],
  ])('%s → %s %s %s', (_n, mutate, path, code, reason) => {
    const r = record() as Any;
    mutate(r);
    expect(validateRecord(r, { today })).toEqual([{ path, code, reason }]);
  });

  it('the employing agency must be under the sender province when one is given', () => {
    expect(validateRecord(record(), { today, provinceCode: 'H56' })).toEqual([
      { path: 'MaDonViSuDung', code: 'AGENCY_NOT_IN_PROVINCE', reason: 'OUTSIDE_PROVINCE' },
    ]);
  });

  it('the Sở Nội vụ approval can be waived (records not yet approved)', () => {
    const r = record();
    r.PheDuyet = [];
    expect(validateRecord(r, { today, requireProvinceApproval: false })).toEqual([]);
  });

  it('a non-object is one TYPE issue', () => {
    expect(validateRecord('x', { today })).toEqual([{ path: '', code: 'INVALID_VALUE', reason: 'TYPE' }]);
  });

  it('assertValidRecord throws INVALID_PROFILE with every issue', () => {
    const r = record() as Any;
    r.SoDinhDanh = '1';
    r.TrangThai = 'X';
    try {
      assertValidRecord(r, { today });
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'INVALID_PROFILE')).toBe(true);
      expect((err as { details: { issues: unknown[] } }).details.issues).toHaveLength(2);
    }
    expect(() => assertValidRecord(record(), { today })).not.toThrow();
  });
});

describe('validateChangeContent', () => {
  it('is the record without the approval chain', () => {
    const { PheDuyet: _p, ...content } = record();
    expect(validateChangeContent(content, { today })).toEqual([]);
    expect(validateChangeContent({ ...content, PheDuyet: [] }, { today })).toEqual([
      { path: 'PheDuyet', code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' },
    ]);
  });

  it('reports the same identifier issues', () => {
    const { PheDuyet: _p, ...content } = record();
    expect(validateChangeContent({ ...content, MaDonViSuDung: 'H55..05' }, { today })).toEqual([
      { path: 'MaDonViSuDung', code: 'INVALID_AGENCY_CODE', reason: 'EMPTY_GROUP' },
    ]);
  });
});

describe('checkRecordConsistency', () => {
  it('passes when digits 4–6 agree', () => {
    expect(() => checkRecordConsistency('026188012345', { NgaySinh: '1988-03-15', GioiTinh: 'NU' })).not.toThrow();
    expect(recordConsistencyIssues('026188012345', { NgaySinh: '1988-03-15', GioiTinh: 'NU' })).toEqual([]);
  });

  it.each([
    ['026188012345', '1988-03-15', 'NAM', 'PERSONAL_ID_MISMATCH', 'GENDER'],
    ['026188012345', '1987-03-15', 'NU', 'PERSONAL_ID_MISMATCH', 'BIRTH_YEAR'],
    ['026188012345', '2088-03-15', 'NU', 'PERSONAL_ID_MISMATCH', 'CENTURY'],
    ['02618801234', '1988-03-15', 'NU', 'INVALID_PERSONAL_ID', 'LENGTH'],
    ['026188012345', '1988-02-30', 'NU', 'INVALID_VALUE', 'BIRTH_DATE'],
  ] as const)('%s vs %s %s → %s %s', (id, dob, gender, code, reason) => {
    try {
      checkRecordConsistency(id, { NgaySinh: dob, GioiTinh: gender });
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, code)).toBe(true);
      expect((err as { details: unknown }).details).toEqual({ field: 'SoDinhDanh', reason });
    }
  });

  it('recordConsistencyIssues reports only true mismatches', () => {
    expect(recordConsistencyIssues('026188012345', { NgaySinh: '1988-03-15', GioiTinh: 'NAM' })).toEqual([
      { path: 'SoDinhDanh', code: 'PERSONAL_ID_MISMATCH', reason: 'GENDER' },
    ]);
    expect(recordConsistencyIssues('bad', { NgaySinh: '1988-03-15', GioiTinh: 'NAM' })).toEqual([]);
    expect(recordConsistencyIssues('026188012345', { NgaySinh: 'x', GioiTinh: 'NU' })).toEqual([]);
    expect(recordConsistencyIssues('026188012345', null)).toEqual([]);
  });
});

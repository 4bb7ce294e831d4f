import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  canonicalContentJson,
  canonicalJson,
  canonicalProfileJson,
  canonicalRecordJson,
  contentSha256,
  HO_SO_FIELDS,
  HoSo,
  SO_YEU_LY_LICH_FIELDS,
  SoYeuLyLich,
  type ChangeContent,
} from '../../../src/domain/profile.ts';
import { createRng, generateProfile } from '../../../src/seed/demo-profiles.ts';

const today = '2026-11-24';

function content(): ChangeContent {
  const p = generateProfile(createRng(7), { agencyCode: 'H55.19.05', today });
  return {
    SoDinhDanh: p.personalId, MaDonViQuanLy: 'H55.19', MaDonViSuDung: 'H55.19.05', PhanLoai: p.category,
    TrangThai: p.status, NgayHieuLuc: '2026-11-01', SoYeuLyLich: p.SoYeuLyLich,
  };
}

/** Deep copy with every object's keys in reverse insertion order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  }
  return value;
}

/** Deep copy with every string in NFD and padded with spaces. */
function decomposed(value: unknown): unknown {
  if (typeof value === 'string') return ` ${value.normalize('NFD')}\t`;
  if (Array.isArray(value)) return value.map(decomposed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decomposed(v)]));
  return value;
}

function codeOf(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('field order', () => {
  it('SoYeuLyLich follows §6', () => {
    expect(SO_YEU_LY_LICH_FIELDS).toEqual([
      'HoTen', 'GioiTinh', 'TenGoiKhac', 'NgaySinh', 'NoiSinh', 'QueQuan', 'DanToc', 'TonGiao', 'NgayCapCCCD', 'SoDienThoai',
      'SoBHXH', 'SoTheBHYT', 'NoiOHienNay', 'NgheNghiepTruocTuyenDung', 'NgayTuyenDung', 'CoQuanTuyenDung', 'NgayVaoCoQuan',
      'NgayVaoDang', 'NgayChinhThucDang', 'TrinhDoGiaoDucPhoThong', 'TrinhDoChuyenMon', 'HocHam', 'DanhHieuNhaNuoc',
      'ChucVuHienTai', 'NgayBoNhiem', 'ChucVuKiemNhiem', 'CongViecChinh', 'Luong', 'SucKhoe', 'QuaTrinhDaoTao',
      'QuaTrinhCongTac', 'KhenThuong', 'KyLuat', 'QuanHeGiaDinh', 'QuaTrinhLuong', 'NhanXetDanhGia',
    ]);
  });

  it('HoSo follows §6', () => {
    expect(HO_SO_FIELDS).toEqual(['SoDinhDanh', 'MaDonViQuanLy', 'MaDonViSuDung', 'PhanLoai', 'TrangThai', 'NgayHieuLuc', 'SoYeuLyLich', 'PheDuyet']);
  });
});

describe('canonicalJson', () => {
  it('writes keys in schema order, not insertion order, with no white space', () => {
    const json = canonicalJson(SoYeuLyLich, {
      Luong: { HeSoLuong: 2.34, BacLuong: 1, MaNgach: '01.003' },
      NgaySinh: '1990-01-01',
      GioiTinh: 'NAM',
      HoTen: 'Lê Văn Tám',
      QuaTrinhLuong: [{ HeSoLuong: 2.67, TuThang: '2020-01' }],
    });
    expect(json).toBe(
      '{"HoTen":"Lê Văn Tám","GioiTinh":"NAM","NgaySinh":"1990-01-01","Luong":{"MaNgach":"01.003","BacLuong":1,"HeSoLuong":2.34},' +
        '"QuaTrinhLuong":[{"TuThang":"2020-01","HeSoLuong":2.67}]}',
    );
  });

  it.each([
    [4.4, '4.4'],
    [3, '3'],
    [0.2, '0.2'],
    [100, '100'],
  ])('numbers the JSON.stringify way: %d → %s', (n, text) => {
    expect(canonicalJson(SoYeuLyLich, { HoTen: 'A', Luong: { HeSoLuong: n } })).toBe(`{"HoTen":"A","Luong":{"HeSoLuong":${text}}}`);
  });

  it('leaves out undefined and null', () => {
    expect(canonicalJson(SoYeuLyLich, { HoTen: 'A', TenGoiKhac: undefined, DanToc: null })).toBe('{"HoTen":"A"}');
  });

  it('escapes strings minimally', () => {
    expect(canonicalJson(SoYeuLyLich, { HoTen: 'A"B\\C', NhanXetDanhGia: 'x\ny' })).toBe('{"HoTen":"A\\"B\\\\C","NhanXetDanhGia":"x\\ny"}');
  });

  it.each([
    [{ HoTen: 'A', Khac: 1 }, 'Khac', 'UNKNOWN_FIELD'],
    [{ HoTen: 'A', Luong: { Khac: 1 } }, 'Luong.Khac', 'UNKNOWN_FIELD'],
    [{ HoTen: { a: 1 } }, 'HoTen', 'TYPE'],
    [{ HoTen: 'A', Luong: 'x' }, 'Luong', 'TYPE'],
    [{ HoTen: 'A', KyLuat: {} }, 'KyLuat', 'TYPE'],
    [{ HoTen: 'A', Luong: { HeSoLuong: Number.POSITIVE_INFINITY } }, 'Luong.HeSoLuong', 'TYPE'],
    [{ HoTen: 'A', QuanHeGiaDinh: [{ HoTen: ['x'] }] }, 'QuanHeGiaDinh[0].HoTen', 'TYPE'],
  ])('refuses %j (%s %s): nothing unknown is ever signed', (value, path, reason) => {
    expect(codeOf(() => canonicalJson(SoYeuLyLich, value))).toEqual({
      code: 'INVALID_PROFILE',
      details: { issues: [{ path, code: 'INVALID_VALUE', reason }] },
    });
  });

  it('a generated profile round-trips through JSON.parse unchanged', () => {
    const c = content();
    expect(JSON.parse(canonicalProfileJson(c.SoYeuLyLich))).toEqual(c.SoYeuLyLich);
  });
});

describe('contentSha256', () => {
  it('is the SHA-256 of canonicalContentJson, lowercase hex', () => {
    const c = content();
    const expected = createHash('sha256').update(Buffer.from(canonicalContentJson(c), 'utf8')).digest('hex');
    expect(contentSha256(c)).toBe(expected);
    expect(contentSha256(c)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes exactly the envelope fields then the CV', () => {
    const json = canonicalContentJson(content());
    expect(Object.keys(JSON.parse(json))).toEqual(['SoDinhDanh', 'MaDonViQuanLy', 'MaDonViSuDung', 'PhanLoai', 'TrangThai', 'NgayHieuLuc', 'SoYeuLyLich']);
  });

  it('does not depend on key order, NFD/NFC, padding, empty optional fields or the QCVN code form', () => {
    const c = content();
    const messy = decomposed(reversed(c)) as Record<string, unknown>;
    Object.assign(messy, { MaDonViQuanLy: '000.00.19.H55', MaDonViSuDung: '000.05.19.H55', SoDinhDanh: c.SoDinhDanh });
    const cv = messy['SoYeuLyLich'] as Record<string, unknown>;
    cv['QuanHeGiaDinh'] = [...(cv['QuanHeGiaDinh'] as object[]), { MoiQuanHe: ' ', HoTen: '' }];
    if (c.SoYeuLyLich.TenGoiKhac === undefined) cv['TenGoiKhac'] = '  ';
    if (c.SoYeuLyLich.KyLuat === undefined) cv['KyLuat'] = [];
    const h = contentSha256(c);
    expect(contentSha256(messy as ChangeContent)).toBe(h);
    expect(Buffer.from(canonicalContentJson(messy)).equals(Buffer.from(canonicalContentJson(c)))).toBe(true);
    expect(canonicalContentJson(c).normalize('NFC')).toBe(canonicalContentJson(c));
  });

  it.each([
    ['the CV', (c: ChangeContent) => (c.SoYeuLyLich.HoTen = `${c.SoYeuLyLich.HoTen}a`)],
    ['a list item', (c: ChangeContent) => c.SoYeuLyLich.QuaTrinhLuong?.pop()],
    ['the employing agency', (c: ChangeContent) => (c.MaDonViSuDung = 'H55.19.06')],
    ['the status', (c: ChangeContent) => (c.TrangThai = 'NGHI_HUU')],
    ['the effective date', (c: ChangeContent) => (c.NgayHieuLuc = undefined)],
    ['a number', (c: ChangeContent) => (c.SoYeuLyLich.Luong!.BacLuong = 16)],
  ])('changes when %s changes', (_n, mutate) => {
    const a = content();
    const b = content();
    mutate(b);
    expect(contentSha256(b)).not.toBe(contentSha256(a));
  });

  it('does not modify its argument', () => {
    const c = content();
    const before = structuredClone(c);
    contentSha256(c);
    expect(c).toEqual(before);
  });
});

describe('canonicalRecordJson', () => {
  it('includes the approval chain in §6 order', () => {
    const c = content();
    const record = {
      ...c,
      PheDuyet: [{ MaBamBienBan: 'a'.repeat(64), SoHieuChungThu: '0a1b', ThoiGian: '2026-11-28T10:00:00+07:00', MaDonVi: 'H55.19', Cap: 'SO_NOI_VU' }],
    };
    const parsed = JSON.parse(canonicalRecordJson(record)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(HO_SO_FIELDS);
    expect(Object.keys((parsed['PheDuyet'] as object[])[0] as object)).toEqual(['Cap', 'MaDonVi', 'ThoiGian', 'SoHieuChungThu', 'MaBamBienBan']);
    expect(canonicalJson(HoSo, record)).toBe(canonicalRecordJson(record));
  });
});

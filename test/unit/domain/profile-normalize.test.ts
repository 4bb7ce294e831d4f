import { describe, expect, it } from 'vitest';
import {
  normalizeChangeContent,
  normalizeProfile,
  normalizeRecord,
  normalizeText,
  normalizeValue,
} from '../../../src/domain/profile.ts';

const NFC = 'Nguyễn Thị Thu Hương';
const NFD = NFC.normalize('NFD');

describe('normalizeText', () => {
  it('NFD and NFC give the same bytes', () => {
    expect(NFD).not.toBe(NFC);
    expect(normalizeText(NFD)).toBe(NFC);
    expect(Buffer.from(normalizeText(NFD), 'utf8').equals(Buffer.from(NFC, 'utf8'))).toBe(true);
  });

  it.each([
    ['  Kinh  ', 'Kinh'],
    ['\tKinh\n', 'Kinh'],
    ['a\r\nb', 'a\nb'],
    ['a\rb', 'a\nb'],
    ['a\n\nb', 'a\n\nb'],
    ['Ho\u0300a', 'H\u00f2a'], // o + combining grave → precomposed ò
    ['\u1ebf', '\u1ebf'], // ế stays one code point
    ['e\u0302\u0301', '\u1ebf'], // e + circumflex + acute → ế
    ['\u00a0Kinh\u00a0', 'Kinh'], // no-break spaces are white space for trim
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(normalizeText(input)).toBe(output);
  });
});

describe('normalizeValue: empty optional elements are left out', () => {
  it.each([
    [null, undefined],
    [undefined, undefined],
    ['   ', undefined],
    [[], undefined],
    [[null, '', ' ', {}, []], undefined],
    [{}, undefined],
    [{ a: '', b: null, c: [] }, undefined],
    [{ a: { b: { c: ' ' } } }, undefined],
    [0, 0],
    [false, false],
    [{ BenVoChong: false }, { BenVoChong: false }],
    [['x', '', 'y'], ['x', 'y']],
    [{ a: ' x ', b: '' }, { a: 'x' }],
  ])('%j → %j', (input, output) => {
    expect(normalizeValue(input)).toEqual(output);
  });
});

describe('normalizeProfile', () => {
  it('normalises every string recursively and drops the empties', () => {
    const input = {
      HoTen: `  ${NFD} `,
      GioiTinh: 'NU',
      NgaySinh: '1988-03-15',
      TenGoiKhac: '',
      TonGiao: null,
      Luong: { MaNgach: '01.003', TenNgach: 'Chuyên viên'.normalize('NFD'), ViTriViecLam: '  ' },
      SucKhoe: { TinhTrang: '', NhomMau: '' },
      KyLuat: [],
      QuaTrinhCongTac: [{ TuThang: '2011-09', DonVi: 'Sở Nội vụ'.normalize('NFD'), ChucDanh: '' }, {}],
      NhanXetDanhGia: 'Tốt.\r\nKhá.',
    };
    expect(normalizeProfile(input)).toEqual({
      HoTen: NFC,
      GioiTinh: 'NU',
      NgaySinh: '1988-03-15',
      Luong: { MaNgach: '01.003', TenNgach: 'Chuyên viên' },
      QuaTrinhCongTac: [{ TuThang: '2011-09', DonVi: 'Sở Nội vụ' }],
      NhanXetDanhGia: 'Tốt.\nKhá.',
    });
  });

  it('is idempotent and does not touch its input', () => {
    const input = { HoTen: ` ${NFD}`, GioiTinh: 'NU', NgaySinh: '1988-03-15', KyLuat: [] };
    const copy = structuredClone(input);
    const once = normalizeProfile(input);
    expect(normalizeProfile(once)).toEqual(once);
    expect(input).toEqual(copy);
  });

  it('keeps unknown keys for validation to report', () => {
    expect(normalizeProfile({ HoTen: 'A', Khac: ' x ' })).toEqual({ HoTen: 'A', Khac: 'x' });
  });

  it.each([[null], ['text'], [[1]], [7]])('returns a non-object (%j) as it is', (v) => {
    expect(normalizeProfile(v)).toEqual(v);
  });

  it('an all-empty object stays an object', () => {
    expect(normalizeProfile({ HoTen: ' ' })).toEqual({});
  });
});

describe('normalizeRecord / normalizeChangeContent', () => {
  it('converts QCVN 102:2016 agency codes, leaves invalid ones for validation', () => {
    const record = {
      SoDinhDanh: '001188012345',
      MaDonViQuanLy: '000.00.19.H55',
      MaDonViSuDung: '000.05.19.H55',
      PhanLoai: 'CONG_CHUC',
      TrangThai: 'DANG_CONG_TAC',
      SoYeuLyLich: { HoTen: NFD, GioiTinh: 'NU', NgaySinh: '1988-03-15' },
      PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: '000.00.19.H55' }, { Cap: 'CO_QUAN', MaDonVi: 'bad' }],
    };
    const n = normalizeRecord(record) as unknown as Record<string, unknown>;
    expect(n['MaDonViQuanLy']).toBe('H55.19');
    expect(n['MaDonViSuDung']).toBe('H55.19.05');
    expect(n['PheDuyet']).toEqual([{ Cap: 'SO_NOI_VU', MaDonVi: 'H55.19' }, { Cap: 'CO_QUAN', MaDonVi: 'bad' }]);
    expect((n['SoYeuLyLich'] as { HoTen: string }).HoTen).toBe(NFC);
  });

  it('change content the same way', () => {
    const n = normalizeChangeContent({ MaDonViQuanLy: '000.00.00.H55', MaDonViSuDung: 'h55', NgayHieuLuc: '' });
    expect(n).toEqual({ MaDonViQuanLy: 'H55', MaDonViSuDung: 'h55' });
  });
});

import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import {
  assertValidProfile,
  isValidProfile,
  normalizeProfile,
  validateProfile,
  type SoYeuLyLich,
} from '../../../src/domain/profile.ts';

const today = '2026-11-24';

/** A complete CV touching every field and list of §6. */
function validProfile(): SoYeuLyLich {
  return {
    HoTen: 'Nguyễn Thị Thu Hương', GioiTinh: 'NU', TenGoiKhac: 'Hương', NgaySinh: '1988-03-15',
    NoiSinh: 'Xã Tân Lập, tỉnh Vĩnh Phúc', QueQuan: 'Xã Hòa Bình, tỉnh Nghệ An', DanToc: 'Kinh', TonGiao: 'Không',
    NgayCapCCCD: '2021-06-10', SoDienThoai: '0912345678', SoBHXH: '2612345678', SoTheBHYT: 'HC4262612345678',
    NoiOHienNay: 'Số 12, đường Lê Lợi, phường Quang Trung, tỉnh Vĩnh Phúc', NgheNghiepTruocTuyenDung: 'Sinh viên',
    NgayTuyenDung: '2011-09-01', CoQuanTuyenDung: 'Sở Nội vụ', NgayVaoCoQuan: '2015-03-01',
    NgayVaoDang: '2014-05-19', NgayChinhThucDang: '2015-05-19', TrinhDoGiaoDucPhoThong: '12/12',
    TrinhDoChuyenMon: 'Thạc sĩ Quản lý công', HocHam: 'Phó Giáo sư', DanhHieuNhaNuoc: 'Nhà giáo ưu tú',
    ChucVuHienTai: 'Phó Trưởng phòng', NgayBoNhiem: '2022-01-01', ChucVuKiemNhiem: 'Chủ tịch Công đoàn cơ sở',
    CongViecChinh: 'Tham mưu công tác tổ chức cán bộ',
    Luong: {
      MaNgach: '01.002', TenNgach: 'Chuyên viên chính', NgayBoNhiemNgach: '2020-01-01', BacLuong: 2, HeSoLuong: 4.74,
      NgayHuongLuong: '2023-01-01', PhanTramHuong: 100, PhuCapThamNienVuotKhung: 0, PhuCapChucVu: 0.4, ViTriViecLam: 'Chuyên viên quản lý nhân sự',
    },
    SucKhoe: { TinhTrang: 'Tốt', ChieuCao: 158, CanNang: 50.5, NhomMau: 'O' },
    QuaTrinhDaoTao: [
      { Loai: 'CHUYEN_MON', TuThang: '2006-09', DenThang: '2010-06', CoSoDaoTao: 'Học viện Hành chính Quốc gia', ChuyenNganh: 'Hành chính học', HinhThuc: 'Chính quy', VanBang: 'Cử nhân' },
      { Loai: 'NGOAI_NGU', TuThang: '2026-09', DenThang: '2027-03', VanBang: 'Tiếng Anh bậc 4 (B2)' },
    ],
    QuaTrinhCongTac: [
      { TuThang: '2011-09', DenThang: '2015-02', DonVi: 'Sở Nội vụ', ChucDanh: 'Chuyên viên' },
      { TuThang: '2015-03', DonVi: 'Văn phòng Ủy ban nhân dân tỉnh', ChucDanh: 'Phó Trưởng phòng' },
    ],
    KhenThuong: [{ Nam: 2024, XepLoaiChuyenMon: 'Hoàn thành xuất sắc nhiệm vụ', XepLoaiThiDua: 'Chiến sĩ thi đua cơ sở', HinhThuc: 'Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh' }],
    KyLuat: [{ TuNgay: '2019-04-01', DenNgay: '2027-04-01', HinhThuc: 'Khiển trách', HanhVi: 'Vi phạm quy định về thời giờ làm việc', CoQuanQuyetDinh: 'Giám đốc Sở Nội vụ' }],
    QuanHeGiaDinh: [
      { MoiQuanHe: 'Bố đẻ', HoTen: 'Nguyễn Văn Bình', NamSinh: 1960, ThongTin: 'Nông dân', BenVoChong: false },
      { MoiQuanHe: 'Mẹ chồng', HoTen: "H'Hen Niê", NamSinh: 1962, BenVoChong: true },
    ],
    QuaTrinhLuong: [
      { TuThang: '2011-09', DenThang: '2019-12', MaNgach: '01.003', BacLuong: 3, HeSoLuong: 3 },
      { TuThang: '2020-01', MaNgach: '01.002', BacLuong: 1, HeSoLuong: 4.4 },
    ],
    NhanXetDanhGia: 'Hoàn thành tốt nhiệm vụ.\nCó tinh thần trách nhiệm.',
  };
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Case = [string, (p: Any) => void, string, 'MISSING_FIELD' | 'INVALID_VALUE', string];

const cases: Case[] = [
  // required
  ['HoTen missing', (p) => delete p.HoTen, 'HoTen', 'MISSING_FIELD', 'REQUIRED'],
  ['GioiTinh missing', (p) => delete p.GioiTinh, 'GioiTinh', 'MISSING_FIELD', 'REQUIRED'],
  ['NgaySinh missing', (p) => delete p.NgaySinh, 'NgaySinh', 'MISSING_FIELD', 'REQUIRED'],
  ['DaoTao.Loai missing', (p) => delete p.QuaTrinhDaoTao[1].Loai, 'QuaTrinhDaoTao[1].Loai', 'MISSING_FIELD', 'REQUIRED'],
  ['CongTac.DonVi missing', (p) => delete p.QuaTrinhCongTac[0].DonVi, 'QuaTrinhCongTac[0].DonVi', 'MISSING_FIELD', 'REQUIRED'],
  ['KhenThuong.Nam missing', (p) => delete p.KhenThuong[0].Nam, 'KhenThuong[0].Nam', 'MISSING_FIELD', 'REQUIRED'],
  ['KyLuat.HinhThuc missing', (p) => delete p.KyLuat[0].HinhThuc, 'KyLuat[0].HinhThuc', 'MISSING_FIELD', 'REQUIRED'],
  ['ThanhVien.HoTen missing', (p) => delete p.QuanHeGiaDinh[0].HoTen, 'QuanHeGiaDinh[0].HoTen', 'MISSING_FIELD', 'REQUIRED'],
  ['QuaTrinhLuong.HeSoLuong missing', (p) => delete p.QuaTrinhLuong[0].HeSoLuong, 'QuaTrinhLuong[0].HeSoLuong', 'MISSING_FIELD', 'REQUIRED'],
  ['NgayChinhThucDang without NgayVaoDang', (p) => delete p.NgayVaoDang, 'NgayVaoDang', 'MISSING_FIELD', 'REQUIRED_WITH'],
  // shape
  ['HoTen a number', (p) => (p.HoTen = 42), 'HoTen', 'INVALID_VALUE', 'TYPE'],
  ['Luong an array', (p) => (p.Luong = []), 'Luong', 'INVALID_VALUE', 'TYPE'],
  ['QuaTrinhDaoTao an object', (p) => (p.QuaTrinhDaoTao = { Loai: 'TIN_HOC' }), 'QuaTrinhDaoTao', 'INVALID_VALUE', 'TYPE'],
  ['BacLuong not an integer', (p) => (p.Luong.BacLuong = 2.5), 'Luong.BacLuong', 'INVALID_VALUE', 'TYPE'],
  ['HeSoLuong a string', (p) => (p.Luong.HeSoLuong = '4.74'), 'Luong.HeSoLuong', 'INVALID_VALUE', 'TYPE'],
  ['HeSoLuong NaN', (p) => (p.Luong.HeSoLuong = Number.NaN), 'Luong.HeSoLuong', 'INVALID_VALUE', 'TYPE'],
  ['BenVoChong a string', (p) => (p.QuanHeGiaDinh[0].BenVoChong = 'false'), 'QuanHeGiaDinh[0].BenVoChong', 'INVALID_VALUE', 'TYPE'],
  ['null where a value is expected', (p) => (p.DanToc = null), 'DanToc', 'INVALID_VALUE', 'TYPE'],
  ['unknown top-level field', (p) => (p.SoCMND = '123456789'), 'SoCMND', 'INVALID_VALUE', 'UNKNOWN_FIELD'],
  ['unknown nested field', (p) => (p.Luong.PhuCapKhac = 0.1), 'Luong.PhuCapKhac', 'INVALID_VALUE', 'UNKNOWN_FIELD'],
  ['empty string', (p) => (p.DanToc = ''), 'DanToc', 'INVALID_VALUE', 'EMPTY'],
  ['empty list', (p) => (p.KyLuat = []), 'KyLuat', 'INVALID_VALUE', 'EMPTY'],
  ['HoTen too long', (p) => (p.HoTen = 'A'.repeat(101)), 'HoTen', 'INVALID_VALUE', 'TOO_LONG'],
  ['NhanXetDanhGia too long', (p) => (p.NhanXetDanhGia = 'a'.repeat(2001)), 'NhanXetDanhGia', 'INVALID_VALUE', 'TOO_LONG'],
  ['too many rewards', (p) => (p.KhenThuong = Array.from({ length: 201 }, () => ({ Nam: 2020 }))), 'KhenThuong', 'INVALID_VALUE', 'TOO_MANY'],
  // formats
  ['phone with +84', (p) => (p.SoDienThoai = '+84912345678'), 'SoDienThoai', 'INVALID_VALUE', 'FORMAT'],
  ['phone with spaces', (p) => (p.SoDienThoai = '0912 345 678'), 'SoDienThoai', 'INVALID_VALUE', 'FORMAT'],
  ['phone too short', (p) => (p.SoDienThoai = '091234567'), 'SoDienThoai', 'INVALID_VALUE', 'FORMAT'],
  ['BHXH 9 digits', (p) => (p.SoBHXH = '261234567'), 'SoBHXH', 'INVALID_VALUE', 'FORMAT'],
  ['BHYT lower case', (p) => (p.SoTheBHYT = 'hc4262612345678'), 'SoTheBHYT', 'INVALID_VALUE', 'FORMAT'],
  ['MaNgach 01.3', (p) => (p.Luong.MaNgach = '01.3'), 'Luong.MaNgach', 'INVALID_VALUE', 'FORMAT'],
  ['MaNgach V.7.01.03', (p) => (p.Luong.MaNgach = 'V.7.01.03'), 'Luong.MaNgach', 'INVALID_VALUE', 'FORMAT'],
  ['MaNgach in history', (p) => (p.QuaTrinhLuong[0].MaNgach = 'CV'), 'QuaTrinhLuong[0].MaNgach', 'INVALID_VALUE', 'FORMAT'],
  ['NgaySinh dd/mm/yyyy', (p) => (p.NgaySinh = '15/03/1988'), 'NgaySinh', 'INVALID_VALUE', 'FORMAT'],
  ['TuThang month 13', (p) => (p.QuaTrinhCongTac[0].TuThang = '2011-13'), 'QuaTrinhCongTac[0].TuThang', 'INVALID_VALUE', 'FORMAT'],
  ['TuThang a full date', (p) => (p.QuaTrinhDaoTao[0].TuThang = '2006-09-01'), 'QuaTrinhDaoTao[0].TuThang', 'INVALID_VALUE', 'FORMAT'],
  ['NgaySinh 30 February', (p) => (p.NgaySinh = '1988-02-30'), 'NgaySinh', 'INVALID_VALUE', 'NOT_A_DATE'],
  ['NgayHuongLuong 31 April', (p) => (p.Luong.NgayHuongLuong = '2023-04-31'), 'Luong.NgayHuongLuong', 'INVALID_VALUE', 'NOT_A_DATE'],
  ['GioiTinh lower case', (p) => (p.GioiTinh = 'nu'), 'GioiTinh', 'INVALID_VALUE', 'ENUM'],
  ['DaoTao.Loai unknown', (p) => (p.QuaTrinhDaoTao[0].Loai = 'KHAC'), 'QuaTrinhDaoTao[0].Loai', 'INVALID_VALUE', 'ENUM'],
  // ranges and decimals
  ['BacLuong 0', (p) => (p.Luong.BacLuong = 0), 'Luong.BacLuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['BacLuong 17', (p) => (p.Luong.BacLuong = 17), 'Luong.BacLuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['HeSoLuong 0.99', (p) => (p.Luong.HeSoLuong = 0.99), 'Luong.HeSoLuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['HeSoLuong 10.01', (p) => (p.Luong.HeSoLuong = 10.01), 'Luong.HeSoLuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['PhanTramHuong 101', (p) => (p.Luong.PhanTramHuong = 101), 'Luong.PhanTramHuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['PhanTramHuong -1', (p) => (p.Luong.PhanTramHuong = -1), 'Luong.PhanTramHuong', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['vượt khung 100.5', (p) => (p.Luong.PhuCapThamNienVuotKhung = 100.5), 'Luong.PhuCapThamNienVuotKhung', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['PhuCapChucVu 2.5', (p) => (p.Luong.PhuCapChucVu = 2.5), 'Luong.PhuCapChucVu', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['ChieuCao 99', (p) => (p.SucKhoe.ChieuCao = 99), 'SucKhoe.ChieuCao', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['ChieuCao 1.58 (metres)', (p) => (p.SucKhoe.ChieuCao = 1.58), 'SucKhoe.ChieuCao', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['CanNang 251', (p) => (p.SucKhoe.CanNang = 251), 'SucKhoe.CanNang', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['NamSinh 1799', (p) => (p.QuanHeGiaDinh[0].NamSinh = 1799), 'QuanHeGiaDinh[0].NamSinh', 'INVALID_VALUE', 'OUT_OF_RANGE'],
  ['HeSoLuong 4.745', (p) => (p.Luong.HeSoLuong = 4.745), 'Luong.HeSoLuong', 'INVALID_VALUE', 'DECIMALS'],
  ['CanNang 50.555', (p) => (p.SucKhoe.CanNang = 50.555), 'SucKhoe.CanNang', 'INVALID_VALUE', 'DECIMALS'],
  ['history HeSoLuong float noise', (p) => (p.QuaTrinhLuong[0].HeSoLuong = 2.1 + 0.31 * 3), 'QuaTrinhLuong[0].HeSoLuong', 'INVALID_VALUE', 'DECIMALS'],
  // text hygiene
  ['bell character', (p) => (p.NoiSinh = 'Xã Tân\u0007 Lập'), 'NoiSinh', 'INVALID_VALUE', 'CONTROL_CHAR'],
  ['carriage return', (p) => (p.NhanXetDanhGia = 'Tốt.\r\nKhá.'), 'NhanXetDanhGia', 'INVALID_VALUE', 'CONTROL_CHAR'],
  ['lone surrogate', (p) => (p.DanToc = 'Kinh\uD800'), 'DanToc', 'INVALID_VALUE', 'CONTROL_CHAR'],
  ['U+FFFE', (p) => (p.TonGiao = 'Không\uFFFE'), 'TonGiao', 'INVALID_VALUE', 'CONTROL_CHAR'],
  ['NFD text', (p) => (p.QueQuan = p.QueQuan.normalize('NFD')), 'QueQuan', 'INVALID_VALUE', 'NOT_NFC'],
  ['untrimmed text', (p) => (p.DanToc = ' Kinh'), 'DanToc', 'INVALID_VALUE', 'NOT_TRIMMED'],
  ['name with a digit', (p) => (p.HoTen = 'Nguyễn Văn 3'), 'HoTen', 'INVALID_VALUE', 'NAME_CHARS'],
  ['name with two spaces', (p) => (p.HoTen = 'Nguyễn  Văn An'), 'HoTen', 'INVALID_VALUE', 'NAME_CHARS'],
  ['family member name with @', (p) => (p.QuanHeGiaDinh[1].HoTen = 'Lê @n'), 'QuanHeGiaDinh[1].HoTen', 'INVALID_VALUE', 'NAME_CHARS'],
  // dates in time
  ['born in the future', (p) => (p.NgaySinh = '2026-11-25'), 'NgaySinh', 'INVALID_VALUE', 'IN_FUTURE'],
  ['recruited tomorrow', (p) => (p.NgayTuyenDung = '2026-11-25'), 'NgayTuyenDung', 'INVALID_VALUE', 'IN_FUTURE'],
  ['CCCD issued in the future', (p) => (p.NgayCapCCCD = '2027-01-01'), 'NgayCapCCCD', 'INVALID_VALUE', 'IN_FUTURE'],
  ['grade appointed in the future', (p) => (p.Luong.NgayBoNhiemNgach = '2026-12-01'), 'Luong.NgayBoNhiemNgach', 'INVALID_VALUE', 'IN_FUTURE'],
  ['work from next month', (p) => (p.QuaTrinhCongTac[1].TuThang = '2026-12'), 'QuaTrinhCongTac[1].TuThang', 'INVALID_VALUE', 'IN_FUTURE'],
  ['work until next month', (p) => (p.QuaTrinhCongTac[0].DenThang = '2026-12'), 'QuaTrinhCongTac[0].DenThang', 'INVALID_VALUE', 'IN_FUTURE'],
  ['salary history until next month', (p) => (p.QuaTrinhLuong[0].DenThang = '2026-12'), 'QuaTrinhLuong[0].DenThang', 'INVALID_VALUE', 'IN_FUTURE'],
  ['training starting next month', (p) => (p.QuaTrinhDaoTao[1].TuThang = '2026-12'), 'QuaTrinhDaoTao[1].TuThang', 'INVALID_VALUE', 'IN_FUTURE'],
  ['discipline from tomorrow', (p) => (p.KyLuat[0].TuNgay = '2026-11-25'), 'KyLuat[0].TuNgay', 'INVALID_VALUE', 'IN_FUTURE'],
  ['reward next year', (p) => (p.KhenThuong[0].Nam = 2027), 'KhenThuong[0].Nam', 'INVALID_VALUE', 'IN_FUTURE'],
  ['relative born next year', (p) => (p.QuanHeGiaDinh[0].NamSinh = 2027), 'QuanHeGiaDinh[0].NamSinh', 'INVALID_VALUE', 'IN_FUTURE'],
  ['recruited before birth', (p) => (p.NgayTuyenDung = '1988-03-14'), 'NgayTuyenDung', 'INVALID_VALUE', 'BEFORE_BIRTH'],
  ['salary date before birth', (p) => (p.Luong.NgayHuongLuong = '1980-01-01'), 'Luong.NgayHuongLuong', 'INVALID_VALUE', 'BEFORE_BIRTH'],
  ['training before the birth month', (p) => (p.QuaTrinhDaoTao[0].TuThang = '1988-02'), 'QuaTrinhDaoTao[0].TuThang', 'INVALID_VALUE', 'BEFORE_BIRTH'],
  ['reward before the birth year', (p) => (p.KhenThuong[0].Nam = 1987), 'KhenThuong[0].Nam', 'INVALID_VALUE', 'BEFORE_BIRTH'],
  ['101 years old', (p) => (p.NgaySinh = '1925-11-24'), 'NgaySinh', 'INVALID_VALUE', 'AGE_RANGE'],
  ['training ends before it starts', (p) => (p.QuaTrinhDaoTao[0].DenThang = '2006-08'), 'QuaTrinhDaoTao[0].DenThang', 'INVALID_VALUE', 'RANGE_ORDER'],
  ['work ends before it starts', (p) => (p.QuaTrinhCongTac[0].DenThang = '2011-08'), 'QuaTrinhCongTac[0].DenThang', 'INVALID_VALUE', 'RANGE_ORDER'],
  ['salary step ends before it starts', (p) => (p.QuaTrinhLuong[0].DenThang = '2011-08'), 'QuaTrinhLuong[0].DenThang', 'INVALID_VALUE', 'RANGE_ORDER'],
  ['discipline ends before it starts', (p) => (p.KyLuat[0].DenNgay = '2019-03-31'), 'KyLuat[0].DenNgay', 'INVALID_VALUE', 'RANGE_ORDER'],
  ['official member before joining', (p) => (p.NgayChinhThucDang = '2014-05-18'), 'NgayChinhThucDang', 'INVALID_VALUE', 'RANGE_ORDER'],
];

describe('validateProfile', () => {
  it('accepts the complete fixture', () => {
    expect(validateProfile(validProfile(), { today })).toEqual([]);
    expect(isValidProfile(validProfile(), { today })).toBe(true);
  });

  it.each(cases)('%s → %s %s %s', (_name, mutate, path, code, reason) => {
    const p = validProfile() as Any;
    mutate(p);
    expect(validateProfile(p, { today })).toEqual([{ path, code, reason }]);
  });

  it.each([
    ['exactly 15 today', '2011-11-24', []],
    ['15 tomorrow', '2011-11-25', [{ path: 'NgaySinh', code: 'INVALID_VALUE', reason: 'AGE_RANGE' }]],
    ['exactly 100 today', '1926-11-24', []],
    ['101 today', '1925-11-24', [{ path: 'NgaySinh', code: 'INVALID_VALUE', reason: 'AGE_RANGE' }]],
  ])('age bounds (15–100, inclusive): %s', (_n, birth, issues) => {
    expect(validateProfile({ HoTen: 'Lê Văn Tám', GioiTinh: 'NAM', NgaySinh: birth }, { today })).toEqual(issues);
  });

  it.each([
    ['NgayHuongLuong (a raise from next month)', (p: Any) => (p.Luong.NgayHuongLuong = '2026-12-01')],
    ['DaoTao.DenThang (training under way)', (p: Any) => (p.QuaTrinhDaoTao[1].DenThang = '2028-06')],
    ['KyLuat.DenNgay (discipline still running)', (p: Any) => (p.KyLuat[0].DenNgay = '2027-12-31')],
    ['today itself', (p: Any) => (p.NgayBoNhiem = today)],
  ])('may lie ahead: %s', (_n, mutate) => {
    const p = validProfile() as Any;
    mutate(p);
    expect(validateProfile(p, { today })).toEqual([]);
  });

  it.each([['15a.201'], ['V.07.03.29'], ['13.095'], ['06.031']])('MaNgach %s is accepted', (code) => {
    const p = validProfile() as Any;
    p.Luong.MaNgach = code;
    expect(validateProfile(p, { today })).toEqual([]);
  });

  it('reports every issue at once', () => {
    const p = validProfile() as Any;
    delete p.HoTen;
    p.GioiTinh = 'X';
    p.Luong.HeSoLuong = 11;
    p.QuaTrinhCongTac[0].DenThang = '2010-01';
    p.Extra = 1;
    expect(validateProfile(p, { today })).toEqual([
      { path: 'HoTen', code: 'MISSING_FIELD', reason: 'REQUIRED' },
      { path: 'GioiTinh', code: 'INVALID_VALUE', reason: 'ENUM' },
      { path: 'Luong.HeSoLuong', code: 'INVALID_VALUE', reason: 'OUT_OF_RANGE' },
      { path: 'Extra', code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' },
      { path: 'QuaTrinhCongTac[0].DenThang', code: 'INVALID_VALUE', reason: 'RANGE_ORDER' },
    ]);
  });

  it.each([[null], ['a string'], [[]], [42]])('a non-object (%j) is one TYPE issue', (value) => {
    expect(validateProfile(value, { today })).toEqual([{ path: '', code: 'INVALID_VALUE', reason: 'TYPE' }]);
  });

  it('an empty object lacks the three required fields', () => {
    expect(validateProfile({}, { today }).map((i) => i.path)).toEqual(['HoTen', 'GioiTinh', 'NgaySinh']);
  });

  it('a normalised NFD, padded, CRLF profile is valid', () => {
    const p = validProfile() as Any;
    p.HoTen = `  ${p.HoTen.normalize('NFD')} `;
    p.NhanXetDanhGia = 'Tốt.\r\nKhá.'.normalize('NFD');
    p.TenGoiKhac = '   ';
    p.KyLuat = [];
    expect(validateProfile(normalizeProfile(p), { today })).toEqual([]);
  });

  it('refuses a bad `today` (a programming error)', () => {
    expect(() => validateProfile(validProfile(), { today: '24/11/2026' })).toThrow();
  });
});

describe('assertValidProfile', () => {
  it('passes a valid profile', () => {
    expect(() => assertValidProfile(validProfile(), { today })).not.toThrow();
  });

  it('throws INVALID_PROFILE with the issues', () => {
    const p = validProfile() as Any;
    p.SoBHXH = 'abc';
    try {
      assertValidProfile(p, { today });
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'INVALID_PROFILE')).toBe(true);
      expect((err as { details: unknown }).details).toEqual({ issues: [{ path: 'SoBHXH', code: 'INVALID_VALUE', reason: 'FORMAT' }] });
    }
  });
});

// Records for the XML tests: a deep one (every field, every child table, Vietnamese text, the five
// characters XML escapes) and a minimal one (only what §6 requires). All dates are valid on TODAY.
import { buildPersonalId } from '../../../../src/domain/personal-id.ts';
import type { HoSo } from '../../../../src/domain/profile.ts';
import type { BatchHeader } from '../../../../src/exchange/xml/batch-document.ts';

export const TODAY = '2026-11-30';

const HASH = 'ab'.repeat(32);

export function minimalRecord(i = 0): HoSo {
  return {
    SoDinhDanh: buildPersonalId({ provinceCode: 1, birthDate: '1990-01-02', gender: 'NAM', random6: i }),
    MaDonViQuanLy: 'H55.19',
    MaDonViSuDung: 'H55.19.05',
    PhanLoai: 'CONG_CHUC',
    TrangThai: 'DANG_CONG_TAC',
    SoYeuLyLich: { HoTen: 'Trần Văn Bình', GioiTinh: 'NAM', NgaySinh: '1990-01-02' },
    PheDuyet: [
      { Cap: 'SO_NOI_VU', MaDonVi: 'H55', ThoiGian: '2026-11-28T10:15:00+07:00', SoHieuChungThu: '0A1B2C', MaBamBienBan: HASH },
    ],
  };
}

export function deepRecord(i = 0): HoSo {
  return {
    SoDinhDanh: buildPersonalId({ provinceCode: 1 + (i % 96), birthDate: '1985-03-15', gender: 'NU', random6: i % 1_000_000 }),
    MaDonViQuanLy: 'H55.19',
    MaDonViSuDung: 'H55.19.05',
    PhanLoai: 'VIEN_CHUC',
    TrangThai: 'DANG_CONG_TAC',
    NgayHieuLuc: '2026-12-01',
    SoYeuLyLich: {
      HoTen: 'Nguyễn Thị Ánh Tuyết',
      GioiTinh: 'NU',
      TenGoiKhac: `"Tí" <bé> & 'út'`,
      NgaySinh: '1985-03-15',
      NoiSinh: 'Xã Hòa Khánh, huyện Cái Bè, tỉnh Tiền Giang',
      QueQuan: 'Phường Đông Ba, thành phố Huế',
      DanToc: 'Kinh',
      TonGiao: 'Không',
      NgayCapCCCD: '2021-06-10',
      SoDienThoai: '0912345678',
      SoBHXH: '7912345678',
      SoTheBHYT: 'DN4797912345678',
      NoiOHienNay: 'Số 12 & 14, đường Lê Lợi <tầng 3>, "khu A", phố Huế',
      NgheNghiepTruocTuyenDung: 'Giáo viên hợp đồng',
      NgayTuyenDung: '2008-09-01',
      CoQuanTuyenDung: 'Sở Giáo dục và Đào tạo',
      NgayVaoCoQuan: '2008-09-01',
      NgayVaoDang: '2012-05-19',
      NgayChinhThucDang: '2013-05-19',
      TrinhDoGiaoDucPhoThong: '12/12',
      TrinhDoChuyenMon: 'Thạc sĩ Quản lý giáo dục',
      HocHam: 'Không',
      DanhHieuNhaNuoc: 'Nhà giáo ưu tú',
      ChucVuHienTai: 'Phó Hiệu trưởng',
      NgayBoNhiem: '2019-08-15',
      ChucVuKiemNhiem: 'Chủ tịch Công đoàn',
      CongViecChinh: 'Quản lý chuyên môn; dạy Ngữ văn',
      Luong: {
        MaNgach: 'V.07.05.14',
        TenNgach: 'Giáo viên trung học phổ thông hạng II',
        NgayBoNhiemNgach: '2020-01-01',
        BacLuong: 5,
        HeSoLuong: 5.36,
        NgayHuongLuong: '2026-12-01',
        PhanTramHuong: 100,
        PhuCapThamNienVuotKhung: 0,
        PhuCapChucVu: 0.2,
        ViTriViecLam: 'Phó Hiệu trưởng trường trung học phổ thông',
      },
      SucKhoe: { TinhTrang: 'Tốt', ChieuCao: 158.5, CanNang: 52, NhomMau: 'O' },
      QuaTrinhDaoTao: [
        { Loai: 'CHUYEN_MON', TuThang: '2003-09', DenThang: '2007-06', CoSoDaoTao: 'Đại học Sư phạm Huế', ChuyenNganh: 'Ngữ văn', HinhThuc: 'Chính quy', VanBang: 'Cử nhân' },
        { Loai: 'LY_LUAN_CHINH_TRI', TuThang: '2015-03', DenThang: '2016-03', CoSoDaoTao: 'Trường Chính trị tỉnh', VanBang: 'Trung cấp' },
        { Loai: 'NGOAI_NGU', VanBang: 'B1 (khung 6 bậc)' },
      ],
      QuaTrinhCongTac: [
        { TuThang: '2008-09', DenThang: '2019-07', DonVi: 'Trường THPT Nguyễn Huệ', ChucDanh: 'Giáo viên' },
        { TuThang: '2019-08', DonVi: 'Trường THPT Hai Bà Trưng', ChucDanh: 'Phó Hiệu trưởng' },
      ],
      KhenThuong: [
        { Nam: 2023, XepLoaiChuyenMon: 'Hoàn thành xuất sắc nhiệm vụ', XepLoaiThiDua: 'Chiến sĩ thi đua cơ sở', HinhThuc: 'Bằng khen của UBND tỉnh' },
        { Nam: 2024, XepLoaiChuyenMon: 'Hoàn thành tốt nhiệm vụ' },
      ],
      KyLuat: [{ TuNgay: '2017-02-01', DenNgay: '2018-02-01', HinhThuc: 'Khiển trách', HanhVi: 'Vi phạm quy chế "chuyên môn" & <nội quy>', CoQuanQuyetDinh: 'Sở GD&ĐT' }],
      QuanHeGiaDinh: [
        { MoiQuanHe: 'Bố', HoTen: 'Nguyễn Văn Hùng', NamSinh: 1955, ThongTin: 'Hưu trí', BenVoChong: false },
        { MoiQuanHe: 'Chồng', HoTen: 'Lê Quang Đạo', NamSinh: 1983, ThongTin: 'Kỹ sư xây dựng', BenVoChong: true },
        { MoiQuanHe: 'Con', HoTen: "Lê Hoàng O'Neil" },
      ],
      QuaTrinhLuong: [
        { TuThang: '2008-09', DenThang: '2011-08', MaNgach: '15.113', BacLuong: 1, HeSoLuong: 2.34 },
        { TuThang: '2020-01', MaNgach: 'V.07.05.14', BacLuong: 5, HeSoLuong: 5.36 },
      ],
      NhanXetDanhGia: 'Phẩm chất tốt; năng lực > yêu cầu & có uy tín.\nĐề nghị tiếp tục bổ nhiệm.',
    },
    PheDuyet: [
      { Cap: 'CO_QUAN', MaDonVi: 'H55.19.05', ThoiGian: '2026-11-26T09:00:00+07:00', SoHieuChungThu: '5F3A00C1', MaBamBienBan: HASH },
      { Cap: 'SO_NOI_VU', MaDonVi: 'H55', ThoiGian: '2026-11-28T10:15:00+07:00', SoHieuChungThu: '0A1B2C', MaBamBienBan: HASH },
    ],
  };
}

export function header(recordCount: number, period: string | null = '2026-11'): BatchHeader {
  return { batchId: 'H55-2026-11-0001', senderCode: 'H55.19', period, createdAt: '2026-11-30T23:00:00+07:00', recordCount };
}

/** Decomposes every string (Vietnamese typed as NFD). */
export function toNfd<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? v.normalize('NFD') : v)) as T;
}

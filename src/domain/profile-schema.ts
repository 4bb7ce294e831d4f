// The national record (NATIONAL_API.md §6) as TypeBox schemas: the TT 06/2023/TT-BNV curriculum vitae
// `SoYeuLyLich`, the record envelope `HoSo` and its approval chain `PheDuyet`. Property order here IS the
// §6 element order: canonical JSON and the XML builder both walk the schema's `properties` in order, so
// never sort or regroup them. Field names are the XML element names.
//
// JSON shape: a list element (`QuaTrinhDaoTao`) holds an array of its items (`DaoTao`); the item element
// names are in LIST_ITEM_ELEMENT. Decimals are JSON numbers with at most 2 decimals (see decimal-text.ts).
// The schemas use only standard JSON Schema keywords (ASCII patterns, `format: 'date'`), so the HTTP layer
// can hand them to any validator; rules a schema cannot say (real dates, age, ordering, NFC) live in
// profile-validate.ts.

import Type from 'typebox';
import { CAP_PHE_DUYET, GIOI_TINH, LOAI_DAO_TAO, PHAN_LOAI, TRANG_THAI } from './profile-enums.ts';

/** Limits on free text: a line of the form, and the long comment fields. */
export const TEXT_MAX = 255;
export const LONG_TEXT_MAX = 2000;
/** Upper bound on each history list: far above any real CV, low enough to bound a record's size. */
export const LIST_MAX = 200;

const text = () => Type.String({ minLength: 1, maxLength: TEXT_MAX });
const longText = () => Type.String({ minLength: 1, maxLength: LONG_TEXT_MAX });
const date = () => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' });
const month = () => Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' });
const year = () => Type.Integer({ minimum: 1800, maximum: 2299 });
const opt = Type.Optional;
const closed = { additionalProperties: false } as const;

/** Grade / professional-title code (mã ngạch, mã chức danh nghề nghiệp): `01.003`, `15a.201`, `V.07.01.03`. */
export const MA_NGACH_PATTERN = '^(\\d{2}[a-z]?\\.\\d{3}|V\\.\\d{2}\\.\\d{2}\\.\\d{2})$';
export const AGENCY_CODE_PATTERN = '^[A-Z0-9.]{1,35}$';
export const PERSONAL_ID_PATTERN = '^\\d{12}$';

export const Luong = Type.Object(
  {
    MaNgach: opt(Type.String({ pattern: MA_NGACH_PATTERN })),
    TenNgach: opt(text()),
    NgayBoNhiemNgach: opt(date()),
    BacLuong: opt(Type.Integer({ minimum: 1, maximum: 16 })),
    HeSoLuong: opt(Type.Number({ minimum: 1, maximum: 10 })),
    NgayHuongLuong: opt(date()),
    PhanTramHuong: opt(Type.Number({ minimum: 0, maximum: 100 })),
    PhuCapThamNienVuotKhung: opt(Type.Number({ minimum: 0, maximum: 100 })),
    /** Position allowance coefficient (hệ số phụ cấp chức vụ); the highest in NĐ 204/2004 is 1.30. */
    PhuCapChucVu: opt(Type.Number({ minimum: 0, maximum: 2 })),
    ViTriViecLam: opt(text()),
  },
  closed,
);

export const SucKhoe = Type.Object(
  {
    TinhTrang: opt(text()),
    /** cm */
    ChieuCao: opt(Type.Number({ minimum: 100, maximum: 250 })),
    /** kg */
    CanNang: opt(Type.Number({ minimum: 25, maximum: 250 })),
    NhomMau: opt(Type.String({ minLength: 1, maxLength: 20 })),
  },
  closed,
);

export const DaoTao = Type.Object(
  {
    Loai: Type.Enum(LOAI_DAO_TAO),
    TuThang: opt(month()),
    DenThang: opt(month()),
    CoSoDaoTao: opt(text()),
    ChuyenNganh: opt(text()),
    HinhThuc: opt(text()),
    VanBang: opt(text()),
  },
  closed,
);

export const CongTac = Type.Object(
  {
    TuThang: month(),
    DenThang: opt(month()),
    DonVi: text(),
    ChucDanh: opt(text()),
  },
  closed,
);

export const KhenThuongMuc = Type.Object(
  {
    Nam: year(),
    XepLoaiChuyenMon: opt(text()),
    XepLoaiThiDua: opt(text()),
    HinhThuc: opt(text()),
  },
  closed,
);

export const KyLuatMuc = Type.Object(
  {
    TuNgay: date(),
    DenNgay: opt(date()),
    HinhThuc: text(),
    HanhVi: opt(longText()),
    CoQuanQuyetDinh: opt(text()),
  },
  closed,
);

export const ThanhVien = Type.Object(
  {
    MoiQuanHe: text(),
    HoTen: Type.String({ minLength: 1, maxLength: 100 }),
    NamSinh: opt(year()),
    ThongTin: opt(longText()),
    BenVoChong: opt(Type.Boolean()),
  },
  closed,
);

export const QuaTrinhLuongMuc = Type.Object(
  {
    TuThang: month(),
    DenThang: opt(month()),
    MaNgach: opt(Type.String({ pattern: MA_NGACH_PATTERN })),
    BacLuong: opt(Type.Integer({ minimum: 1, maximum: 16 })),
    HeSoLuong: Type.Number({ minimum: 1, maximum: 10 }),
  },
  closed,
);

const list = <T extends Parameters<typeof Type.Array>[0]>(item: T) => opt(Type.Array(item, { minItems: 1, maxItems: LIST_MAX }));

/** The curriculum vitae of the TT 06/2023/TT-BNV template, in §6 order. */
export const SoYeuLyLich = Type.Object(
  {
    HoTen: Type.String({ minLength: 1, maxLength: 100 }),
    GioiTinh: Type.Enum(GIOI_TINH),
    TenGoiKhac: opt(text()),
    NgaySinh: date(),
    NoiSinh: opt(text()),
    QueQuan: opt(text()),
    DanToc: opt(text()),
    TonGiao: opt(text()),
    NgayCapCCCD: opt(date()),
    /** Domestic form, digits only: 0 and 9–10 digits (mobile 10, landline 11). */
    SoDienThoai: opt(Type.String({ pattern: '^0\\d{9,10}$' })),
    /** Social-insurance number (mã số BHXH): 10 digits. */
    SoBHXH: opt(Type.String({ pattern: '^\\d{10}$' })),
    /** Health-insurance card: 2 letters + 13 digits (old card), or the 10-digit BHXH number (new card). */
    SoTheBHYT: opt(Type.String({ pattern: '^([A-Z]{2}\\d{13}|\\d{10})$' })),
    NoiOHienNay: opt(text()),
    NgheNghiepTruocTuyenDung: opt(text()),
    NgayTuyenDung: opt(date()),
    CoQuanTuyenDung: opt(text()),
    NgayVaoCoQuan: opt(date()),
    NgayVaoDang: opt(date()),
    NgayChinhThucDang: opt(date()),
    TrinhDoGiaoDucPhoThong: opt(Type.String({ minLength: 1, maxLength: 20 })),
    TrinhDoChuyenMon: opt(text()),
    HocHam: opt(text()),
    DanhHieuNhaNuoc: opt(text()),
    ChucVuHienTai: opt(text()),
    NgayBoNhiem: opt(date()),
    ChucVuKiemNhiem: opt(text()),
    CongViecChinh: opt(text()),
    Luong: opt(Luong),
    SucKhoe: opt(SucKhoe),
    QuaTrinhDaoTao: list(DaoTao),
    QuaTrinhCongTac: list(CongTac),
    KhenThuong: list(KhenThuongMuc),
    KyLuat: list(KyLuatMuc),
    QuanHeGiaDinh: list(ThanhVien),
    QuaTrinhLuong: list(QuaTrinhLuongMuc),
    NhanXetDanhGia: opt(longText()),
  },
  closed,
);

/** One signed approval of the record (agency head or Sở Nội vụ). */
export const CapPheDuyet = Type.Object(
  {
    Cap: Type.Enum(CAP_PHE_DUYET),
    MaDonVi: Type.String({ pattern: AGENCY_CODE_PATTERN }),
    /** ISO 8601 with an offset, e.g. 2026-11-28T10:15:00+07:00. */
    ThoiGian: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
      format: 'date-time',
    }),
    /** Signer certificate serial in hex (RFC 5280: at most 20 octets, plus a possible leading 00). */
    SoHieuChungThu: Type.String({ pattern: '^[0-9A-Fa-f]{1,42}$' }),
    /** Hex SHA-256 of the signed approval manifest. */
    MaBamBienBan: Type.String({ pattern: '^[0-9A-Fa-f]{64}$' }),
  },
  closed,
);

/** The envelope fields of a record, in §6 order (shared by HoSo and ChangeContent). */
const envelope = {
  SoDinhDanh: Type.String({ pattern: PERSONAL_ID_PATTERN }),
  MaDonViQuanLy: Type.String({ pattern: AGENCY_CODE_PATTERN }),
  MaDonViSuDung: Type.String({ pattern: AGENCY_CODE_PATTERN }),
  PhanLoai: Type.Enum(PHAN_LOAI),
  TrangThai: Type.Enum(TRANG_THAI),
  NgayHieuLuc: opt(date()),
  SoYeuLyLich,
};

/** A record (`HoSo`) as exchanged with the national side. */
export const HoSo = Type.Object({ ...envelope, PheDuyet: Type.Array(CapPheDuyet, { maxItems: 20 }) }, closed);

/**
 * What an approval covers (hashed by contentSha256): the envelope with the CV, that is the record
 * without `PheDuyet` (the approval chain is made of signatures over this hash) and without the batch
 * attributes `thaoTac`/`phienBan` (`phienBan` is assigned when Sở Nội vụ approves, after the agency head
 * has signed; the operation is fixed by the change itself and listed in the approval manifest).
 */
export const ChangeContent = Type.Object(envelope, closed);

export type Luong = Type.Static<typeof Luong>;
export type SucKhoe = Type.Static<typeof SucKhoe>;
export type DaoTao = Type.Static<typeof DaoTao>;
export type CongTac = Type.Static<typeof CongTac>;
export type KhenThuongMuc = Type.Static<typeof KhenThuongMuc>;
export type KyLuatMuc = Type.Static<typeof KyLuatMuc>;
export type ThanhVien = Type.Static<typeof ThanhVien>;
export type QuaTrinhLuongMuc = Type.Static<typeof QuaTrinhLuongMuc>;
export type SoYeuLyLich = Type.Static<typeof SoYeuLyLich>;
export type CapPheDuyet = Type.Static<typeof CapPheDuyet>;
export type HoSo = Type.Static<typeof HoSo>;
export type ChangeContent = Type.Static<typeof ChangeContent>;

/** XML element name of one item of each list element. */
export const LIST_ITEM_ELEMENT = {
  QuaTrinhDaoTao: 'DaoTao',
  QuaTrinhCongTac: 'CongTac',
  KhenThuong: 'Muc',
  KyLuat: 'Muc',
  QuanHeGiaDinh: 'ThanhVien',
  QuaTrinhLuong: 'Muc',
  PheDuyet: 'CapPheDuyet',
} as const;

/** Top-level fields of SoYeuLyLich in §6 order. */
export const SO_YEU_LY_LICH_FIELDS = Object.keys(SoYeuLyLich.properties) as (keyof SoYeuLyLich)[];
/** Fields of HoSo in §6 order. */
export const HO_SO_FIELDS = Object.keys(HoSo.properties) as (keyof HoSo)[];

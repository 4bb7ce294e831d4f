// The closed vocabularies of the national record (NATIONAL_API.md §6), as const arrays so that the schema,
// the store (Prisma enums carry exactly these values), the XML layer and the UI share one list.

/** Record category (PhanLoai); Prisma `PersonCategory`. */
export const PHAN_LOAI = ['CAN_BO', 'CONG_CHUC', 'VIEN_CHUC', 'NGUOI_LAO_DONG'] as const;
export type PhanLoai = (typeof PHAN_LOAI)[number];

/** Employment status (TrangThai); Prisma `PersonStatus`. */
export const TRANG_THAI = [
  'DANG_CONG_TAC',
  'NGHI_HUU',
  'THOI_VIEC',
  'TU_TRAN',
  'CHUYEN_RA_NGOAI_TINH',
  'CHUYEN_KHOI_DANG',
] as const;
export type TrangThai = (typeof TRANG_THAI)[number];

/** Operation of a record in a batch (attribute `thaoTac`); Prisma `ChangeKind`. */
export const THAO_TAC = ['THEM_MOI', 'CAP_NHAT', 'CHUYEN_TRANG_THAI'] as const;
export type ThaoTac = (typeof THAO_TAC)[number];

export const GIOI_TINH = ['NAM', 'NU'] as const;
export type GioiTinh = (typeof GIOI_TINH)[number];

/** Kind of training (DaoTao/Loai). */
export const LOAI_DAO_TAO = [
  'CHUYEN_MON',
  'LY_LUAN_CHINH_TRI',
  'QUAN_LY_NHA_NUOC',
  'AN_NINH_QUOC_PHONG',
  'TIN_HOC',
  'NGOAI_NGU',
] as const;
export type LoaiDaoTao = (typeof LOAI_DAO_TAO)[number];

/** Approval level (CapPheDuyet/Cap); Prisma `ApprovalLevel`. */
export const CAP_PHE_DUYET = ['CO_QUAN', 'SO_NOI_VU'] as const;
export type CapPheDuyetLevel = (typeof CAP_PHE_DUYET)[number];

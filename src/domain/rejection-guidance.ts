// What an operator does about each per-record rejection of the national side (NATIONAL_API.md §6,
// `rejected[].code`), shown on the console's batch page next to each rejected record. A table, not
// checks in routes: one row per code the contract names, and one for a code it does not (yet) name.
//
// `action` says which way out the console offers:
//   REBASE_ON_NATIONAL  pull the national version, compare, rebase the change on it (next phienBan) and
//                       send it again through the normal workflow (src/services/stale-resolution.ts);
//   NEW_CHANGE          the content is wrong: the agency enters a corrected change (a new change: approved
//                       content is signed and never edited);
//   FIX_AGENCY_DATA     the agency tree or the codes are wrong: fix them (agencies), then a new change;
//   CONTACT_NATIONAL    nothing the province can fix alone: ask the national platform's support.

export const REJECTION_ACTIONS = ['REBASE_ON_NATIONAL', 'NEW_CHANGE', 'FIX_AGENCY_DATA', 'CONTACT_NATIONAL'] as const;
export type RejectionAction = (typeof REJECTION_ACTIONS)[number];

/** The per-record rejection codes of §6, in the contract's order. */
export const NATIONAL_REJECTION_CODES = [
  'INVALID_PERSONAL_ID', 'PERSONAL_ID_MISMATCH', 'INVALID_AGENCY_CODE', 'AGENCY_NOT_IN_PROVINCE',
  'MISSING_FIELD', 'INVALID_VALUE', 'STALE_VERSION', 'NOT_APPROVED',
] as const;
export type NationalRejectionCode = (typeof NATIONAL_REJECTION_CODES)[number];

export interface RejectionGuidance {
  readonly action: RejectionAction;
  /** What to do, in Vietnamese, for the operator. */
  readonly advice: string;
}

const TABLE: Readonly<Record<NationalRejectionCode, RejectionGuidance>> = {
  INVALID_PERSONAL_ID: { action: 'NEW_CHANGE', advice: 'Số định danh cá nhân sai: đơn vị đối chiếu CCCD và lập đề nghị cập nhật mới với số đúng.' },
  PERSONAL_ID_MISMATCH: { action: 'NEW_CHANGE', advice: 'Ngày sinh hoặc giới tính không khớp số định danh: đơn vị đối chiếu CCCD, lập đề nghị cập nhật mới.' },
  INVALID_AGENCY_CODE: { action: 'FIX_AGENCY_DATA', advice: 'Mã định danh cơ quan sai: sửa danh mục cơ quan, đơn vị rồi lập đề nghị cập nhật mới.' },
  AGENCY_NOT_IN_PROVINCE: { action: 'FIX_AGENCY_DATA', advice: 'Đơn vị sử dụng không thuộc tỉnh: kiểm tra danh mục cơ quan và mã đơn vị sử dụng, rồi lập đề nghị cập nhật mới.' },
  MISSING_FIELD: { action: 'NEW_CHANGE', advice: 'Thiếu thông tin bắt buộc: đơn vị bổ sung và lập đề nghị cập nhật mới.' },
  INVALID_VALUE: { action: 'NEW_CHANGE', advice: 'Có giá trị không hợp lệ: đơn vị sửa theo lý do từ chối và lập đề nghị cập nhật mới.' },
  STALE_VERSION: {
    action: 'REBASE_ON_NATIONAL',
    advice: 'CSDL quốc gia đang giữ phiên bản mới hơn: kéo phiên bản quốc gia, so sánh khác biệt, dựng lại thay đổi trên phiên bản đó (phiên bản kế tiếp) rồi gửi lại theo quy trình phê duyệt.',
  },
  NOT_APPROVED: { action: 'CONTACT_NATIONAL', advice: 'CSDL quốc gia không thấy phê duyệt của Sở Nội vụ dù gói đã ký: liên hệ bộ phận hỗ trợ của nền tảng quốc gia kèm mã gói.' },
};

const UNKNOWN: RejectionGuidance = {
  action: 'CONTACT_NATIONAL', advice: 'Mã từ chối chưa có trong đặc tả: liên hệ bộ phận hỗ trợ của nền tảng quốc gia kèm mã gói và mã từ chối.',
};

export function isNationalRejectionCode(code: unknown): code is NationalRejectionCode {
  return typeof code === 'string' && (NATIONAL_REJECTION_CODES as readonly string[]).includes(code);
}

/** The way out of a rejection with this code (an unknown code gets CONTACT_NATIONAL). */
export function rejectionGuidance(code: string): RejectionGuidance {
  return isNationalRejectionCode(code) ? TABLE[code] : UNKNOWN;
}

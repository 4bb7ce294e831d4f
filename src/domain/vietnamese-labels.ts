// What an operator reads for each code of the domain's closed lists. Each table is keyed by the list's
// own type (a `Record` over the union), so adding a value to a list without a label fails the type check;
// `labelOf` walks the list itself, never a restated one.
import type { ChangeState } from './change-lifecycle.ts';
import type { GioiTinh, PhanLoai, ThaoTac, TrangThai } from './profile-enums.ts';

export const CHANGE_STATE_LABELS: Readonly<Record<ChangeState, string>> = {
  DRAFT: 'Đang soạn',
  SUBMITTED: 'Chờ xác minh',
  VERIFIED: 'Đã xác minh, chờ thủ trưởng duyệt',
  AGENCY_APPROVED: 'Thủ trưởng đã duyệt, chờ Sở Nội vụ',
  PROVINCE_APPROVED: 'Sở Nội vụ đã duyệt, chờ đồng bộ',
  BATCHED: 'Đang gửi lên CSDL quốc gia',
  SYNCED: 'Đã đồng bộ',
  RETURNED: 'Bị trả lại',
  REJECTED_BY_NATIONAL: 'CSDL quốc gia từ chối',
};

export const THAO_TAC_LABELS: Readonly<Record<ThaoTac, string>> = {
  THEM_MOI: 'Thêm mới hồ sơ',
  CAP_NHAT: 'Cập nhật hồ sơ',
  CHUYEN_TRANG_THAI: 'Chuyển trạng thái',
};

export const PHAN_LOAI_LABELS: Readonly<Record<PhanLoai, string>> = {
  CAN_BO: 'Cán bộ',
  CONG_CHUC: 'Công chức',
  VIEN_CHUC: 'Viên chức',
  NGUOI_LAO_DONG: 'Người lao động',
};

export const TRANG_THAI_LABELS: Readonly<Record<TrangThai, string>> = {
  DANG_CONG_TAC: 'Đang công tác',
  NGHI_HUU: 'Nghỉ hưu',
  THOI_VIEC: 'Thôi việc',
  TU_TRAN: 'Từ trần',
  CHUYEN_RA_NGOAI_TINH: 'Chuyển ra ngoài tỉnh',
  CHUYEN_KHOI_DANG: 'Chuyển sang khối Đảng',
};

export const GIOI_TINH_LABELS: Readonly<Record<GioiTinh, string>> = { NAM: 'Nam', NU: 'Nữ' };

/** The list of a vocabulary with its labels, in the list's order (for columns and legends). */
export function labelled<T extends string>(values: readonly T[], labels: Readonly<Record<T, string>>): Array<{ code: T; label: string }> {
  return values.map((code) => ({ code, label: labels[code] }));
}

/** The label of a code read from storage; an unknown code is shown as itself rather than hidden. */
export function labelOf<T extends string>(labels: Readonly<Record<T, string>>, code: string): string {
  return Object.hasOwn(labels, code) ? labels[code as T] : code;
}

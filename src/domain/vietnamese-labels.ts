// What an operator reads for each code of the domain's closed lists. Each table is keyed by the list's
// own type (a `Record` over the union), so adding a value to a list without a label fails the type check;
// `labelOf` walks the list itself, never a restated one.
import type { ChangeState } from './change-lifecycle.ts';
import type { GioiTinh, LoaiDaoTao, PhanLoai, ThaoTac, TrangThai } from './profile-enums.ts';

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

export const LOAI_DAO_TAO_LABELS: Readonly<Record<LoaiDaoTao, string>> = {
  CHUYEN_MON: 'Chuyên môn', LY_LUAN_CHINH_TRI: 'Lý luận chính trị', QUAN_LY_NHA_NUOC: 'Quản lý nhà nước',
  AN_NINH_QUOC_PHONG: 'An ninh, quốc phòng', TIN_HOC: 'Tin học', NGOAI_NGU: 'Ngoại ngữ',
};

/** The list of a vocabulary with its labels, in the list's order (for columns and legends). */
export function labelled<T extends string>(values: readonly T[], labels: Readonly<Record<T, string>>): Array<{ code: T; label: string }> {
  return values.map((code) => ({ code, label: labels[code] }));
}

/** The label of a code read from storage; an unknown code is shown as itself rather than hidden. */
export function labelOf<T extends string>(labels: Readonly<Record<T, string>>, code: string): string {
  return Object.hasOwn(labels, code) ? labels[code as T] : code;
}

/**
 * Why a row of a legacy import is refused, as the report workbook explains it: the cell reasons of
 * legacy-mapping.ts, the row reasons of the import, and the reasons of the record's domain checks
 * (schema, profile rules, personal id, agency code). A reason not listed is shown as its code.
 */
export const IMPORT_ISSUE_LABELS: Readonly<Record<ImportIssueReason, string>> = {
  // cells
  FORMULA: 'Ô chứa công thức; hãy dán giá trị (Paste Special → Values)',
  CELL_ERROR: 'Ô chứa lỗi của Excel (#VALUE!, #REF!…)',
  DATE_FORMAT: 'Ngày không đúng dạng dd/mm/yyyy hoặc không có thật',
  NOT_A_NUMBER: 'Không phải là số',
  NOT_AN_INTEGER: 'Phải là số nguyên',
  UNKNOWN_LABEL: 'Giá trị không thuộc danh mục',
  NOT_TEXT: 'Ô không chứa văn bản',
  MONTH_FORMAT: 'Tháng không đúng dạng mm/yyyy',
  NOT_YES_NO: 'Phải là Có hoặc Không',
  // rows
  DUPLICATE_IN_FILE: 'Số định danh cá nhân trùng với một dòng phía trên',
  AGENCY_UNKNOWN: 'Mã cơ quan, đơn vị không có trong danh mục đang hoạt động thuộc phạm vi của người nhập',
  EXISTS: 'Hồ sơ đã có trong cơ sở dữ liệu; dòng này không được nhập lại',
  // schema and profile rules
  REQUIRED: 'Thiếu thông tin bắt buộc',
  TYPE: 'Sai kiểu dữ liệu',
  UNKNOWN_FIELD: 'Trường không có trong mẫu sơ yếu lý lịch',
  EMPTY: 'Để trống',
  TOO_LONG: 'Quá dài',
  TOO_MANY: 'Quá nhiều dòng',
  FORMAT: 'Sai định dạng',
  NOT_A_DATE: 'Ngày không có thật',
  ENUM: 'Giá trị không thuộc danh mục',
  OUT_OF_RANGE: 'Giá trị ngoài khoảng cho phép',
  DECIMALS: 'Quá 2 chữ số thập phân',
  CONTROL_CHAR: 'Chứa ký tự điều khiển không hợp lệ',
  NOT_NFC: 'Văn bản chưa chuẩn hóa Unicode',
  NOT_TRIMMED: 'Thừa khoảng trắng đầu hoặc cuối',
  IN_FUTURE: 'Ngày ở tương lai',
  BEFORE_BIRTH: 'Ngày trước ngày sinh',
  AGE_RANGE: 'Tuổi ngoài khoảng 15–100',
  RANGE_ORDER: 'Ngày bắt đầu sau ngày kết thúc',
  REQUIRED_WITH: 'Thiếu thông tin đi kèm',
  NAME_CHARS: 'Họ tên chứa ký tự không hợp lệ',
  // personal id
  NOT_STRING: 'Không phải văn bản',
  LENGTH: 'Số định danh cá nhân phải có đúng 12 chữ số',
  NOT_DIGITS: 'Số định danh cá nhân chỉ gồm chữ số',
  PROVINCE_CODE: 'Mã tỉnh nơi đăng ký khai sinh (3 số đầu) không có thật',
  CENTURY: 'Số định danh không khớp thế kỷ sinh hoặc giới tính',
  GENDER: 'Số định danh không khớp giới tính',
  BIRTH_YEAR: 'Số định danh không khớp năm sinh',
  // agency codes
  LOWERCASE: 'Mã đơn vị phải viết hoa',
  CHARSET: 'Mã đơn vị chứa ký tự không hợp lệ',
  EMPTY_GROUP: 'Mã đơn vị có nhóm trống',
  LEVEL1: 'Mã cấp tỉnh không hợp lệ',
  GROUP: 'Nhóm mã đơn vị không hợp lệ',
  ZERO_GROUP: 'Nhóm mã đơn vị toàn số 0',
  LEGACY_GAP: 'Mã đơn vị cũ (QCVN 102:2016) có khoảng trống',
  NOT_CANONICAL: 'Mã đơn vị chưa ở dạng chuẩn',
  OUTSIDE_PROVINCE: 'Cơ quan, đơn vị không thuộc tỉnh',
};

export type ImportIssueReason =
  | 'FORMULA' | 'CELL_ERROR' | 'DATE_FORMAT' | 'NOT_A_NUMBER' | 'NOT_AN_INTEGER' | 'UNKNOWN_LABEL' | 'NOT_TEXT' | 'MONTH_FORMAT' | 'NOT_YES_NO'
  | 'DUPLICATE_IN_FILE' | 'AGENCY_UNKNOWN' | 'EXISTS'
  | 'REQUIRED' | 'TYPE' | 'UNKNOWN_FIELD' | 'EMPTY' | 'TOO_LONG' | 'TOO_MANY' | 'FORMAT' | 'NOT_A_DATE' | 'ENUM' | 'OUT_OF_RANGE'
  | 'DECIMALS' | 'CONTROL_CHAR' | 'NOT_NFC' | 'NOT_TRIMMED' | 'IN_FUTURE' | 'BEFORE_BIRTH' | 'AGE_RANGE' | 'RANGE_ORDER' | 'REQUIRED_WITH' | 'NAME_CHARS'
  | 'NOT_STRING' | 'LENGTH' | 'NOT_DIGITS' | 'PROVINCE_CODE' | 'CENTURY' | 'GENDER' | 'BIRTH_YEAR'
  | 'LOWERCASE' | 'CHARSET' | 'EMPTY_GROUP' | 'LEVEL1' | 'GROUP' | 'ZERO_GROUP' | 'LEGACY_GAP' | 'NOT_CANONICAL' | 'OUTSIDE_PROVINCE';

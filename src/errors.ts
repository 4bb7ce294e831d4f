// Every error the gateway raises, with a stable English code, its HTTP status and the Vietnamese
// message shown to people. Code throws `new GatewayError('CODE', details?)`; it never writes a message
// by hand. Codes named by NATIONAL_API.md are used exactly as written there.

interface ErrorSpec {
  readonly status: number;
  readonly message: string;
}

const catalog = {
  // ── request shape ────────────────────────────────────────────────────────
  BAD_REQUEST: { status: 400, message: 'Yêu cầu không hợp lệ.' },
  VALIDATION_FAILED: { status: 400, message: 'Dữ liệu gửi lên không đúng định dạng.' },
  MALFORMED_JSON: { status: 400, message: 'Nội dung JSON không đọc được.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Kiểu nội dung không được hỗ trợ.' },
  TEXT_INVALID: { status: 400, message: 'Văn bản gửi lên chứa ký tự không được phép (ký tự điều khiển, ký tự đảo chiều hiển thị, mã Unicode lỗi) hoặc quá dài.' },
  INPUT_TOO_COMPLEX: { status: 400, message: 'Dữ liệu gửi lên lồng nhau quá sâu hoặc có quá nhiều phần tử.' },
  DATA_NOT_STORABLE: { status: 422, message: 'Dữ liệu không lưu được vào cơ sở dữ liệu (ký tự hoặc giá trị không hợp lệ, hoặc quá dài).' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Dữ liệu gửi lên vượt quá dung lượng cho phép.' },
  NOT_FOUND: { status: 404, message: 'Không tìm thấy tài nguyên.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'Không có đường dẫn này.' },
  CONFLICT: { status: 409, message: 'Dữ liệu đã bị thay đổi bởi thao tác khác; vui lòng tải lại.' },
  INTERNAL_ERROR: { status: 500, message: 'Lỗi hệ thống; vui lòng thử lại hoặc liên hệ quản trị.' },
  CONFIG_INVALID: { status: 500, message: 'Cấu hình hệ thống không hợp lệ.' },

  // ── authentication and scope ────────────────────────────────────────────
  UNAUTHENTICATED: { status: 401, message: 'Chưa đăng nhập hoặc phiên đăng nhập không hợp lệ.' },
  TOKEN_INVALID: { status: 401, message: 'Mã truy cập không hợp lệ hoặc đã hết hạn.' },
  FORBIDDEN: { status: 403, message: 'Bạn không có quyền thực hiện thao tác này.' },
  OUT_OF_SCOPE: { status: 403, message: 'Đơn vị này nằm ngoài phạm vi quản lý của bạn.' },
  SESSION_EXPIRED: { status: 401, message: 'Phiên đăng nhập đã hết hạn hoặc đã đăng xuất; vui lòng đăng nhập lại.' },
  SIGN_IN_FAILED: { status: 401, message: 'Đăng nhập qua tài khoản dùng chung của tỉnh không thành công; vui lòng thử lại.' },
  CSRF_INVALID: { status: 403, message: 'Yêu cầu không kèm mã chống giả mạo hợp lệ; vui lòng tải lại trang.' },
  GRANT_REQUIRED: { status: 403, message: 'Tài khoản chưa được Sở Nội vụ cấp quyền này, hoặc quyền đã hết hạn hay bị thu hồi.' },
  GRANT_NOT_FOUND: { status: 404, message: 'Không tìm thấy quyền truy cập.' },
  SEPARATION_OF_DUTIES: { status: 403, message: 'Không được tự kiểm tra, phê duyệt hồ sơ của chính mình hoặc đề nghị do mình lập, mình đã kiểm tra.' },

  // ── domain: identifiers and profile ─────────────────────────────────────
  INVALID_PERSONAL_ID: { status: 422, message: 'Số định danh cá nhân không hợp lệ.' },
  PERSONAL_ID_MISMATCH: { status: 422, message: 'Số định danh cá nhân không khớp với ngày sinh hoặc giới tính.' },
  INVALID_AGENCY_CODE: { status: 422, message: 'Mã định danh điện tử của cơ quan, đơn vị không hợp lệ.' },
  AGENCY_NOT_IN_PROVINCE: { status: 422, message: 'Cơ quan, đơn vị không thuộc tỉnh.' },
  AGENCY_NOT_FOUND: { status: 404, message: 'Không tìm thấy cơ quan, đơn vị.' },
  AGENCY_CLOSED: { status: 422, message: 'Cơ quan, đơn vị đã giải thể hoặc sáp nhập.' },
  AGENCY_EXISTS: { status: 409, message: 'Mã cơ quan, đơn vị đã tồn tại.' },
  IMPORT_FILE_INVALID: { status: 422, message: 'Tệp nhập dữ liệu không đọc được hoặc không đúng mẫu.' },
  IMPORT_MAPPING_INVALID: { status: 422, message: 'Tệp ánh xạ cột không hợp lệ.' },
  AGENCY_IMPORT_INVALID: { status: 422, message: 'Danh sách cơ quan, đơn vị không hợp lệ.' },
  MISSING_FIELD: { status: 422, message: 'Thiếu thông tin bắt buộc.' },
  INVALID_VALUE: { status: 422, message: 'Giá trị không hợp lệ.' },
  INVALID_PROFILE: { status: 422, message: 'Sơ yếu lý lịch không hợp lệ.' },
  PERSON_EXISTS: { status: 409, message: 'Hồ sơ của người này đã có trong cơ sở dữ liệu.' },
  PERSON_NOT_FOUND: { status: 404, message: 'Không tìm thấy hồ sơ.' },
  PERSON_NOT_DELETABLE: { status: 405, message: 'Hồ sơ không bao giờ bị xóa; hãy ghi nhận thay đổi trạng thái (nghỉ hưu, thôi việc, chuyển công tác…).' },
  CHANGE_NOT_FOUND: { status: 404, message: 'Không tìm thấy đề nghị cập nhật.' },
  CHANGE_PENDING: { status: 409, message: 'Hồ sơ đang có một đề nghị cập nhật chưa xử lý xong.' },
  ILLEGAL_TRANSITION: { status: 409, message: 'Không thể chuyển đề nghị sang trạng thái này.' },
  REASON_REQUIRED: { status: 422, message: 'Phải nêu lý do.' },
  STATUS_UNCHANGED: { status: 422, message: 'Trạng thái mới trùng với trạng thái hiện tại.' },
  ATTACHMENT_TOO_LARGE: { status: 413, message: 'Tệp đính kèm vượt quá dung lượng cho phép.' },
  ATTACHMENT_INVALID: { status: 422, message: 'Tệp đính kèm không hợp lệ.' },
  AUDIT_CHAIN_BROKEN: { status: 500, message: 'Nhật ký kiểm toán đã bị sửa đổi hoặc bị mất dòng.' },

  // ── workflow and approvals ──────────────────────────────────────────────
  OUTSIDE_APPROVAL_WINDOW: { status: 422, message: 'Chỉ được phê duyệt trong 5 ngày cuối tháng.' },
  NOTHING_TO_APPROVE: { status: 422, message: 'Không có đề nghị nào chờ phê duyệt.' },
  MANIFEST_STALE: { status: 409, message: 'Danh sách phê duyệt đã thay đổi; vui lòng lập lại.' },
  CERT_NOT_APPROVERS: { status: 403, message: 'Chứng thư số trên thiết bị ký không phải chứng thư đã đăng ký cho người phê duyệt này (hoặc đã bị thu hồi); đề nghị Sở Nội vụ đăng ký chứng thư số của chính bạn.' },
  CERT_ALREADY_REGISTERED: { status: 409, message: 'Chứng thư số này đã được đăng ký cho người phê duyệt.' },
  APPROVER_CERT_NOT_FOUND: { status: 404, message: 'Không tìm thấy chứng thư số đang có hiệu lực của người phê duyệt.' },
  NOT_DELEGATED: { status: 403, message: 'Người ký không phải thủ trưởng hoặc cấp phó được ủy quyền.' },
  SIGNING_SESSION_NOT_FOUND: { status: 404, message: 'Không tìm thấy phiên ký số hoặc phiên đã hết hạn.' },
  SIGNER_MISMATCH: { status: 422, message: 'Chứng thư số của người ký không khớp.' },
  NOT_YET_APPROVED: { status: 409, message: 'Hồ sơ chưa được Sở Nội vụ phê duyệt bằng chữ ký số; chưa thể xuất bản hồ sơ có ký số.' },

  // ── signatures (NATIONAL_API.md §3) ─────────────────────────────────────
  BAD_SIGNATURE: { status: 422, message: 'Chữ ký số không hợp lệ.' },
  DIGEST_MISMATCH: { status: 422, message: 'Nội dung đã bị thay đổi sau khi ký (giá trị băm không khớp).' },
  CERT_UNTRUSTED: { status: 422, message: 'Chứng thư số không thuộc tổ chức chứng thực được tin cậy.' },
  CERT_EXPIRED: { status: 422, message: 'Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký.' },
  CERT_REVOKED: { status: 422, message: 'Chứng thư số đã bị thu hồi.' },
  WRONG_KEY_USAGE: { status: 422, message: 'Chứng thư số không được phép dùng để ký số.' },
  REVOCATION_UNKNOWN: { status: 422, message: 'Không xác định được tình trạng thu hồi của chứng thư số.' },
  TIMESTAMP_INVALID: { status: 422, message: 'Dấu thời gian không hợp lệ.' },
  TSA_UNAVAILABLE: { status: 503, message: 'Không kết nối được máy chủ cấp dấu thời gian.' },
  KEY_LOAD_FAILED: { status: 500, message: 'Không đọc được khóa ký hoặc chứng thư số.' },

  // ── signing devices: USB tokens and HSMs through PKCS#11 ────────────────
  PKCS11_MODULE_LOAD_FAILED: { status: 500, message: 'Không nạp được thư viện PKCS#11 của thiết bị ký số.' },
  PKCS11_TOKEN_NOT_FOUND: { status: 503, message: 'Không tìm thấy thiết bị ký số (USB token/HSM); hãy cắm thiết bị và kiểm tra nhãn hoặc khe.' },
  PKCS11_TOKEN_UNAVAILABLE: { status: 503, message: 'Thiết bị ký số đã bị rút ra hoặc không phản hồi; chưa ký gì, hãy thử lại sau.' },
  PKCS11_PIN_INCORRECT: { status: 422, message: 'Mã PIN của thiết bị ký số không đúng.' },
  PKCS11_PIN_LOCKED: { status: 423, message: 'Mã PIN của thiết bị ký số đã bị khóa; liên hệ đơn vị cấp chứng thư để mở khóa.' },
  PKCS11_PIN_REQUIRED: { status: 422, message: 'Chưa nhập mã PIN của thiết bị ký số.' },
  PKCS11_KEY_NOT_FOUND: { status: 422, message: 'Không tìm thấy khóa ký hoặc chứng thư số trên thiết bị.' },
  PKCS11_MECHANISM_UNSUPPORTED: { status: 422, message: 'Thiết bị ký số không hỗ trợ thuật toán ký yêu cầu.' },
  PKCS11_ERROR: { status: 502, message: 'Thiết bị ký số báo lỗi; chưa ký gì.' },
  SIGNING_DECLINED: { status: 422, message: 'Người ký đã từ chối ký.' },
  SIGNER_AGENT_ORIGIN_REFUSED: { status: 403, message: 'Yêu cầu không đến từ trang quản trị đã cấu hình cho công cụ ký số.' },
  SIGNER_AGENT_NOT_PAIRED: { status: 401, message: 'Mã ghép nối với công cụ ký số không đúng; nhập mã hiển thị trên màn hình của công cụ ký số.' },
  SIGNER_AGENT_REPLAYED: { status: 409, message: 'Yêu cầu ký này đã được xử lý; mỗi lần xác nhận chỉ ký một lần.' },
  SIGNER_AGENT_NOT_A_SESSION: { status: 422, message: 'Yêu cầu ký không phải một phiên ký số hợp lệ của cổng dữ liệu.' },
  SIGNER_AGENT_BUSY: { status: 409, message: 'Công cụ ký số đang chờ người ký xác nhận một yêu cầu khác.' },

  // ── national exchange (NATIONAL_API.md §4–§7) ───────────────────────────
  BAD_PAYLOAD: { status: 400, message: 'Tài liệu XML không hợp lệ.' },
  TOKEN_EXPIRED: { status: 401, message: 'Mã truy cập đã hết hạn.' },
  AUTHEN_ERROR: { status: 401, message: 'Thông tin xác thực bị từ chối.' },
  IP_DISALLOWED: { status: 403, message: 'Địa chỉ IP không được phép kết nối.' },
  SENDER_NOT_ALLOWED: { status: 403, message: 'Đơn vị gửi không được phép.' },
  IDEMPOTENCY_MISMATCH: { status: 409, message: 'Mã gói đã được gửi với nội dung khác.' },
  COUNT_MISMATCH: { status: 422, message: 'Số hồ sơ khai báo không khớp với nội dung gói.' },
  RATE_LIMITED: { status: 429, message: 'Gửi quá nhiều yêu cầu; vui lòng thử lại sau.' },
  NATIONAL_UNAVAILABLE: { status: 503, message: 'Hệ thống quốc gia tạm thời không phản hồi.' },
  NATIONAL_REJECTED: { status: 502, message: 'Hệ thống quốc gia từ chối yêu cầu.' },
  RECORD_NOT_FOUND: { status: 404, message: 'Hệ thống quốc gia không có hồ sơ này.' },
  BATCH_NOT_FOUND: { status: 404, message: 'Không tìm thấy gói đồng bộ.' },
  BATCH_NOT_FAILED: { status: 409, message: 'Chỉ chạy lại được gói đồng bộ đã thất bại.' },
  TRANSFER_NOT_FOUND: { status: 404, message: 'Không tìm thấy yêu cầu chuyển dữ liệu.' },
  TRANSFER_NOT_FAILED: { status: 409, message: 'Chỉ chạy lại được yêu cầu chuyển dữ liệu đã thất bại.' },
  TRANSFER_IN_PROGRESS: { status: 409, message: 'Hồ sơ này đang có một yêu cầu chuyển dữ liệu chưa xử lý xong.' },
  IN_PROVINCE_TRANSFER_REQUIRED: { status: 409, message: 'Người này đang công tác trong tỉnh: không kéo hồ sơ từ hệ thống quốc gia; cơ quan cấp trên của đơn vị hiện tại thực hiện điều động, luân chuyển trong tỉnh.' },
  FIELDS_MISMATCH: { status: 422, message: 'Thông tin yêu cầu không khớp với tài liệu đã ký.' },
  CHANGE_NOT_STALE: { status: 409, message: 'Chỉ dựng lại được đề nghị bị CSDL quốc gia từ chối vì phiên bản cũ (STALE_VERSION).' },
  CHANGE_SUPERSEDED: { status: 409, message: 'Hồ sơ đã có đề nghị cập nhật mới hơn đề nghị bị từ chối này.' },
  NATIONAL_VERSION_CHANGED: { status: 409, message: 'Phiên bản trên CSDL quốc gia đã thay đổi kể từ lần so sánh; vui lòng so sánh lại.' },

  // ── infrastructure ──────────────────────────────────────────────────────
  DATABASE_UNAVAILABLE: { status: 503, message: 'Không kết nối được cơ sở dữ liệu.' },
  QUEUE_UNAVAILABLE: { status: 503, message: 'Không kết nối được hàng đợi xử lý.' },
  DATABASE_MISSING: { status: 503, message: 'Cơ sở dữ liệu chưa được tạo.' },
  DATABASE_NOT_MIGRATED: { status: 503, message: 'Cơ sở dữ liệu chưa có đủ bảng (chưa áp dụng migration).' },

  // ── backups and restore (issue 18) ──────────────────────────────────────
  BACKUP_TOOL_MISSING: { status: 500, message: 'Không tìm thấy công cụ sao lưu của PostgreSQL (pg_dump, pg_restore).' },
  BACKUP_FAILED: { status: 500, message: 'Sao lưu cơ sở dữ liệu không thành công.' },
  BACKUP_DIR_UNWRITABLE: { status: 500, message: 'Không ghi được vào thư mục lưu bản sao lưu.' },
  BACKUP_NOT_FOUND: { status: 404, message: 'Không tìm thấy tệp sao lưu hoặc tệp mô tả (manifest) đi kèm.' },
  BACKUP_CORRUPT: { status: 422, message: 'Tệp sao lưu bị hỏng hoặc đã bị sửa đổi (giá trị băm không khớp với manifest).' },
  BACKUP_KEY_MISSING: { status: 422, message: 'Bản sao lưu đã được mã hóa; cần khóa bí mật để giải mã.' },
  BACKUP_DECRYPT_FAILED: { status: 422, message: 'Không giải mã được bản sao lưu (sai khóa hoặc dữ liệu đã bị sửa đổi).' },
  RESTORE_TARGET_UNREACHABLE: { status: 503, message: 'Không kết nối được cơ sở dữ liệu đích để khôi phục.' },
  RESTORE_TARGET_NOT_EMPTY: { status: 409, message: 'Cơ sở dữ liệu đích đã có dữ liệu; không ghi đè khi chưa được yêu cầu rõ.' },
  RESTORE_FAILED: { status: 500, message: 'Khôi phục cơ sở dữ liệu không thành công.' },
  RESTORE_VERIFY_FAILED: { status: 422, message: 'Dữ liệu sau khi khôi phục không khớp với manifest của bản sao lưu.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof catalog;

export const errorCodes = Object.keys(catalog) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(catalog, value);
}

export function errorSpec(code: ErrorCode): ErrorSpec {
  return catalog[code];
}

/** The one error type of the gateway. `details` says what exactly was wrong (field, reason…). */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: unknown;

  constructor(code: ErrorCode, details?: unknown, options?: { cause?: unknown }) {
    super(catalog[code].message, options);
    this.name = 'GatewayError';
    this.code = code;
    this.statusCode = catalog[code].status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: unknown } {
    return { code: this.code, message: this.message, details: this.details ?? null };
  }
}

export function isGatewayError(err: unknown, code?: ErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code);
}

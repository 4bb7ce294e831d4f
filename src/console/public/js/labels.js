// Vietnamese names of the codes the API returns. The code itself is shown next to its name wherever
// an operator may need to look it up (README, NATIONAL_API.md).
import { h } from './dom.js';

export const ROLES = {
  STAFF: 'Cán bộ, công chức, viên chức',
  UNIT_OFFICER: 'Cán bộ tổ chức đơn vị',
  AGENCY_HEAD: 'Thủ trưởng cơ quan, đơn vị',
  PROVINCE_OPERATOR: 'Chuyên viên vận hành Sở Nội vụ',
  ADMIN: 'Quản trị hệ thống',
};

export const CHANGE_STATES = {
  DRAFT: 'Nháp', SUBMITTED: 'Đã gửi', VERIFIED: 'Đã kiểm tra', AGENCY_APPROVED: 'Cơ quan đã phê duyệt',
  PROVINCE_APPROVED: 'Sở Nội vụ đã phê duyệt', BATCHED: 'Đã đóng gói', SYNCED: 'Đã đồng bộ', RETURNED: 'Trả lại',
  REJECTED_BY_NATIONAL: 'Bị CSDL quốc gia từ chối',
};

export const BATCH_STATES = {
  BUILT: 'Chờ gửi', SENDING: 'Đang gửi', UNKNOWN: 'Chưa rõ kết quả', ACCEPTED: 'Được chấp nhận',
  PARTIAL: 'Chấp nhận một phần', FAILED: 'Thất bại',
};

export const RECORD_OUTCOMES = { PENDING: 'Chờ kết quả', ACCEPTED: 'Được chấp nhận', REJECTED: 'Bị từ chối' };

export const TRANSFER_STATES = { QUEUED: 'Đang xử lý', IMPORTED: 'Đã tiếp nhận', REJECTED: 'Bị từ chối', FAILED: 'Thất bại' };
export const ACK_STATES = { PENDING: 'Chờ phản hồi', ACKED: 'Đã phản hồi', FAILED: 'Phản hồi thất bại' };
export const TRANSFER_SOURCES = { INBOUND: 'CSDL quốc gia gửi đến', PULL: 'Đơn vị đề nghị kéo về' };

export const AUDIT_ACTIONS = {
  BATCH_BUILD: 'Đóng gói và ký số', BATCH_FAILED: 'Gói thất bại', BATCH_RERUN: 'Chạy lại gói', BATCH_RECEIPT: 'Nhận biên nhận',
};

export const CERT_ROLES = {
  ORG_SIGNER: 'Chứng thư ký số của Sở Nội vụ', TRUST_ANCHOR: 'CA gốc tin cậy (phê duyệt)',
  INTERMEDIATE: 'CA trung gian', NATIONAL_TRUST_ANCHOR: 'CA gốc của CSDL quốc gia',
};

export const LEVELS = { green: 'Bình thường', yellow: 'Cần chú ý', red: 'Nghiêm trọng' };

/** Terminal states of a batch: polling stops there. */
export const SETTLED_BATCH_STATES = new Set(['ACCEPTED', 'PARTIAL', 'FAILED']);

const BATCH_TONE = { ACCEPTED: 'green', PARTIAL: 'yellow', FAILED: 'red', UNKNOWN: 'yellow', SENDING: 'blue', BUILT: 'grey' };
const TRANSFER_TONE = { IMPORTED: 'green', REJECTED: 'red', FAILED: 'red', QUEUED: 'blue' };

/** A state as a badge: its Vietnamese name, the code beside it for look-ups. */
export function badge(names, code, tone, attrs = {}) {
  return h('span', { class: `badge tone-${tone ?? 'grey'}`, 'data-state': code, ...attrs },
    names[code] ?? code ?? '—', code && names[code] ? h('span', { class: 'badge-code' }, code) : null);
}

export const batchBadge = (state, attrs) => badge(BATCH_STATES, state, BATCH_TONE[state], attrs);
export const transferBadge = (state) => badge(TRANSFER_STATES, state, TRANSFER_TONE[state]);

export function levelBadge(level, attrs = {}) {
  return h('span', { class: `level level-${level}`, 'data-level': level, ...attrs }, h('span', { class: 'dot', 'aria-hidden': 'true' }), LEVELS[level] ?? level);
}

// `csdl-gateway audit verify` and `audit checkpoint`: the audit trail checked against its signed
// checkpoints, one line for the operator (Vietnamese), codes in English.
import type { Config } from '../config.ts';
import { errorSpec, GatewayError } from '../errors.ts';
import { openDb } from '../store/db.ts';
import { loadSigningSetup } from '../approval/signing-setup.ts';
import { systemClock, type Clock } from '../clock.ts';
import { checkpointDeps, createCheckpoint, trailCheckOptions, verifyAuditTrail, type AuditTrailReport, type TrailBreak } from '../services/audit-checkpoints.ts';

export interface CommandOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** dd/mm/yyyy HH:mm, Vietnamese time (UTC+07:00, no daylight saving). */
export function vnDateTime(at: Date): string {
  const t = new Date(at.getTime() + 7 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(t.getUTCDate())}/${pad(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

const why: Record<TrailBreak, (b: NonNullable<AuditTrailReport['brokenAt']>) => string> = {
  SEQ_GAP: () => 'thiếu dòng ở giữa chuỗi',
  PREV_HASH: () => 'dòng không nối với dòng trước nó',
  HASH: () => 'nội dung dòng đã bị sửa',
  TRUNCATED: (b) => `bảng nhật ký đã bị xóa hết, trong khi điểm kiểm tra đã ký xác nhận có đến dòng ${b.checkpointSeq}`,
  TAIL_DELETED: (b) => `các dòng cuối đã bị xóa, trong khi điểm kiểm tra đã ký (${b.origin}) xác nhận có đến dòng ${b.checkpointSeq}`,
  RECHAINED: (b) => `chuỗi đã bị tính lại sau khi sửa; dòng bị sửa nằm trong khoảng ${b.seq}..${b.checkpointSeq} (điểm kiểm tra ${b.origin} không còn khớp)`,
  CHECKPOINT_INVALID: (b) => `điểm kiểm tra ${b.origin} không có chữ ký hợp lệ của khóa tổ chức`,
  CHECKPOINT_DELETED: (b) => `điểm kiểm tra ${b.origin} trong AUDIT_CHECKPOINT_DIR đã bị xóa khỏi cơ sở dữ liệu`,
};

export function formatTrailReport(r: AuditTrailReport): CommandOutcome {
  if (!r.ok && r.brokenAt) {
    const b = r.brokenAt;
    return {
      stdout: '', exitCode: 2,
      stderr: `AUDIT_CHAIN_BROKEN: ${errorSpec('AUDIT_CHAIN_BROKEN').message} (dòng ${b.seq}, ${b.reason}) Dòng hỏng đầu tiên: ${b.seq}, ${why[b.reason as TrailBreak](b)}. `
        + `Hãy giữ nguyên hiện trạng, đối chiếu với bản sao lưu và báo cho người phụ trách an toàn thông tin.\n`,
    };
  }
  const latest = r.checkpoints.latest;
  const vouched = latest
    ? `điểm kiểm tra đã ký mới nhất: dòng ${latest.seq}, ${vnDateTime(new Date(latest.at))} (${latest.sources.join(' + ')}); ${r.uncovered} dòng sau đó chưa có chữ ký xác nhận`
    : 'chưa có điểm kiểm tra đã ký nào: không phát hiện được việc xóa đuôi hay tính lại chuỗi (cấu hình khóa tổ chức SIGNER_P12_FILE rồi chạy `csdl-gateway audit checkpoint`)';
  return { stdout: `Chuỗi nhật ký kiểm toán nguyên vẹn: ${r.rows} dòng, dòng cuối ${r.head?.seq ?? 0}; ${vouched}.\n`, stderr: '', exitCode: 0 };
}

export async function runAuditVerify(config: Config, clock: Clock = systemClock): Promise<CommandOutcome> {
  const setup = await loadSigningSetup(config);
  const db = openDb(config.databaseUrl);
  try {
    return formatTrailReport(await verifyAuditTrail(db, trailCheckOptions(setup, config.auditCheckpointDir, clock)));
  } finally {
    await db.close();
  }
}

/** A checkpoint taken by hand (reason MANUAL), e.g. before a backup or after a migration. */
export async function runAuditCheckpoint(config: Config, clock: Clock = systemClock): Promise<CommandOutcome> {
  const setup = await loadSigningSetup(config);
  const db = openDb(config.databaseUrl);
  try {
    const deps = checkpointDeps(db, setup, config.auditCheckpointDir, clock, { error: () => {} });
    if (!deps) {
      throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_P12_FILE', reason: 'a checkpoint is signed with the organisation key',
        hint: 'set SIGNER_P12_FILE and SIGNER_P12_PASSWORD (or SIGNER_KEY_FILE and SIGNER_CERT_FILE)' });
    }
    const c = await createCheckpoint(deps, 'MANUAL');
    const where = config.auditCheckpointDir ? `cơ sở dữ liệu và ${config.auditCheckpointDir}` : 'cơ sở dữ liệu';
    return { stdout: `audit checkpoint: đã ký dòng ${c.seq} (${c.headHash.slice(0, 16)}…) lúc ${vnDateTime(c.createdAt)}, lưu vào ${where}.\n`, stderr: '', exitCode: 0 };
  } finally {
    await db.close();
  }
}

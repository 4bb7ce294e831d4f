// What the command line prints when a command fails: one line with the stable code, the Vietnamese
// message and what to do. Foreign errors (pg, Prisma, the network) are recognised here, once; the raw
// object or stack is printed only with --verbose. Nothing here opens a connection.
import { GatewayError, isGatewayError, type ErrorCode } from '../errors.ts';
import { translateStoreError } from '../store/store-errors.ts';
import { describeMismatch, type FactMismatch } from '../domain/backup-manifest.ts';

/** Where the command was pointed, without credentials: to say which service is down. */
export interface CliEndpoints {
  database?: string;
  redis?: string;
}

const MIGRATE = 'chạy `csdl-gateway migrate` trước (lệnh này tạo cơ sở dữ liệu và các bảng)';

const defaultHints: Partial<Record<ErrorCode, (e: CliEndpoints) => string>> = {
  DATABASE_UNAVAILABLE: (e) => `khởi động PostgreSQL${e.database ? ` tại ${e.database}` : ''} hoặc sửa DATABASE_URL`,
  QUEUE_UNAVAILABLE: (e) => `khởi động Redis${e.redis ? ` tại ${e.redis}` : ''} hoặc sửa REDIS_URL`,
  DATABASE_MISSING: () => MIGRATE,
  DATABASE_NOT_MIGRATED: () => MIGRATE,
  CONFIG_INVALID: () => 'sửa biến môi trường nêu trên (`csdl-gateway config` liệt kê tất cả)',
  INTERNAL_ERROR: () => 'chạy lại với --verbose để xem chi tiết, rồi báo cho quản trị',
  BAD_REQUEST: () => 'xem lại tham số dòng lệnh (`csdl-gateway <lệnh> --help`).',
  AUDIT_CHAIN_BROKEN: () => 'không sửa dữ liệu; báo ngay cho quản trị và khôi phục từ bản sao lưu gần nhất đã diễn tập đạt.',
  BACKUP_TOOL_MISSING: () => 'cài gói postgresql-client cùng phiên bản với máy chủ (apt-get install postgresql-client-15) hoặc đặt BACKUP_PG_BIN_DIR.',
  BACKUP_FAILED: () => 'đọc thông báo của pg_dump trong chi tiết; kiểm tra quyền của tài khoản cơ sở dữ liệu và dung lượng đĩa.',
  BACKUP_DIR_UNWRITABLE: () => 'tạo thư mục hoặc cấp quyền ghi, hoặc chọn thư mục khác bằng --to / BACKUP_DIR.',
  BACKUP_NOT_FOUND: () => 'dùng đúng đường dẫn tệp .dump mà lệnh `backup` in ra; tệp .manifest.json phải nằm cạnh nó.',
  BACKUP_CORRUPT: () => 'không dùng bản này; chọn bản sao lưu khác và chạy `csdl-gateway restore-drill` để kiểm tra.',
  BACKUP_KEY_MISSING: () => 'đặt BACKUP_DECRYPT_KEY_FILE là khóa bí mật tương ứng với khóa công khai đã dùng khi sao lưu (keyId trong manifest).',
  BACKUP_DECRYPT_FAILED: () => 'kiểm tra đúng khóa bí mật (keyId trong manifest); nếu đúng khóa mà vẫn lỗi thì bản sao lưu đã bị sửa: dùng bản khác.',
  RESTORE_TARGET_UNREACHABLE: () => 'kiểm tra địa chỉ --into (postgresql://người-dùng@máy:cổng/tên) và quyền tạo cơ sở dữ liệu.',
  RESTORE_TARGET_NOT_EMPTY: () => 'khôi phục vào một cơ sở dữ liệu mới, hoặc thêm --force nếu chắc chắn muốn xóa dữ liệu hiện có.',
  RESTORE_FAILED: () => 'đọc thông báo của pg_restore; pg_restore phải cùng hoặc mới hơn phiên bản pg_dump ghi trong manifest.',
  RESTORE_VERIFY_FAILED: () => 'không đưa bản khôi phục này vào sử dụng; dùng bản sao lưu khác và báo quản trị.',
};

/** A tool's details as `key=value; …`, a backup's differing facts in words, on one line. */
function detailText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (key === 'mismatches' && Array.isArray(value)) parts.push(...(value as FactMismatch[]).map(describeMismatch));
    else if (value !== null && value !== undefined) parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join('; ');
}

/** host:port of a URL, never its user or password. */
export function endpointOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`;
  } catch {
    return undefined;
  }
}

interface Foreign {
  code?: unknown;
  kind?: unknown;
  port?: unknown;
  address?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  errors?: unknown;
  meta?: { driverAdapterError?: { cause?: unknown } };
}

/** The error and everything it wraps (cause, AggregateError parts, Prisma's driver adapter error). */
function* layers(err: unknown, depth = 0): Generator<Foreign> {
  if (!err || typeof err !== 'object' || depth > 5) return;
  const e = err as Foreign;
  yield e;
  yield* layers(e.meta?.driverAdapterError?.cause, depth + 1);
  yield* layers(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const part of e.errors) yield* layers(part, depth + 1);
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** A foreign error recognised as one of ours, with what it says about the cause. */
export function classifyForeign(err: unknown, endpoints: CliEndpoints = {}): GatewayError | undefined {
  for (const e of layers(err)) {
    const code = typeof e.originalCode === 'string' ? e.originalCode : e.code;
    // SQLSTATE 3D000 / Prisma P1003: the database named in DATABASE_URL does not exist.
    if (code === '3D000' || code === 'P1003' || e.kind === 'DatabaseDoesNotExist') return new GatewayError('DATABASE_MISSING', { database: endpoints.database });
    // 42P01 undefined table / P2021: the database exists but was never migrated.
    if (code === '42P01' || code === 'P2021' || e.kind === 'TableDoesNotExist') return new GatewayError('DATABASE_NOT_MIGRATED');
    if (code === '28P01' || code === '28000' || e.kind === 'AuthenticationFailed' || e.kind === 'DatabaseAccessDenied') {
      return new GatewayError('DATABASE_UNAVAILABLE', { reason: 'AUTHENTICATION', hint: 'kiểm tra người dùng và mật khẩu trong DATABASE_URL' });
    }
    if (code === '57P03' || code === 'P1001' || e.kind === 'DatabaseNotReachable') return new GatewayError('DATABASE_UNAVAILABLE');
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      return new GatewayError('CONFIG_INVALID', { variable: 'PORT', reason: code, hint: code === 'EADDRINUSE'
        ? 'cổng này đang được tiến trình khác dùng: chọn PORT khác hoặc dừng tiến trình đó'
        : 'không được phép mở cổng này (cổng dưới 1024 cần quyền quản trị): chọn PORT khác' });
    }
    if (typeof code === 'string' && NETWORK.has(code)) {
      // Which service by its port (the address is already resolved, the URL may hold a name).
      const port = e.port === undefined ? undefined : String(e.port);
      if (port === undefined && Array.isArray(e.errors)) continue; // an AggregateError: its parts say where
      const portOf = (endpoint?: string) => endpoint?.split(':').at(-1);
      if (port !== undefined && port === portOf(endpoints.redis) && port !== portOf(endpoints.database)) return new GatewayError('QUEUE_UNAVAILABLE', { reason: code });
      if (port === undefined || port === portOf(endpoints.database) || !endpoints.database) return new GatewayError('DATABASE_UNAVAILABLE', { reason: code });
      return new GatewayError('INTERNAL_ERROR', { reason: code, hint: `không kết nối được ${String(e.address)}:${port}: kiểm tra dịch vụ ở địa chỉ đó và cấu hình trỏ tới nó` });
    }
  }
  return undefined;
}

function hintOf(ge: GatewayError, endpoints: CliEndpoints): string | undefined {
  const d = (ge.details ?? {}) as { hint?: unknown };
  return typeof d.hint === 'string' ? d.hint : defaultHints[ge.code]?.(endpoints);
}

/** What went wrong, in a few words after the message (a variable, a reason): never a library's text. */
function whatOf(ge: GatewayError): string {
  // Backups and restores tell which file, table or fact is wrong (the operator acts on exactly that).
  if (/^(BACKUP|RESTORE)_/.test(ge.code)) { const text = detailText(ge.details); return text ? ` (${text})` : ''; }
  const d = (ge.details ?? {}) as { variable?: unknown; reason?: unknown; file?: unknown };
  const parts = [d.variable, d.file, ge.code === 'CONFIG_INVALID' || typeof d.reason === 'string' && /^[A-Z_]+$/.test(d.reason) ? d.reason : undefined]
    .filter((x): x is string => typeof x === 'string' && x.length > 0);
  return parts.length ? ` (${parts.join(': ')})` : '';
}

/** `CODE: message (what) — hint`, one line whatever the error was. */
export function cliErrorLine(err: unknown, endpoints: CliEndpoints = {}): string {
  const ge = isGatewayError(err) ? err : classifyForeign(err, endpoints) ?? translateStoreError(err) ?? new GatewayError('INTERNAL_ERROR');
  const hint = hintOf(ge, endpoints);
  return `${ge.code}: ${ge.message}${whatOf(ge)}${hint ? ` — ${hint}` : ''}`.replace(/\s*[\r\n]+\s*/g, ' ');
}

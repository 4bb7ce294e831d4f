// What the command line shows an operator: one line per error (code, Vietnamese message, what to do) and
// progress bars for long work (cli-progress on stderr, so stdout keeps only results; silent when stderr
// is not a terminal, e.g. under cron or in CI).
import cliProgress from 'cli-progress';
import { isGatewayError, type ErrorCode } from '../errors.ts';
import { describeMismatch, type FactMismatch } from '../domain/backup-manifest.ts';

/** What the operator should do next, by code (codes without an entry print no hint). */
export const hints: Partial<Record<ErrorCode, string>> = {
  CONFIG_INVALID: 'sửa biến môi trường được nêu (xem `csdl-gateway config`) rồi chạy lại.',
  DATABASE_UNAVAILABLE: 'kiểm tra PostgreSQL đang chạy và DATABASE_URL đúng máy chủ, cổng, tên cơ sở dữ liệu.',
  QUEUE_UNAVAILABLE: 'kiểm tra Redis đang chạy và REDIS_URL.',
  BAD_REQUEST: 'xem lại tham số dòng lệnh (`csdl-gateway <lệnh> --help`).',
  AUDIT_CHAIN_BROKEN: 'không sửa dữ liệu; báo ngay cho quản trị và khôi phục từ bản sao lưu gần nhất đã diễn tập đạt.',
  BACKUP_TOOL_MISSING: 'cài gói postgresql-client cùng phiên bản với máy chủ (apt-get install postgresql-client-15) hoặc đặt BACKUP_PG_BIN_DIR.',
  BACKUP_FAILED: 'đọc thông báo của pg_dump trong chi tiết; kiểm tra quyền của tài khoản cơ sở dữ liệu và dung lượng đĩa.',
  BACKUP_DIR_UNWRITABLE: 'tạo thư mục hoặc cấp quyền ghi, hoặc chọn thư mục khác bằng --to / BACKUP_DIR.',
  BACKUP_NOT_FOUND: 'dùng đúng đường dẫn tệp .dump mà lệnh `backup` in ra; tệp .manifest.json phải nằm cạnh nó.',
  BACKUP_CORRUPT: 'không dùng bản này; chọn bản sao lưu khác và chạy `csdl-gateway restore-drill` để kiểm tra.',
  BACKUP_KEY_MISSING: 'đặt BACKUP_DECRYPT_KEY_FILE là khóa bí mật tương ứng với khóa công khai đã dùng khi sao lưu (keyId trong manifest).',
  BACKUP_DECRYPT_FAILED: 'kiểm tra đúng khóa bí mật (keyId trong manifest); nếu đúng khóa mà vẫn lỗi thì bản sao lưu đã bị sửa: dùng bản khác.',
  RESTORE_TARGET_UNREACHABLE: 'kiểm tra địa chỉ --into (postgresql://người-dùng@máy:cổng/tên) và quyền tạo cơ sở dữ liệu.',
  RESTORE_TARGET_NOT_EMPTY: 'khôi phục vào một cơ sở dữ liệu mới, hoặc thêm --force nếu chắc chắn muốn xóa dữ liệu hiện có.',
  RESTORE_FAILED: 'đọc thông báo của pg_restore; pg_restore phải cùng hoặc mới hơn phiên bản pg_dump ghi trong manifest.',
  RESTORE_VERIFY_FAILED: 'không đưa bản khôi phục này vào sử dụng; dùng bản sao lưu khác và báo quản trị.',
};

export function detailText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (key === 'mismatches' && Array.isArray(value)) parts.push(...(value as FactMismatch[]).map(describeMismatch));
    else if (value !== null && value !== undefined) parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join('; ');
}

export interface Progress {
  /** Whether a bar is shown (a terminal): line-by-line progress is then left out. */
  readonly active: boolean;
  /** One more item done; `what` names it (a table, a batch). */
  tick(what?: string): void;
  /** `n` more items done at once. */
  advance(n: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A bar with counts and an estimate of the time left: `Sao lưu [████░░] 12/30 bảng | còn ~4 giây | person`.
 * Silent (all no-ops) when `stream` is not a terminal.
 */
export function progressBar(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { active: false, tick: () => {}, advance: () => {}, setTotal: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    stream, hideCursor: true, clearOnComplete: false, etaBuffer: 20,
    format: `${label} [{bar}] {value}/{total} ${unit} | còn ~{eta_formatted} | {what}`,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  const ensure = (total: number) => { if (!started) { bar.start(total, 0, { what: '' }); started = true; } };
  return {
    active: true,
    setTotal: (total) => { ensure(total); bar.setTotal(total); },
    tick: (what = '') => { ensure(0); bar.increment(1, { what }); },
    advance: (n) => { ensure(0); bar.increment(n); },
    stop: () => { if (started) bar.stop(); },
  };
}

// ── commander's own words, in Vietnamese ─────────────────────────────────

const helpTitles: Record<string, string> = {
  'Usage:': 'Cách dùng:', 'Options:': 'Tùy chọn:', 'Commands:': 'Lệnh:', 'Arguments:': 'Tham số:', 'Global Options:': 'Tùy chọn chung:',
};

/** For `configureHelp({ styleTitle })`: help headings in Vietnamese. */
export const vietnameseHelpTitle = (title: string): string => helpTitles[title] ?? title;

const commanderErrors: Array<[RegExp, (...m: string[]) => string]> = [
  [/^error: unknown option '([^']*)'(.*)$/s, (o, rest) => `không có tùy chọn ${o}${rest.replace(/\(Did you mean (.*)\?\)/, '(có phải ý bạn là $1?)')}`],
  [/^error: unknown command '([^']*)'(.*)$/s, (c, rest) => `không có lệnh ${c}${rest.replace(/\(Did you mean (.*)\?\)/, '(có phải ý bạn là $1?)')}`],
  [/^error: missing required argument '([^']*)'/, (a) => `thiếu tham số bắt buộc <${a}>`],
  [/^error: required option '([^']*)' not specified/, (o) => `thiếu tùy chọn bắt buộc ${o}`],
  [/^error: option '([^']*)' argument missing/, (o) => `tùy chọn ${o} cần một giá trị`],
  [/^error: option '([^']*)' argument '([^']*)' is invalid\.(.*)$/s, (o, v, rest) => `giá trị ${v} của ${o} không hợp lệ.${rest.replace('Allowed choices are', 'Chọn một trong')}`],
  [/^error: too many arguments(.*)$/s, () => 'thừa tham số'],
];

/** One line `BAD_REQUEST: … — what to do` for a command-line mistake commander found (the shape of every CLI error). */
export function translateCommanderError(text: string): string {
  const line = text.trim();
  for (const [pattern, say] of commanderErrors) {
    const m = pattern.exec(line);
    if (m) return `BAD_REQUEST: Yêu cầu không hợp lệ. — ${say(...m.slice(1)).replace(/\s+/g, ' ').trim()}; xem \`csdl-gateway <lệnh> --help\`\n`;
  }
  return `${line}\n`;
}

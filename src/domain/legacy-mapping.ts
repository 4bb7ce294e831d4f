// How a legacy spreadsheet's columns map onto the TT 06/2023 record, and how each cell becomes a value.
// A mapping names, for each column header, the record field it fills ('SoDinhDanh', 'PhanLoai',
// 'SoYeuLyLich.NgaySinh', 'SoYeuLyLich.Luong.MaNgach'…); the cell's type is read from the record's own
// schema (profile-schema.ts), so a mapping cannot put text into a date or invent a field. Cells are
// converted here; the record is then checked by the same domain rules as a record typed in the console.
import type { TSchema } from 'typebox';
import { GatewayError } from '../errors.ts';
import { isDate } from './calendar-date.ts';
import { ChangeContent, SoYeuLyLich } from './profile-schema.ts';
import { GIOI_TINH, LOAI_DAO_TAO, PHAN_LOAI, TRANG_THAI } from './profile-enums.ts';
import { GIOI_TINH_LABELS, LOAI_DAO_TAO_LABELS, PHAN_LOAI_LABELS, TRANG_THAI_LABELS } from './vietnamese-labels.ts';

export interface LegacyMapping {
  /** Worksheet holding one person per row (default: the first sheet). XLSX only. */
  sheet?: string;
  /** Row number of the header (default 1). */
  headerRow?: number;
  /** Column header → record field. */
  columns: Record<string, string>;
  /** History lists from other sheets of the workbook, one item per row, keyed by the personal id. */
  children?: ChildMapping[];
}

/** The CV's history lists a child sheet can fill. */
export const CHILD_LISTS = ['QuaTrinhDaoTao', 'QuaTrinhCongTac', 'KhenThuong', 'KyLuat', 'QuanHeGiaDinh', 'QuaTrinhLuong'] as const;
export type ChildList = (typeof CHILD_LISTS)[number];

export interface ChildMapping {
  sheet: string;
  list: ChildList;
  /** Header of the column holding the person's personal id. */
  key: string;
  headerRow?: number;
  /** Column header → field of the list's item (e.g. 'TuThang', 'DonVi'). */
  columns: Record<string, string>;
}

/**
 * The default mapping: the column headers of a typical provincial HR export (the "Danh sách cán bộ,
 * công chức, viên chức" workbook of the older personnel software), one person per row. The README
 * documents it and samples/legacy-import.csv uses it.
 */
export const DEFAULT_LEGACY_MAPPING: LegacyMapping = {
  headerRow: 1,
  columns: {
    'Số định danh cá nhân': 'SoDinhDanh',
    'Họ và tên': 'SoYeuLyLich.HoTen',
    'Giới tính': 'SoYeuLyLich.GioiTinh',
    'Ngày sinh': 'SoYeuLyLich.NgaySinh',
    'Nơi sinh': 'SoYeuLyLich.NoiSinh',
    'Quê quán': 'SoYeuLyLich.QueQuan',
    'Dân tộc': 'SoYeuLyLich.DanToc',
    'Tôn giáo': 'SoYeuLyLich.TonGiao',
    'Số điện thoại': 'SoYeuLyLich.SoDienThoai',
    'Số sổ BHXH': 'SoYeuLyLich.SoBHXH',
    'Nơi ở hiện nay': 'SoYeuLyLich.NoiOHienNay',
    'Ngày tuyển dụng': 'SoYeuLyLich.NgayTuyenDung',
    'Cơ quan tuyển dụng': 'SoYeuLyLich.CoQuanTuyenDung',
    'Trình độ chuyên môn': 'SoYeuLyLich.TrinhDoChuyenMon',
    'Chức vụ hiện tại': 'SoYeuLyLich.ChucVuHienTai',
    'Mã ngạch': 'SoYeuLyLich.Luong.MaNgach',
    'Tên ngạch': 'SoYeuLyLich.Luong.TenNgach',
    'Bậc lương': 'SoYeuLyLich.Luong.BacLuong',
    'Hệ số lương': 'SoYeuLyLich.Luong.HeSoLuong',
    'Vị trí việc làm': 'SoYeuLyLich.Luong.ViTriViecLam',
    'Phân loại': 'PhanLoai',
    'Mã đơn vị quản lý': 'MaDonViQuanLy',
    'Mã đơn vị sử dụng': 'MaDonViSuDung',
  },
};

/** Fields every mapping must fill: without them a row cannot become a record. */
export const REQUIRED_TARGETS = ['SoDinhDanh', 'PhanLoai', 'MaDonViQuanLy', 'MaDonViSuDung', 'SoYeuLyLich.HoTen', 'SoYeuLyLich.GioiTinh', 'SoYeuLyLich.NgaySinh'] as const;

export type CellKind = 'text' | 'date' | 'month' | 'integer' | 'number' | 'gender' | 'category' | 'status' | 'training' | 'yesNo';

/** Identifier-like text typed into Excel as a number loses its leading zeros: their width restores them. */
const DIGITS_WIDTH: Readonly<Record<string, number>> = { SoDinhDanh: 12, 'SoYeuLyLich.SoBHXH': 10 };

/** Why a cell could not be read (labels in vietnamese-labels.ts). */
export type CellIssueReason = 'FORMULA' | 'CELL_ERROR' | 'DATE_FORMAT' | 'MONTH_FORMAT' | 'NOT_A_NUMBER' | 'NOT_AN_INTEGER' | 'UNKNOWN_LABEL' | 'NOT_TEXT' | 'NOT_YES_NO';

export type CellResult = { ok: true; value: string | number | boolean | undefined } | { ok: false; reason: CellIssueReason };

/** The schema node a field path points at, or null when the record has no such leaf field. */
function schemaAt(path: string): TSchema | null {
  let node: TSchema = ChangeContent;
  for (const part of path.split('.')) {
    const props = (node as { properties?: Record<string, TSchema> }).properties;
    if (!props || !Object.hasOwn(props, part)) return null;
    node = props[part]!;
  }
  return node;
}

/** What kind of cell a field takes, from the schema; null when the field is not a leaf of the record. */
export function cellKindOf(path: string): CellKind | null {
  if (path === 'SoYeuLyLich.GioiTinh') return 'gender';
  if (path === 'PhanLoai') return 'category';
  if (path === 'TrangThai') return 'status';
  const node = schemaAt(path) as { type?: string; format?: string } | null;
  if (!node) return null;
  if (node.type === 'string') return node.format === 'date' ? 'date' : 'text';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  return null; // objects and lists come from their own columns or sheets
}

/** The kind of a field of a history list's item, from the schema; null when the item has no such field. */
export function itemKindOf(list: ChildList, field: string): CellKind | null {
  const listNode = (SoYeuLyLich.properties as Record<string, TSchema>)[list] as { items?: { properties?: Record<string, TSchema> } };
  const props = listNode.items?.properties;
  if (!props || !Object.hasOwn(props, field)) return null;
  const node = props[field] as { type?: string; format?: string; pattern?: string; enum?: unknown };
  if (list === 'QuaTrinhDaoTao' && field === 'Loai') return 'training';
  if (node.type === 'boolean') return 'yesNo';
  if (node.type === 'string') return node.format === 'date' ? 'date' : node.pattern?.startsWith('^\\d{4}-(0[1-9]') ? 'month' : 'text';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  return null;
}

/** Header text as compared: NFC, spaces collapsed, case folded. */
export function headerKey(header: string): string {
  return header.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('vi');
}

/** Checks a mapping read from a file; throws IMPORT_MAPPING_INVALID naming what is wrong. */
export function checkMapping(input: unknown): LegacyMapping {
  const bad = (reason: string, extra: Record<string, unknown> = {}): never => { throw new GatewayError('IMPORT_MAPPING_INVALID', { reason, ...extra }); };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('NOT_AN_OBJECT');
  const m = input as Record<string, unknown>;
  for (const key of Object.keys(m)) if (!['sheet', 'headerRow', 'columns', 'children'].includes(key)) bad('UNKNOWN_KEY', { key });
  if (m['sheet'] !== undefined && (typeof m['sheet'] !== 'string' || m['sheet'].length === 0)) bad('SHEET');
  if (m['headerRow'] !== undefined && !(Number.isInteger(m['headerRow']) && (m['headerRow'] as number) >= 1 && (m['headerRow'] as number) <= 100)) bad('HEADER_ROW');
  const columns = m['columns'];
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) return bad('COLUMNS');
  const seen = new Map<string, string>();
  for (const [header, field] of Object.entries(columns)) {
    if (typeof field !== 'string' || cellKindOf(field) === null) bad('UNKNOWN_FIELD', { header, field });
    if (seen.has(field as string)) bad('FIELD_TWICE', { field, headers: [seen.get(field as string), header] });
    seen.set(field as string, header);
  }
  const missing = REQUIRED_TARGETS.filter((t) => !seen.has(t));
  if (missing.length > 0) bad('REQUIRED_FIELD_UNMAPPED', { fields: missing });
  const children = m['children'] === undefined ? undefined : checkChildren(m['children'], bad);
  return {
    ...(m['sheet'] === undefined ? {} : { sheet: m['sheet'] as string }), headerRow: (m['headerRow'] as number | undefined) ?? 1, columns: columns as Record<string, string>,
    ...(children ? { children } : {}),
  };
}

function checkChildren(input: unknown, bad: (reason: string, extra?: Record<string, unknown>) => never): ChildMapping[] {
  if (!Array.isArray(input)) return bad('CHILDREN');
  return input.map((c: unknown, index) => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return bad('CHILD', { index });
    const o = c as Record<string, unknown>;
    for (const key of Object.keys(o)) if (!['sheet', 'list', 'key', 'headerRow', 'columns'].includes(key)) bad('UNKNOWN_KEY', { index, key });
    if (typeof o['sheet'] !== 'string' || o['sheet'] === '') bad('CHILD_SHEET', { index });
    if (!(CHILD_LISTS as readonly unknown[]).includes(o['list'])) bad('CHILD_LIST', { index, list: o['list'], allowed: CHILD_LISTS });
    if (typeof o['key'] !== 'string' || o['key'] === '') bad('CHILD_KEY', { index });
    if (o['headerRow'] !== undefined && !(Number.isInteger(o['headerRow']) && (o['headerRow'] as number) >= 1 && (o['headerRow'] as number) <= 100)) bad('HEADER_ROW', { index });
    const columns = o['columns'];
    if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) return bad('COLUMNS', { index });
    for (const [header, field] of Object.entries(columns)) {
      if (typeof field !== 'string' || itemKindOf(o['list'] as ChildList, field) === null) bad('UNKNOWN_FIELD', { index, header, field });
    }
    return { sheet: o['sheet'] as string, list: o['list'] as ChildList, key: o['key'] as string, headerRow: (o['headerRow'] as number | undefined) ?? 1, columns: columns as Record<string, string> };
  });
}

const SERIAL_EPOCH = Date.UTC(1899, 11, 30); // Excel's 1900 date system, day 0 (after its 1900 leap-year bug)
const MAX_SERIAL = 2958465; // 9999-12-31

/** A cell's own content: formulas and errors are refused, rich text and hyperlinks give their text. */
function plain(raw: unknown): { value: unknown } | { reason: CellIssueReason } {
  if (raw === null || raw === undefined) return { value: undefined };
  if (typeof raw !== 'object' || raw instanceof Date) return { value: raw };
  const o = raw as Record<string, unknown>;
  // A formula's cached result may be stale or absent: the file must carry values, not formulas.
  if ('formula' in o || 'sharedFormula' in o) return { reason: 'FORMULA' };
  if ('error' in o) return { reason: 'CELL_ERROR' };
  if (Array.isArray(o['richText'])) return { value: (o['richText'] as Array<{ text?: string }>).map((r) => r.text ?? '').join('') };
  if (typeof o['text'] === 'string') return { value: o['text'] };
  return { reason: 'NOT_TEXT' };
}

function ymd(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A date cell: an Excel date or serial number, or text dd/mm/yyyy (d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or yyyy-mm-dd. */
export function parseDateCell(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SERIAL) return null;
    return new Date(SERIAL_EPOCH + value * 86_400_000).toISOString().slice(0, 10);
  }
  if (typeof value !== 'string') return null;
  const t = value.trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const date = m ? ymd(Number(m[3]), Number(m[2]), Number(m[1])) : (m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t)) ? t : null;
  return date !== null && isDate(date) ? date : null;
}

/** Label or code (any case, any Unicode form) → code, built once per list. */
function labelIndex<T extends string>(codes: readonly T[], labels: Readonly<Record<T, string>>): ReadonlyMap<string, T> {
  return new Map(codes.flatMap((c) => [[c.toLowerCase(), c], [headerKey(labels[c]), c]] as Array<[string, T]>));
}
const LABEL_INDEX: Readonly<Record<'gender' | 'category' | 'status' | 'training', ReadonlyMap<string, string>>> = {
  training: labelIndex(LOAI_DAO_TAO, LOAI_DAO_TAO_LABELS),
  gender: labelIndex(GIOI_TINH, GIOI_TINH_LABELS),
  category: labelIndex(PHAN_LOAI, PHAN_LOAI_LABELS),
  status: labelIndex(TRANG_THAI, TRANG_THAI_LABELS),
};

/** Converts one cell for a field of the given kind. Empty cells give `undefined` (left out). */
export function convertCell(field: string, kind: CellKind, raw: unknown): CellResult {
  const p = plain(raw);
  if ('reason' in p) return { ok: false, reason: p.reason };
  const v = p.value;
  if (v === undefined || (typeof v === 'string' && v.trim() === '')) return { ok: true, value: undefined };
  switch (kind) {
    case 'date': {
      const d = parseDateCell(v);
      return d === null ? { ok: false, reason: 'DATE_FORMAT' } : { ok: true, value: d };
    }
    case 'integer':
    case 'number': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+([.,]\d+)?\s*$/.test(v) ? Number(v.trim().replace(',', '.')) : Number.NaN;
      if (!Number.isFinite(n)) return { ok: false, reason: 'NOT_A_NUMBER' };
      if (kind === 'integer' && !Number.isInteger(n)) return { ok: false, reason: 'NOT_AN_INTEGER' };
      return { ok: true, value: n };
    }
    case 'month': {
      const d = parseDateCell(v);
      if (d !== null) return { ok: true, value: d.slice(0, 7) };
      const mm = typeof v === 'string' ? /^\s*(\d{1,2})[/.-](\d{4})\s*$/.exec(v) ?? /^\s*(\d{4})-(\d{2})\s*$/.exec(v) : null;
      if (!mm) return { ok: false, reason: 'MONTH_FORMAT' };
      const [month, year] = mm[1]!.length === 4 ? [Number(mm[2]), mm[1]!] : [Number(mm[1]), mm[2]!];
      return month >= 1 && month <= 12 ? { ok: true, value: `${year}-${String(month).padStart(2, '0')}` } : { ok: false, reason: 'MONTH_FORMAT' };
    }
    case 'yesNo': {
      const key = typeof v === 'string' ? headerKey(v) : typeof v === 'boolean' ? String(v) : typeof v === 'number' ? String(v) : '';
      if (['có', 'x', 'true', '1'].includes(key)) return { ok: true, value: true };
      if (['không', 'false', '0'].includes(key)) return { ok: true, value: false };
      return { ok: false, reason: 'NOT_YES_NO' };
    }
    case 'training':
    case 'gender':
    case 'category':
    case 'status': {
      if (typeof v !== 'string') return { ok: false, reason: 'UNKNOWN_LABEL' };
      const code = LABEL_INDEX[kind].get(headerKey(v));
      return code === undefined ? { ok: false, reason: 'UNKNOWN_LABEL' } : { ok: true, value: code };
    }
    case 'text': {
      if (typeof v === 'number') {
        // An id typed as a number: Excel dropped its leading zeros (and a phone number its leading 0).
        if (!Number.isInteger(v) || v < 0) return { ok: true, value: String(v) };
        const width = DIGITS_WIDTH[field];
        if (width !== undefined) return { ok: true, value: String(v).padStart(width, '0') };
        if (field === 'SoYeuLyLich.SoDienThoai') return { ok: true, value: `0${v}` };
        return { ok: true, value: String(v) };
      }
      if (v instanceof Date) return { ok: false, reason: 'NOT_TEXT' };
      return { ok: true, value: String(v) };
    }
  }
}

/** Sets `value` at a dotted path of a plain object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

/** Spreadsheet column letters of a 1-based column number (1 → A, 27 → AA). */
export function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** A mapping matched against a file's header row: which column fills which field. */
export interface ColumnPlan {
  col: number;
  header: string;
  field: string;
  kind: CellKind;
}

/** Header cells by their key; refuses a blank (merged) cell between filled ones and a repeated header. */
function headerColumns(headerValues: readonly unknown[], headerRow: number, sheet?: string): Map<string, number> {
  const headers = headerValues.map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v && typeof v === 'object' && 'richText' in v ? plainText(v) : ''));
  const last = headers.reduce((acc, h, i) => (h.trim() !== '' ? i : acc), 0);
  const where = sheet === undefined ? {} : { sheet };
  if (last === 0) throw new GatewayError('IMPORT_FILE_INVALID', { reason: 'HEADER_MISSING', row: headerRow, ...where, hint: 'Dòng tiêu đề trống; kiểm tra headerRow trong tệp ánh xạ.' });
  const byKey = new Map<string, number>();
  for (let col = 1; col <= last; col++) {
    const h = headers[col] ?? '';
    if (h.trim() === '') {
      throw new GatewayError('IMPORT_FILE_INVALID', { reason: 'HEADER_BLANK_CELL', cell: `${columnLetters(col)}${headerRow}`, ...where,
        hint: 'Ô tiêu đề bị gộp (merge) hoặc để trống: bỏ gộp ô và đặt mỗi cột một tiêu đề trên cùng một dòng.' });
    }
    const key = headerKey(h);
    if (byKey.has(key)) throw new GatewayError('IMPORT_FILE_INVALID', { reason: 'HEADER_DUPLICATE', header: h, ...where, hint: 'Hai cột có cùng tiêu đề.' });
    byKey.set(key, col);
  }
  return byKey;
}

/**
 * Matches the header row. A header cell left blank between filled ones is what a merged header
 * cell reads as (only its first cell holds the text): refused, as are a header twice and a required
 * field's column missing. Mapped columns the file does not have are simply not read.
 */
export function planColumns(mapping: LegacyMapping, headerValues: readonly unknown[]): ColumnPlan[] {
  const byKey = headerColumns(headerValues, mapping.headerRow ?? 1);
  const plan: ColumnPlan[] = [];
  for (const [header, field] of Object.entries(mapping.columns)) {
    const col = byKey.get(headerKey(header));
    if (col !== undefined) plan.push({ col, header, field, kind: cellKindOf(field)! });
  }
  const missing = REQUIRED_TARGETS.filter((t) => !plan.some((p) => p.field === t)).map((t) => Object.entries(mapping.columns).find(([, f]) => f === t)?.[0] ?? t);
  if (missing.length > 0) throw new GatewayError('IMPORT_FILE_INVALID', { reason: 'HEADER_MISSING_COLUMN', headers: missing, hint: 'Thiếu cột bắt buộc trong dòng tiêu đề.' });
  return plan;
}

export interface ChildPlan {
  child: ChildMapping;
  keyCol: number;
  columns: ColumnPlan[];
}

/** Matches a child sheet's header row: the key column is required, the item's columns are read where present. */
export function planChildColumns(child: ChildMapping, headerValues: readonly unknown[]): ChildPlan {
  const byKey = headerColumns(headerValues, child.headerRow ?? 1, child.sheet);
  const keyCol = byKey.get(headerKey(child.key));
  if (keyCol === undefined) throw new GatewayError('IMPORT_FILE_INVALID', { reason: 'HEADER_MISSING_COLUMN', sheet: child.sheet, headers: [child.key], hint: 'Thiếu cột số định danh cá nhân trong trang tính.' });
  const columns = Object.entries(child.columns).flatMap(([header, field]) => {
    const col = byKey.get(headerKey(header));
    return col === undefined ? [] : [{ col, header, field, kind: itemKindOf(child.list, field)! }];
  });
  return { child, keyCol, columns };
}

/** A cell of another sheet, as Excel writes a reference to it. */
export function sheetCell(sheet: string, col: number, row: number): string {
  return `'${sheet.replace(/'/g, "''")}'!${columnLetters(col)}${row}`;
}

export interface ChildItem {
  personalId: string | null;
  item: Record<string, unknown>;
  /** Where each field came from, for issues found later by the record's rules. */
  cells: Record<string, string>;
  issues: RowIssue[];
}

/** Reads one row of a child sheet: the list item and the cells that could not be read. */
export function readChildRow(plan: ChildPlan, values: readonly unknown[], rowNumber: number): ChildItem {
  const key = convertCell('SoDinhDanh', 'text', values[plan.keyCol]);
  const item: Record<string, unknown> = {};
  const cells: Record<string, string> = {};
  const issues: RowIssue[] = [];
  for (const p of plan.columns) {
    const cell = sheetCell(plan.child.sheet, p.col, rowNumber);
    cells[p.field] = cell;
    const r = convertCell(p.field, p.kind, values[p.col]);
    if (!r.ok) issues.push({ cell, header: p.header, field: `${plan.child.list}.${p.field}`, reason: r.reason });
    else if (r.value !== undefined) item[p.field] = r.value;
  }
  return { personalId: key.ok && typeof key.value === 'string' ? key.value.trim() : null, item, cells, issues };
}

function plainText(v: unknown): string {
  const p = plain(v);
  return 'value' in p && typeof p.value === 'string' ? p.value : '';
}

export interface RowIssue {
  /** The cell, e.g. "D7"; null when the issue is the row's as a whole. */
  cell: string | null;
  header: string | null;
  field: string | null;
  reason: string;
}

export interface LegacyRowRecord {
  personalId: string | null;
  fullName: string | null;
  /** The record's content (envelope + CV) before normalising; valid only when `issues` is empty. */
  content: Record<string, unknown>;
  issues: RowIssue[];
}

/** True when every cell of the row is empty. */
export function isBlankRow(values: readonly unknown[]): boolean {
  return values.every((v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === ''));
}

/** Reads one data row through the plan: the content and the cells that could not be read. */
export function readLegacyRow(plan: readonly ColumnPlan[], values: readonly unknown[], rowNumber: number): LegacyRowRecord {
  const content: Record<string, unknown> = { TrangThai: 'DANG_CONG_TAC', SoYeuLyLich: {} };
  const issues: RowIssue[] = [];
  for (const p of plan) {
    const r = convertCell(p.field, p.kind, values[p.col]);
    if (!r.ok) issues.push({ cell: `${columnLetters(p.col)}${rowNumber}`, header: p.header, field: p.field, reason: r.reason });
    else if (r.value !== undefined) setPath(content, p.field, r.value);
  }
  const cv = content['SoYeuLyLich'] as Record<string, unknown>;
  return {
    personalId: typeof content['SoDinhDanh'] === 'string' ? content['SoDinhDanh'] : null,
    fullName: typeof cv['HoTen'] === 'string' ? cv['HoTen'].normalize('NFC').trim() : null,
    content, issues,
  };
}

/** The column an issue of the record at `path` points at: the mapped field itself or its nearest mapped parent. */
export function issueCell(plan: readonly ColumnPlan[], path: string, rowNumber: number): Pick<RowIssue, 'cell' | 'header' | 'field'> {
  const bare = path.replace(/\[\d+\].*$/, '');
  for (let p = bare; p.length > 0; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const hit = plan.find((c) => c.field === p);
    if (hit) return { cell: `${columnLetters(hit.col)}${rowNumber}`, header: hit.header, field: hit.field };
  }
  return { cell: null, header: null, field: path };
}

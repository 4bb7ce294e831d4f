// Legacy spreadsheets as a province's older personnel software exports them (the default mapping's
// headers), made from the demo profiles: for the import benchmark, the tests and the sample file.
import ExcelJS from 'exceljs';
import { DEFAULT_LEGACY_MAPPING } from '../domain/legacy-mapping.ts';
import { GIOI_TINH_LABELS, PHAN_LOAI_LABELS } from '../domain/vietnamese-labels.ts';
import { createRng, generateProfile } from '../seed/demo-profiles.ts';

export const LEGACY_HEADERS = Object.keys(DEFAULT_LEGACY_MAPPING.columns);

export type LegacyRow = Record<string, unknown>;

/** Date cells as Excel stores them: a date at UTC midnight. */
const excelDate = (ymd: string | undefined) => (ymd === undefined ? undefined : new Date(`${ymd}T00:00:00Z`));

/** The row of one demo person, values typed as a spreadsheet holds them. */
export function legacyRowOf(serial: number, o: { seed: number; agencyCode: string; today: string }): LegacyRow {
  const p = generateProfile(createRng(o.seed * 1_000_003 + serial), { agencyCode: o.agencyCode, today: o.today, serial, status: 'DANG_CONG_TAC' });
  const cv = p.SoYeuLyLich;
  return {
    'Số định danh cá nhân': p.personalId, 'Họ và tên': cv.HoTen, 'Giới tính': GIOI_TINH_LABELS[cv.GioiTinh], 'Ngày sinh': excelDate(cv.NgaySinh),
    'Nơi sinh': cv.NoiSinh, 'Quê quán': cv.QueQuan, 'Dân tộc': cv.DanToc, 'Tôn giáo': cv.TonGiao, 'Số điện thoại': cv.SoDienThoai, 'Số sổ BHXH': cv.SoBHXH,
    'Nơi ở hiện nay': cv.NoiOHienNay, 'Ngày tuyển dụng': excelDate(cv.NgayTuyenDung), 'Cơ quan tuyển dụng': cv.CoQuanTuyenDung,
    'Trình độ chuyên môn': cv.TrinhDoChuyenMon, 'Chức vụ hiện tại': cv.ChucVuHienTai, 'Mã ngạch': cv.Luong?.MaNgach, 'Tên ngạch': cv.Luong?.TenNgach,
    'Bậc lương': cv.Luong?.BacLuong, 'Hệ số lương': cv.Luong?.HeSoLuong, 'Vị trí việc làm': cv.Luong?.ViTriViecLam,
    'Phân loại': PHAN_LOAI_LABELS[p.category], 'Mã đơn vị quản lý': p.agencyCode, 'Mã đơn vị sử dụng': p.agencyCode,
  };
}

/** Writes a workbook (streaming: 100,000 rows stay out of memory); `mergeHeader` merges two header cells, a defect. */
export async function writeLegacyWorkbook(path: string, rows: Iterable<LegacyRow>, o: {
  sheet?: string; mergeHeader?: boolean; children?: Array<{ sheet: string; headers: string[]; rows: unknown[][] }>;
} = {}): Promise<number> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  const ws = book.addWorksheet(o.sheet ?? 'Danh sách');
  ws.columns = LEGACY_HEADERS.map((h) => ({ key: h, width: 16, style: /^Ngày/.test(h) ? { numFmt: 'dd/mm/yyyy' } : {} }));
  const header = ws.addRow(LEGACY_HEADERS);
  if (o.mergeHeader) {
    header.getCell(5).value = null;
    ws.mergeCells(1, 4, 1, 5);
  }
  header.commit();
  let n = 0;
  for (const row of rows) {
    ws.addRow(LEGACY_HEADERS.map((h) => row[h] ?? null)).commit();
    n++;
  }
  ws.commit();
  for (const child of o.children ?? []) {
    const sheet = book.addWorksheet(child.sheet);
    sheet.addRow(child.headers).commit();
    for (const r of child.rows) sheet.addRow(r).commit();
    sheet.commit();
  }
  await book.commit();
  return n;
}

/** The same rows as CSV (UTF-8 with BOM, dates dd/mm/yyyy), as Excel's "CSV UTF-8" saves them. */
export function legacyCsv(rows: Iterable<LegacyRow>): string {
  const cell = (v: unknown) => {
    const s = v instanceof Date ? `${String(v.getUTCDate()).padStart(2, '0')}/${String(v.getUTCMonth() + 1).padStart(2, '0')}/${v.getUTCFullYear()}` : v === undefined || v === null ? '' : String(v);
    return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [LEGACY_HEADERS.map(cell).join(',')];
  for (const row of rows) lines.push(LEGACY_HEADERS.map((h) => cell(row[h])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

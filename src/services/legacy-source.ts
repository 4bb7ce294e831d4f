// Reading a legacy file a row at a time, whatever its size: XLSX with exceljs's streaming reader, CSV
// with csv-parse. What the file is comes from its first bytes, not its name: an encrypted workbook (or
// an old .xls) is an OLE compound file, a workbook is a zip. Every way a file can be unreadable ends in
// IMPORT_FILE_INVALID with a reason and a Vietnamese hint, never a stack trace.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse';
import { GatewayError, isGatewayError } from '../errors.ts';

export interface SourceRow {
  /** 1-based row number as the spreadsheet shows it (CSV: the record's number, header = 1). */
  number: number;
  /** Cell values by 1-based column number (index 0 unused). */
  values: unknown[];
}

export type SourceKind = 'xlsx' | 'csv';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

function invalid(reason: string, hint: string, extra: Record<string, unknown> = {}, cause?: unknown): GatewayError {
  return new GatewayError('IMPORT_FILE_INVALID', { reason, hint, ...extra }, { cause });
}

/** Decides from the first bytes whether the file is a workbook, a CSV or neither. */
export async function sniffSource(path: string): Promise<SourceKind> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw invalid('UNREADABLE', 'Không mở được tệp; kiểm tra đường dẫn và quyền đọc.', {}, err);
  }
  if (head.length === 0) throw invalid('EMPTY_FILE', 'Tệp rỗng.');
  if (head.subarray(0, 8).equals(OLE)) throw invalid('ENCRYPTED_OR_XLS', 'Tệp được đặt mật khẩu hoặc ở định dạng .xls cũ: mở bằng Excel, bỏ mật khẩu và lưu lại dạng .xlsx.');
  if (head.subarray(0, 4).equals(ZIP)) return 'xlsx';
  // Text: no NUL bytes, and valid UTF-8 (a CSV saved by Excel as "CSV UTF-8").
  if (head.includes(0)) throw invalid('NOT_A_WORKBOOK', 'Tệp không phải bảng tính .xlsx hay .csv.');
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true }); // stream: a character cut at 4096 bytes is not an error
  } catch {
    throw invalid('NOT_UTF8', 'Tệp CSV phải được lưu ở dạng UTF-8 (Excel: "CSV UTF-8").');
  }
  return 'csv';
}

/** The rows of the chosen worksheet (default: the first), then the end. */
async function* xlsxRows(path: string, sheet: string | undefined): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(path), {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', entries: 'ignore',
  });
  let found = false;
  const names: string[] = [];
  try {
    for await (const ws of reader) {
      const worksheet = ws as unknown as AsyncIterable<{ number: number; values: unknown }> & { name: string };
      names.push(worksheet.name);
      if (found || (sheet !== undefined && worksheet.name.normalize('NFC') !== sheet.normalize('NFC'))) {
        for await (const _ of worksheet) { /* drain the sheets that are not read */ }
        continue;
      }
      found = true;
      for await (const row of worksheet) yield { number: row.number, values: Array.isArray(row.values) ? row.values : [] };
    }
  } catch (err) {
    if (isGatewayError(err)) throw err;
    throw invalid('NOT_A_WORKBOOK', 'Tệp không phải bảng tính .xlsx đọc được (hỏng hoặc là loại tệp nén khác).', { message: (err as Error).message }, err);
  }
  if (!found) throw invalid('SHEET_NOT_FOUND', 'Không có trang tính cần đọc; kiểm tra tên trang tính trong tệp ánh xạ.', { sheet: sheet ?? null, sheets: names });
}

async function* csvRows(path: string): AsyncGenerator<SourceRow> {
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter: [',', ';'], relax_column_count: true, skip_empty_lines: false }));
  let n = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      n++;
      yield { number: n, values: [undefined, ...record] };
    }
  } catch (err) {
    throw invalid('CSV_MALFORMED', 'Tệp CSV sai cấu trúc (dấu ngoặc kép không đóng…).', { row: n + 1, message: (err as Error).message }, err);
  }
}

/** Every row of the file, header included, in order. */
export function sourceRows(path: string, kind: SourceKind, sheet?: string): AsyncGenerator<SourceRow> {
  return kind === 'xlsx' ? xlsxRows(path, sheet) : csvRows(path);
}

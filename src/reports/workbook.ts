// Report workbooks (XLSX) for people who open them in Excel and hand them on: title lines above a table,
// a one- or two-row header (columns of a group share a merged group cell), frozen so that it stays in
// view while scrolling, set column widths, numbers as numbers and every text cell through
// neutraliseCell() (formula injection). Written with exceljs, held in memory: report tables are small.
import ExcelJS from 'exceljs';
import { neutraliseCell } from './cell-safety.ts';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type CellValue = string | number | null | undefined;

export interface Column {
  header: string;
  /** Width in characters. */
  width: number;
  /** Columns next to each other with the same group share a merged cell above their headers. */
  group?: string;
}

export interface TableSheet {
  name: string;
  /** Lines above the table: the first is the title (bold, larger). */
  title: readonly string[];
  columns: readonly Column[];
  rows: ReadonlyArray<readonly CellValue[]>;
  /** A last row in bold (totals). */
  footer?: readonly CellValue[];
  /** Columns kept in view when scrolling sideways (the row's name). */
  frozenColumns?: number;
}

/** Text through the formula guard, numbers as they are, nothing as an empty cell. */
export function safeCell(value: CellValue): string | number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : neutraliseCell(value);
}

const border: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };

function addTable(book: ExcelJS.Workbook, t: TableSheet): void {
  const ws = book.addWorksheet(t.name.slice(0, 31));
  t.title.forEach((line, i) => {
    const row = ws.addRow([safeCell(line)]);
    row.font = i === 0 ? { bold: true, size: 14 } : { italic: i > 1 };
    ws.mergeCells(row.number, 1, row.number, Math.max(1, t.columns.length));
    row.alignment = { horizontal: i === 0 ? 'center' : 'left' };
  });
  ws.addRow([]);
  const grouped = t.columns.some((c) => c.group !== undefined);
  const first = ws.rowCount + 1;
  if (grouped) {
    ws.addRow(t.columns.map((c) => safeCell(c.group ?? c.header)));
    ws.addRow(t.columns.map((c) => safeCell(c.header)));
    for (let i = 0; i < t.columns.length;) {
      const c = t.columns[i]!;
      let j = i;
      while (c.group !== undefined && j + 1 < t.columns.length && t.columns[j + 1]!.group === c.group) j++;
      if (c.group === undefined) ws.mergeCells(first, i + 1, first + 1, i + 1);
      else if (j > i) ws.mergeCells(first, i + 1, first, j + 1);
      i = j + 1;
    }
  } else {
    ws.addRow(t.columns.map((c) => safeCell(c.header)));
  }
  const last = ws.rowCount;
  for (let r = first; r <= last; r++) {
    const row = ws.getRow(r);
    row.font = { bold: true };
    row.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    row.eachCell((cell) => { cell.border = border; cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }; });
  }
  t.columns.forEach((c, i) => { ws.getColumn(i + 1).width = c.width; });
  for (const values of t.rows) ws.addRow(values.map(safeCell)).eachCell((cell) => { cell.border = border; });
  if (t.footer) {
    const row = ws.addRow(t.footer.map(safeCell));
    row.font = { bold: true };
    row.eachCell((cell) => { cell.border = border; });
  }
  ws.views = [{ state: 'frozen', ySplit: last, xSplit: t.frozenColumns ?? 0 }];
}

/** The XLSX bytes of one or more table sheets. */
export async function tableWorkbook(sheets: readonly TableSheet[], o: { creator: string; created: Date }): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = o.creator;
  book.created = o.created;
  for (const sheet of sheets) addTable(book, sheet);
  return Buffer.from(await book.xlsx.writeBuffer());
}

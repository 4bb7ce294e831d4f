// CSV files of the reports, for people who open them in Excel.
// Excel decides the encoding of a .csv file from its first bytes: without a byte order mark it reads
// the file in the Windows code page and Vietnamese text (Nguyễn, Chuyên viên…) comes out garbled. So every
// report is UTF-8 WITH a BOM (EF BB BF), has a header row, and ends records with CRLF (RFC 4180).
// Every text cell goes through neutraliseCell (formula injection, CWE-1236); numbers stay numbers.
import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from './cell-safety.ts';

export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8';

export type CsvValue = string | number | null | undefined;

const safe = (value: CsvValue): CsvValue => (typeof value === 'string' ? neutraliseCell(value) : value);

/** The CSV text (starting with U+FEFF) of a header and its rows, every text cell neutralised. */
export function toExcelCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return stringify([header.map(safe), ...rows.map((row) => row.map(safe))], { bom: true, record_delimiter: 'windows' });
}

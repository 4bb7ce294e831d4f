// CSV files of the reports, for people who open them in Excel.
// Excel decides the encoding of a .csv file from its first bytes: without a byte order mark it reads
// the file in the Windows code page and Vietnamese text (Nguyễn, Chuyên viên…) comes out garbled. So every
// report is UTF-8 WITH a BOM (EF BB BF), has a header row, and ends records with CRLF (RFC 4180).
import { stringify } from 'csv-stringify/sync';

export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8';

export type CsvValue = string | number | null | undefined;

/** The CSV text (starting with U+FEFF) of a header and its rows. */
export function toExcelCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return stringify([header as CsvValue[], ...(rows as CsvValue[][])], { bom: true, record_delimiter: 'windows' });
}

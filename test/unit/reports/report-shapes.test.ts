// Report shapes: per-agency counts, truncation, and CSV files Excel opens with Vietnamese intact.
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { buildDeadlineReport, DEADLINE_CSV_HEADER, deadlineCsv } from '../../../src/reports/deadline-report.ts';
import { buildHeadcountReport, HEADCOUNT_CSV_HEADER, headcountCsv } from '../../../src/reports/headcount-report.ts';
import { toExcelCsv } from '../../../src/reports/report-csv.ts';
import type { OverdueItem } from '../../../src/reports/deadline-rules.ts';
import type { HeadcountRow } from '../../../src/store/reports.ts';

const days = { VERIFY: 5, NEW_RECORD: 5, UPDATE: 15, STATUS_CHANGE: 15, TRANSFER: 10, SYNC: 3 };
const item = (over: Partial<OverdueItem>): OverdueItem => ({
  rule: 'VERIFY', changeId: 'c1', personalId: '001090000001', agencyCode: 'H55.06', agencyName: 'Sở Y tế', kind: 'CAP_NHAT',
  state: 'SUBMITTED', since: '2026-03-02', deadline: '2026-03-09', workingDaysLate: 9, ...over,
});

describe('toExcelCsv', () => {
  it('writes a BOM, a header row, CRLF records, and quotes what needs it', () => {
    const text = toExcelCsv(['Họ và tên', 'Ghi chú'], [['Nguyễn Thị Ánh', 'a, "b"'], ['Trần Văn Bình', null]]);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text.slice(1)).toBe('Họ và tên,Ghi chú\r\nNguyễn Thị Ánh,"a, ""b"""\r\nTrần Văn Bình,\r\n');
  });
});

describe('deadline report', () => {
  const items = [
    item({ changeId: 'a', rule: 'VERIFY' }),
    item({ changeId: 'a', rule: 'UPDATE', workingDaysLate: 2 }),
    item({ changeId: 'b', rule: 'SYNC', agencyCode: 'H55.05', agencyName: 'Sở Giáo dục và Đào tạo', workingDaysLate: 1 }),
  ];

  it('lists one item per change with each rule it breaks; counts changes, by agency and rule; lists at most `limit`', () => {
    const report = buildDeadlineReport(items, { asOf: '2026-03-20', agencyCode: 'H55', days, limit: 1 });
    expect(report.totals).toMatchObject({ total: 2, VERIFY: 1, UPDATE: 1, SYNC: 1, NEW_RECORD: 0, TRANSFER: 0, STATUS_CHANGE: 0 });
    expect(report.agencies.map((a) => [a.agencyCode, a.counts.total])).toEqual([['H55.05', 1], ['H55.06', 1]]);
    expect(report.agencies[1]!.counts).toMatchObject({ VERIFY: 1, UPDATE: 1, SYNC: 0 });
    expect(report).toMatchObject({ itemCount: 2, truncated: true });
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toMatchObject({ changeId: 'a', rule: 'VERIFY', workingDaysLate: 9 });
    expect(report.items[0]!.breaches.map((b) => b.rule)).toEqual(['VERIFY', 'UPDATE']);
    expect(buildDeadlineReport([], { asOf: '2026-03-20', agencyCode: 'H55', days })).toMatchObject({ itemCount: 0, truncated: false, agencies: [] });
  });

  it('lists one CSV row per change under a header, in Vietnamese, dates dd/mm/yyyy, text neutralised', () => {
    const text = deadlineCsv([...items, item({ changeId: 'c', agencyName: '=HYPERLINK("http://x")' })]);
    expect(text.startsWith('\ufeff')).toBe(true);
    const rows = parse(text.slice(1)) as string[][];
    expect(rows[0]).toEqual([...DEADLINE_CSV_HEADER]);
    expect(rows).toHaveLength(4);
    expect(rows[1]![2]).toBe('Xác minh, đối chiếu hồ sơ (quá 9 ngày làm việc); Cập nhật hồ sơ (quá 2 ngày làm việc)');
    expect(rows[2]).toEqual(['H55.05', 'Sở Giáo dục và Đào tạo', 'Đồng bộ lên CSDL quốc gia (quá 1 ngày làm việc)', 'b', '001090000001',
      'Cập nhật hồ sơ', 'Chờ xác minh', '02/03/2026', '09/03/2026', '1']);
    expect(rows[3]![1]).toBe('\'=HYPERLINK("http://x")');
  });
});

describe('headcount report', () => {
  const rows: HeadcountRow[] = [
    { dimension: 'TOTAL', code: null, name: null, count: 10 },
    { dimension: 'GRADE', code: '01.003', name: 'Chuyên viên', count: 4 },
    { dimension: 'GRADE', code: '01.002', name: 'Chuyên viên chính', count: 4 },
    { dimension: 'GRADE', code: null, name: null, count: 2 },
    { dimension: 'POSITION', code: null, name: 'Trưởng phòng', count: 1 },
    { dimension: 'POSITION', code: null, name: null, count: 9 },
    { dimension: 'JOB_POSITION', code: null, name: 'Chuyên viên về tổ chức cán bộ', count: 10 },
    { dimension: 'CATEGORY', code: 'CONG_CHUC', name: null, count: 8 },
    { dimension: 'CATEGORY', code: 'NGUOI_LAO_DONG', name: null, count: 2 },
    { dimension: 'AGENCY', code: 'H55.06', name: 'Sở Y tế', count: 10 },
  ];

  it('orders each dimension by count, then code, "not recorded" last', () => {
    const report = buildHeadcountReport(rows, { agencyCode: 'H55', generatedAt: new Date('2027-01-05T02:00:00Z') });
    expect(report.total).toBe(10);
    expect(report.byGrade.map((g) => g.gradeCode)).toEqual(['01.002', '01.003', null]);
    expect(report.byPosition).toEqual([{ position: null, count: 9 }, { position: 'Trưởng phòng', count: 1 }]);
    expect(report.byCategory).toEqual([{ category: 'CONG_CHUC', count: 8 }, { category: 'NGUOI_LAO_DONG', count: 2 }]);
    expect(report.byAgency).toEqual([{ agencyCode: 'H55.06', agencyName: 'Sở Y tế', count: 10 }]);
  });

  it('writes the total first, then a row per count, with Vietnamese labels', () => {
    const report = buildHeadcountReport(rows, { agencyCode: 'H55', generatedAt: new Date('2027-01-05T02:00:00Z') });
    const parsed = parse(headcountCsv(report).slice(1)) as string[][];
    expect(parsed[0]).toEqual([...HEADCOUNT_CSV_HEADER]);
    expect(parsed[1]).toEqual(['Tổng số', '', '', '10']);
    expect(parsed).toContainEqual(['Ngạch', '01.003', 'Chuyên viên', '4']);
    expect(parsed).toContainEqual(['Ngạch', '', '(chưa có thông tin)', '2']);
    expect(parsed).toContainEqual(['Phân loại', 'NGUOI_LAO_DONG', 'Người lao động', '2']);
    expect(parsed).toContainEqual(['Đơn vị', 'H55.06', 'Sở Y tế', '10']);
    expect(parsed).toHaveLength(1 + 1 + 3 + 2 + 1 + 2 + 1);
  });
});

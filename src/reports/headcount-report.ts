// The annual headcount report (DESIGN rule 7; due by 15/31 January): persons at work (DANG_CONG_TAC) by
// ngạch, by position (chức vụ), by job position (vị trí việc làm), by category and by employing agency.
// The database aggregates (store/reports.ts, one GROUPING SETS scan); this module shapes its rows into
// the report and its CSV.
import type { PhanLoai } from '../domain/profile-enums.ts';
import type { HeadcountDimension, HeadcountRow } from '../store/reports.ts';
import { toExcelCsv, type CsvValue } from './report-csv.ts';

export type { HeadcountDimension, HeadcountRow } from '../store/reports.ts';

export interface HeadcountReport {
  /** Root of the subtree counted. */
  agencyCode: string;
  /** When the counts were taken: the report shows the database as it is, not as of a past date. */
  generatedAt: string;
  total: number;
  byGrade: Array<{ gradeCode: string | null; gradeName: string | null; count: number }>;
  byPosition: Array<{ position: string | null; count: number }>;
  byJobPosition: Array<{ jobPosition: string | null; count: number }>;
  byCategory: Array<{ category: string; count: number }>;
  byAgency: Array<{ agencyCode: string; agencyName: string | null; count: number }>;
}

export const CATEGORY_LABELS: Readonly<Record<PhanLoai, string>> = {
  CAN_BO: 'Cán bộ',
  CONG_CHUC: 'Công chức',
  VIEN_CHUC: 'Viên chức',
  NGUOI_LAO_DONG: 'Người lao động',
};

const DIMENSION_LABELS: Readonly<Record<HeadcountDimension, string>> = {
  TOTAL: 'Tổng số',
  GRADE: 'Ngạch',
  POSITION: 'Chức vụ',
  JOB_POSITION: 'Vị trí việc làm',
  CATEGORY: 'Phân loại',
  AGENCY: 'Đơn vị',
};

const NOT_RECORDED = '(chưa có thông tin)';

/** Most first, then by code or name, "not recorded" last among equals. */
function ordered(rows: HeadcountRow[]): HeadcountRow[] {
  const key = (r: HeadcountRow) => r.code ?? r.name ?? '\uffff';
  return [...rows].sort((a, b) => b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function buildHeadcountReport(rows: readonly HeadcountRow[], o: { agencyCode: string; generatedAt: Date }): HeadcountReport {
  const of = (d: HeadcountDimension) => ordered(rows.filter((r) => r.dimension === d));
  return {
    agencyCode: o.agencyCode,
    generatedAt: o.generatedAt.toISOString(),
    total: rows.find((r) => r.dimension === 'TOTAL')?.count ?? 0,
    byGrade: of('GRADE').map((r) => ({ gradeCode: r.code, gradeName: r.name, count: r.count })),
    byPosition: of('POSITION').map((r) => ({ position: r.name, count: r.count })),
    byJobPosition: of('JOB_POSITION').map((r) => ({ jobPosition: r.name, count: r.count })),
    byCategory: of('CATEGORY').map((r) => ({ category: r.code ?? '', count: r.count })),
    byAgency: of('AGENCY').map((r) => ({ agencyCode: r.code ?? '', agencyName: r.name, count: r.count })),
  };
}

export const HEADCOUNT_CSV_HEADER = ['Tiêu chí', 'Mã', 'Tên', 'Số lượng'] as const;

/** One row per count: the total first, then each dimension in the order of the JSON report. */
export function headcountCsv(report: HeadcountReport): string {
  const row = (d: HeadcountDimension, code: string | null, name: string | null, count: number): CsvValue[] =>
    [DIMENSION_LABELS[d], code ?? '', name ?? (code === null ? NOT_RECORDED : ''), count];
  return toExcelCsv(HEADCOUNT_CSV_HEADER, [
    [DIMENSION_LABELS.TOTAL, '', '', report.total],
    ...report.byGrade.map((r) => row('GRADE', r.gradeCode, r.gradeName, r.count)),
    ...report.byPosition.map((r) => row('POSITION', null, r.position, r.count)),
    ...report.byJobPosition.map((r) => row('JOB_POSITION', null, r.jobPosition, r.count)),
    ...report.byCategory.map((r) => row('CATEGORY', r.category, CATEGORY_LABELS[r.category as PhanLoai] ?? null, r.count)),
    ...report.byAgency.map((r) => row('AGENCY', r.agencyCode, r.agencyName, r.count)),
  ]);
}

// Salary scales (NĐ 204/2004/NĐ-CP, bảng 2–4) and a catalogue of common grades (ngạch) and professional
// titles (chức danh nghề nghiệp). The catalogue names codes for reports and demo data; validation does not
// require a code to be listed (MA_NGACH_PATTERN only), because the national list is long and changes.

import type { PhanLoai } from './profile-enums.ts';

export interface SalaryScale {
  readonly first: number; // coefficient of step 1
  readonly increment: number; // added per step
  readonly steps: number; // number of steps (bậc)
  readonly yearsPerStep: number; // regular raise every 3 years (A groups) or 2 years (B, C, employees)
}

export const SALARY_SCALES = {
  'A3.1': { first: 6.2, increment: 0.36, steps: 6, yearsPerStep: 3 },
  'A3.2': { first: 5.75, increment: 0.36, steps: 6, yearsPerStep: 3 },
  'A2.1': { first: 4.4, increment: 0.34, steps: 8, yearsPerStep: 3 },
  'A2.2': { first: 4.0, increment: 0.34, steps: 8, yearsPerStep: 3 },
  A1: { first: 2.34, increment: 0.33, steps: 9, yearsPerStep: 3 },
  A0: { first: 2.1, increment: 0.31, steps: 10, yearsPerStep: 3 },
  B: { first: 1.86, increment: 0.2, steps: 12, yearsPerStep: 2 },
  C1: { first: 1.65, increment: 0.18, steps: 12, yearsPerStep: 2 },
  /** Bảng 4: lái xe cơ quan. */
  LX: { first: 2.05, increment: 0.18, steps: 12, yearsPerStep: 2 },
  /** Bảng 4: nhân viên bảo vệ. */
  BV: { first: 1.5, increment: 0.18, steps: 12, yearsPerStep: 2 },
} as const satisfies Record<string, SalaryScale>;

export type SalaryGroup = keyof typeof SALARY_SCALES;

/** Coefficient of `step` (1-based, clamped to the scale), as the nearest double to its 2-decimal value. */
export function salaryCoefficient(group: SalaryGroup, step: number): number {
  const scale: SalaryScale = SALARY_SCALES[group];
  const s = Math.min(Math.max(1, Math.trunc(step)), scale.steps);
  return Math.round((scale.first + scale.increment * (s - 1)) * 100) / 100;
}

/**
 * Phụ cấp thâm niên vượt khung (% of the last step's coefficient): 5% after 3 years at the last step
 * (2 years for B/C), then 1% more per year; 0 before that.
 */
export function seniorityAllowancePercent(group: SalaryGroup, yearsAtLastStep: number): number {
  const threshold = SALARY_SCALES[group].yearsPerStep;
  if (yearsAtLastStep < threshold) return 0;
  return Math.min(100, 5 + Math.floor(yearsAtLastStep - threshold));
}

export interface Grade {
  readonly code: string;
  readonly name: string;
  readonly group: SalaryGroup;
  /** Who holds it: CAN_BO/CONG_CHUC hold civil-service grades, VIEN_CHUC professional titles. */
  readonly categories: readonly PhanLoai[];
}

const CIVIL: readonly PhanLoai[] = ['CAN_BO', 'CONG_CHUC'];
const PUBLIC_SERVICE: readonly PhanLoai[] = ['VIEN_CHUC'];
const WORKER: readonly PhanLoai[] = ['NGUOI_LAO_DONG'];

export const GRADES: readonly Grade[] = (
  [
    ['01.001', 'Chuyên viên cao cấp', 'A3.1', CIVIL],
    ['01.002', 'Chuyên viên chính', 'A2.1', CIVIL],
    ['01.003', 'Chuyên viên', 'A1', CIVIL],
    ['01.004', 'Cán sự', 'A0', CIVIL],
    ['02.006', 'Văn thư viên chính', 'A2.1', CIVIL],
    ['02.007', 'Văn thư viên', 'A1', CIVIL],
    ['04.024', 'Thanh tra viên chính', 'A2.1', CIVIL],
    ['04.025', 'Thanh tra viên', 'A1', CIVIL],
    ['06.030', 'Kế toán viên chính', 'A2.1', CIVIL],
    ['06.031', 'Kế toán viên', 'A1', CIVIL],
    ['06.032', 'Kế toán viên trung cấp', 'A0', CIVIL],
    ['V.07.01.02', 'Giảng viên chính (hạng II)', 'A2.1', PUBLIC_SERVICE],
    ['V.07.01.03', 'Giảng viên (hạng III)', 'A1', PUBLIC_SERVICE],
    ['V.07.02.26', 'Giáo viên mầm non hạng III', 'A0', PUBLIC_SERVICE],
    ['V.07.03.28', 'Giáo viên tiểu học hạng II', 'A2.2', PUBLIC_SERVICE],
    ['V.07.03.29', 'Giáo viên tiểu học hạng III', 'A1', PUBLIC_SERVICE],
    ['V.07.04.31', 'Giáo viên trung học cơ sở hạng II', 'A2.2', PUBLIC_SERVICE],
    ['V.07.04.32', 'Giáo viên trung học cơ sở hạng III', 'A1', PUBLIC_SERVICE],
    ['V.07.05.14', 'Giáo viên trung học phổ thông hạng II', 'A2.1', PUBLIC_SERVICE],
    ['V.07.05.15', 'Giáo viên trung học phổ thông hạng III', 'A1', PUBLIC_SERVICE],
    ['V.08.01.02', 'Bác sĩ chính (hạng II)', 'A2.1', PUBLIC_SERVICE],
    ['V.08.01.03', 'Bác sĩ (hạng III)', 'A1', PUBLIC_SERVICE],
    ['V.08.05.12', 'Điều dưỡng hạng III', 'A1', PUBLIC_SERVICE],
    ['V.08.05.13', 'Điều dưỡng hạng IV', 'B', PUBLIC_SERVICE],
    ['13.095', 'Kỹ sư', 'A1', PUBLIC_SERVICE],
    ['01.010', 'Lái xe cơ quan', 'LX', WORKER],
    ['01.011', 'Nhân viên bảo vệ', 'BV', WORKER],
  ] as const
).map(([code, name, group, categories]) => ({ code, name: name.normalize('NFC'), group, categories }));

const BY_CODE = new Map(GRADES.map((g) => [g.code, g]));

export function gradeOf(code: string): Grade | undefined {
  return BY_CODE.get(code);
}

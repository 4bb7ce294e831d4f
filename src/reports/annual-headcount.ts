// The annual headcount as the Ministry reads it (DESIGN rule 7, due by 15/31 January): persons at work
// by agency, by ngạch / professional title and by job position, each row split by category (cán bộ,
// công chức, viên chức, người lao động), gender, ethnicity, age band and education level. Every group of
// columns adds up to the row's total and every column adds up to the total row (tested against the
// database). The store groups (store/reports.ts); this module shapes and writes the workbook.
import { AGE_BANDS, EDUCATION_LEVELS, EDUCATION_OTHER, ETHNICITY_GROUPS, MAJORITY_ETHNICITY, educationPrefixes } from '../domain/headcount-bands.ts';
import { GIOI_TINH, PHAN_LOAI } from '../domain/profile-enums.ts';
import { GIOI_TINH_LABELS, PHAN_LOAI_LABELS } from '../domain/vietnamese-labels.ts';
import { vietnameseDate } from '../domain/calendar-date.ts';
import { annualHeadcountGroups, type AnnualHeadcountGroup } from '../store/reports.ts';
import type { Db } from '../store/db.ts';
import { getAgency } from '../store/agencies.ts';
import { tableWorkbook, type Column, type TableSheet } from './workbook.ts';

interface CountColumn extends Column {
  group: string;
  matches: (g: AnnualHeadcountGroup) => boolean;
}

const ageMaxima = AGE_BANDS.flatMap((b) => (b.max === null ? [] : [b.max]));

/** The counted columns, in order; each group of them partitions the persons of a row. */
export const COUNT_COLUMNS: readonly CountColumn[] = [
  ...PHAN_LOAI.map((c) => ({ group: 'Trong đó', header: PHAN_LOAI_LABELS[c], width: 11, matches: (g: AnnualHeadcountGroup) => g.category === c })),
  ...GIOI_TINH.map((s) => ({ group: 'Giới tính', header: GIOI_TINH_LABELS[s], width: 8, matches: (g: AnnualHeadcountGroup) => g.gender === s })),
  ...ETHNICITY_GROUPS.map((e) => ({ group: 'Dân tộc', header: e.label, width: 11, matches: (g: AnnualHeadcountGroup) => g.ethnicity === e.code })),
  ...AGE_BANDS.map((b, i) => ({ group: 'Độ tuổi', header: b.label, width: 10, matches: (g: AnnualHeadcountGroup) => g.ageBand === i })),
  ...EDUCATION_LEVELS.map((l) => ({ group: 'Trình độ chuyên môn', header: l.label, width: 10, matches: (g: AnnualHeadcountGroup) => g.education === l.code })),
  { group: 'Trình độ chuyên môn', header: EDUCATION_OTHER.label, width: 12, matches: (g: AnnualHeadcountGroup) => g.education === null },
];

/** Column groups that each add up to the total. */
export const COLUMN_GROUPS = [...new Set(COUNT_COLUMNS.map((c) => c.group))];

export interface HeadcountLine {
  code: string | null;
  name: string | null;
  total: number;
  /** Aligned with COUNT_COLUMNS. */
  counts: number[];
}

export interface AnnualHeadcount {
  title: string;
  provinceCode: string;
  provinceName: string;
  agencyCode: string;
  agencyName: string;
  year: number;
  asOf: string;
  columns: Array<{ group: string; header: string }>;
  total: HeadcountLine;
  byAgency: HeadcountLine[];
  byGrade: HeadcountLine[];
  byJobPosition: HeadcountLine[];
}

function tally(groups: readonly AnnualHeadcountGroup[], key: (g: AnnualHeadcountGroup) => string | null, name: (g: AnnualHeadcountGroup) => string | null): HeadcountLine[] {
  const lines = new Map<string | null, HeadcountLine>();
  for (const g of groups) {
    const k = key(g);
    let line = lines.get(k);
    if (!line) lines.set(k, (line = { code: k, name: name(g), total: 0, counts: COUNT_COLUMNS.map(() => 0) }));
    line.name ??= name(g);
    line.total += g.count;
    COUNT_COLUMNS.forEach((c, i) => { if (c.matches(g)) line.counts[i] = line.counts[i]! + g.count; });
  }
  // Agencies and grades by code, job positions by name; "not recorded" last.
  return [...lines.values()].sort((a, b) => (a.code === null ? 1 : b.code === null ? -1 : a.code.localeCompare(b.code, 'vi')));
}

export function shapeAnnualHeadcount(groups: readonly AnnualHeadcountGroup[], o: {
  provinceCode: string; provinceName: string; agencyCode: string; agencyName: string; year: number; asOf: string;
}): AnnualHeadcount {
  const [total] = tally(groups, () => 'TOTAL', () => 'Tổng cộng');
  return {
    title: `BÁO CÁO SỐ LƯỢNG, CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC VÀ NGƯỜI LAO ĐỘNG NĂM ${o.year}`,
    ...o,
    columns: COUNT_COLUMNS.map(({ group, header }) => ({ group, header })),
    total: total ?? { code: 'TOTAL', name: 'Tổng cộng', total: 0, counts: COUNT_COLUMNS.map(() => 0) },
    byAgency: tally(groups, (g) => g.agencyCode, (g) => g.agencyName),
    byGrade: tally(groups, (g) => g.gradeCode, (g) => g.gradeName),
    byJobPosition: tally(groups, (g) => g.jobPosition, (g) => g.jobPosition),
  };
}

export async function annualHeadcount(db: Db, o: { provinceCode: string; provinceName: string; agencyCode: string; agencyName: string; year: number; asOf: string }): Promise<AnnualHeadcount> {
  const groups = await annualHeadcountGroups(db, o.agencyCode, {
    asOf: o.asOf, ageBandMaxima: ageMaxima, educationPrefixes: educationPrefixes(), majorityEthnicity: MAJORITY_ETHNICITY,
  });
  return shapeAnnualHeadcount(groups, o);
}

const NOT_RECORDED = '(chưa có thông tin)';

function sheet(r: AnnualHeadcount, name: string, heading: string, keys: [string, string], lines: HeadcountLine[], nameWidth: number): TableSheet {
  return {
    name,
    title: [
      r.title,
      `${heading}`,
      `Tỉnh, thành phố: ${r.provinceName} (${r.provinceCode}). Đơn vị báo cáo: ${r.agencyName} (${r.agencyCode})`,
      `Số liệu tính đến ngày ${vietnameseDate(r.asOf)}; tuổi tính đến ngày này. Chỉ tính người đang công tác, hồ sơ đã được phê duyệt.`,
    ],
    columns: [
      { header: 'STT', width: 6 }, { header: keys[0], width: 14 }, { header: keys[1], width: nameWidth }, { header: 'Tổng số', width: 9 },
      ...COUNT_COLUMNS.map(({ group, header, width }) => ({ group, header, width })),
    ],
    rows: lines.map((l, i) => [i + 1, l.code ?? '', l.name ?? (l.code === null ? NOT_RECORDED : ''), l.total, ...l.counts]),
    footer: ['', '', 'Tổng cộng', r.total.total, ...r.total.counts],
    frozenColumns: 3,
  };
}

/** The workbook the Ministry receives: one sheet per breakdown. */
export async function annualHeadcountWorkbook(r: AnnualHeadcount, created: Date): Promise<Buffer> {
  return tableWorkbook([
    sheet(r, 'Theo đơn vị', 'Biểu 1. Số lượng theo cơ quan, đơn vị và phân loại', ['Mã đơn vị', 'Tên cơ quan, đơn vị'], r.byAgency, 40),
    sheet(r, 'Theo ngạch, chức danh', 'Biểu 2. Số lượng theo ngạch công chức, chức danh nghề nghiệp viên chức', ['Mã ngạch, chức danh', 'Tên ngạch, chức danh'], r.byGrade, 36),
    sheet(r, 'Theo vị trí việc làm', 'Biểu 3. Số lượng theo vị trí việc làm', ['', 'Vị trí việc làm'], r.byJobPosition.map((l) => ({ ...l, code: l.code === null ? null : '' })), 44),
  ], { creator: `Sở Nội vụ ${r.provinceName}`, created });
}

/**
 * The annual report of `agencyCode`'s subtree end to end: names from the agency table, counts from the
 * database, the workbook. `year` defaults to the as-of date's year.
 */
export async function annualHeadcountReport(db: Db, o: { provinceCode: string; agencyCode: string; asOf: string; year?: number | undefined; created: Date }): Promise<{ report: AnnualHeadcount; workbook: Buffer }> {
  const [province, agency] = await Promise.all([getAgency(db, o.provinceCode), getAgency(db, o.agencyCode)]);
  const report = await annualHeadcount(db, {
    provinceCode: o.provinceCode, provinceName: province?.name ?? o.provinceCode, agencyCode: o.agencyCode, agencyName: agency?.name ?? o.agencyCode,
    year: o.year ?? Number(o.asOf.slice(0, 4)), asOf: o.asOf,
  });
  return { report, workbook: await annualHeadcountWorkbook(report, o.created) };
}

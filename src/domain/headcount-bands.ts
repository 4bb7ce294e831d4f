// The columns of the annual headcount report (báo cáo số lượng, chất lượng CBCCVC, DESIGN rule 7) as
// tables: age bands, levels of professional education, and who counts as an ethnic minority. The store
// groups by these (it receives the tables as parameters), the report names the columns with the labels.

/** Age in whole years on the as-of date; each band holds ages up to `max` (the last has none). */
export const AGE_BANDS = [
  { code: 'DEN_30', label: 'Từ 30 trở xuống', max: 30 },
  { code: 'TU_31_DEN_40', label: 'Từ 31 đến 40', max: 40 },
  { code: 'TU_41_DEN_50', label: 'Từ 41 đến 50', max: 50 },
  { code: 'TU_51_DEN_60', label: 'Từ 51 đến 60', max: 60 },
  { code: 'TREN_60', label: 'Trên 60', max: null },
] as const;
export type AgeBand = (typeof AGE_BANDS)[number]['code'];

/**
 * Levels of professional education, highest first, recognised by how TrinhDoChuyenMon begins (the
 * TT 06/2023 form writes the degree then the field: "Thạc sĩ Luật", "Cử nhân Kế toán"). A text that
 * matches none counts as KHAC.
 */
export const EDUCATION_LEVELS = [
  { code: 'TIEN_SI', label: 'Tiến sĩ', prefixes: ['Tiến sĩ', 'TS.', 'Tiến sỹ'] },
  { code: 'THAC_SI', label: 'Thạc sĩ', prefixes: ['Thạc sĩ', 'ThS', 'Thạc sỹ', 'Bác sĩ chuyên khoa', 'Dược sĩ chuyên khoa'] },
  { code: 'DAI_HOC', label: 'Đại học', prefixes: ['Đại học', 'Cử nhân', 'Kỹ sư', 'Bác sĩ', 'Dược sĩ', 'Kiến trúc sư', 'ĐH'] },
  { code: 'CAO_DANG', label: 'Cao đẳng', prefixes: ['Cao đẳng', 'CĐ'] },
  { code: 'TRUNG_CAP', label: 'Trung cấp', prefixes: ['Trung cấp', 'TC'] },
  { code: 'SO_CAP', label: 'Sơ cấp', prefixes: ['Sơ cấp'] },
] as const;
export const EDUCATION_OTHER = { code: 'KHAC', label: 'Khác, chưa qua đào tạo' } as const;
export type EducationLevel = (typeof EDUCATION_LEVELS)[number]['code'] | typeof EDUCATION_OTHER.code;

/** DanToc of the majority; any other recorded ethnicity counts as an ethnic minority (dân tộc thiểu số). */
export const MAJORITY_ETHNICITY = 'Kinh';
export const ETHNICITY_GROUPS = [
  { code: 'KINH', label: 'Kinh' },
  { code: 'THIEU_SO', label: 'Dân tộc thiểu số' },
  { code: 'CHUA_CO', label: 'Chưa có thông tin' },
] as const;
export type EthnicityGroup = (typeof ETHNICITY_GROUPS)[number]['code'];

/** The band of an age in years. */
export function ageBandOf(age: number): AgeBand {
  return (AGE_BANDS.find((b) => b.max !== null && age <= b.max) ?? AGE_BANDS[AGE_BANDS.length - 1]!).code;
}

/** Prefix → level pairs, in order, with the lower-case spelling of each prefix too (for the store). */
export function educationPrefixes(): Array<{ prefix: string; level: EducationLevel }> {
  return EDUCATION_LEVELS.flatMap((l) => l.prefixes.flatMap((p) => [...new Set([p, p.toLowerCase()])].map((prefix) => ({ prefix, level: l.code }))));
}

/** The level of a TrinhDoChuyenMon text (NFC). */
export function educationLevelOf(text: string | null | undefined): EducationLevel {
  if (!text) return EDUCATION_OTHER.code;
  return educationPrefixes().find((p) => text.startsWith(p.prefix))?.level ?? EDUCATION_OTHER.code;
}

/** The group of a DanToc text. */
export function ethnicityGroupOf(text: string | null | undefined): EthnicityGroup {
  const t = text?.trim();
  if (!t) return 'CHUA_CO';
  return t.toLowerCase() === MAJORITY_ETHNICITY.toLowerCase() ? 'KINH' : 'THIEU_SO';
}

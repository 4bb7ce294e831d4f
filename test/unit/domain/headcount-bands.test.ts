import { describe, expect, it } from 'vitest';
import { AGE_BANDS, EDUCATION_LEVELS, ageBandOf, educationLevelOf, educationPrefixes, ethnicityGroupOf } from '../../../src/domain/headcount-bands.ts';
import { CHANGE_STATE_LABELS, PHAN_LOAI_LABELS, labelOf, labelled } from '../../../src/domain/vietnamese-labels.ts';
import { PHAN_LOAI } from '../../../src/domain/profile-enums.ts';

describe('age bands', () => {
  it('put every age from 18 to 80 in exactly one band, bounds included in the lower band', () => {
    for (let age = 18; age <= 80; age++) {
      const band = AGE_BANDS.find((b) => b.code === ageBandOf(age))!;
      const index = AGE_BANDS.indexOf(band);
      const lower = index === 0 ? -Infinity : AGE_BANDS[index - 1]!.max!;
      expect(age).toBeGreaterThan(lower);
      if (band.max !== null) expect(age).toBeLessThanOrEqual(band.max);
    }
    expect([30, 31, 40, 41, 60, 61].map(ageBandOf)).toEqual(['DEN_30', 'TU_31_DEN_40', 'TU_31_DEN_40', 'TU_41_DEN_50', 'TU_51_DEN_60', 'TREN_60']);
  });
});

describe('education levels', () => {
  it('read the degree at the start of TrinhDoChuyenMon, the more specific prefix first', () => {
    expect(educationLevelOf('Thạc sĩ Luật')).toBe('THAC_SI');
    expect(educationLevelOf('cử nhân Kế toán')).toBe('DAI_HOC');
    expect(educationLevelOf('Bác sĩ chuyên khoa I')).toBe('THAC_SI');
    expect(educationLevelOf('Bác sĩ đa khoa')).toBe('DAI_HOC');
    expect(educationLevelOf('Trung cấp Y')).toBe('TRUNG_CAP');
    expect(educationLevelOf('Tú tài')).toBe('KHAC');
    expect(educationLevelOf('')).toBe('KHAC');
    expect(educationLevelOf(null)).toBe('KHAC');
  });

  it('recognise each level by each of its own prefixes', () => {
    for (const level of EDUCATION_LEVELS) for (const p of level.prefixes) expect(educationLevelOf(`${p} X`)).toBe(level.code);
    expect(educationPrefixes().every((p) => p.prefix === p.prefix.normalize('NFC'))).toBe(true);
  });
});

describe('ethnicity groups', () => {
  it('count Kinh, any other recorded ethnicity as a minority, and a blank as not recorded', () => {
    expect(['Kinh', ' kinh ', 'Tày', 'Ê Đê', '', '  ', null, undefined].map(ethnicityGroupOf))
      .toEqual(['KINH', 'KINH', 'THIEU_SO', 'THIEU_SO', 'CHUA_CO', 'CHUA_CO', 'CHUA_CO', 'CHUA_CO']);
  });
});

describe('Vietnamese labels', () => {
  it('label every code of a list, in order, and show an unknown code as itself', () => {
    expect(labelled(PHAN_LOAI, PHAN_LOAI_LABELS).map((l) => l.code)).toEqual([...PHAN_LOAI]);
    expect(Object.values(CHANGE_STATE_LABELS).every((l) => l.length > 0)).toBe(true);
    expect(labelOf(CHANGE_STATE_LABELS, 'SYNCED')).toBe('Đã đồng bộ');
    expect(labelOf(CHANGE_STATE_LABELS, 'NOT_A_STATE')).toBe('NOT_A_STATE');
    expect(labelOf(CHANGE_STATE_LABELS, 'toString')).toBe('toString');
  });
});

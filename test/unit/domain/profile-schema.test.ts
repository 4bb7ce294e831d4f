import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { ApprovalLevel, ChangeKind, PersonCategory, PersonStatus } from '../../../src/generated/prisma/enums.ts';
import {
  CAP_PHE_DUYET,
  ChangeContent,
  GIOI_TINH,
  HoSo,
  LIST_ITEM_ELEMENT,
  LOAI_DAO_TAO,
  MA_NGACH_PATTERN,
  PHAN_LOAI,
  SoYeuLyLich,
  THAO_TAC,
  TRANG_THAI,
} from '../../../src/domain/profile.ts';
import { birthProvinceName, BIRTH_PROVINCES } from '../../../src/domain/birth-provinces.ts';
import { GRADES, gradeOf, salaryCoefficient, SALARY_SCALES, seniorityAllowancePercent, type SalaryGroup } from '../../../src/domain/salary-grades.ts';
import { createRng, generateProfile } from '../../../src/seed/demo-profiles.ts';

describe('enumerations', () => {
  it.each([
    ['PHAN_LOAI', PHAN_LOAI, PersonCategory],
    ['TRANG_THAI', TRANG_THAI, PersonStatus],
    ['THAO_TAC', THAO_TAC, ChangeKind],
    ['CAP_PHE_DUYET', CAP_PHE_DUYET, ApprovalLevel],
  ] as const)('%s has the values of the Prisma enum', (_n, values, prisma) => {
    expect([...values]).toEqual(Object.values(prisma));
  });

  it('§6 vocabularies', () => {
    expect(GIOI_TINH).toEqual(['NAM', 'NU']);
    expect(LOAI_DAO_TAO).toEqual(['CHUYEN_MON', 'LY_LUAN_CHINH_TRI', 'QUAN_LY_NHA_NUOC', 'AN_NINH_QUOC_PHONG', 'TIN_HOC', 'NGOAI_NGU']);
  });

  it('list item element names', () => {
    expect(LIST_ITEM_ELEMENT).toEqual({
      QuaTrinhDaoTao: 'DaoTao', QuaTrinhCongTac: 'CongTac', KhenThuong: 'Muc', KyLuat: 'Muc',
      QuanHeGiaDinh: 'ThanhVien', QuaTrinhLuong: 'Muc', PheDuyet: 'CapPheDuyet',
    });
  });
});

describe('the schemas are standard JSON Schema', () => {
  const today = '2026-11-24';
  const profile = generateProfile(createRng(3), { agencyCode: 'H55.19', today });

  it('TypeBox compiles them and accepts a valid profile, record and change content', () => {
    const envelope = {
      SoDinhDanh: profile.personalId, MaDonViQuanLy: 'H55.19', MaDonViSuDung: 'H55.19', PhanLoai: profile.category,
      TrangThai: profile.status, SoYeuLyLich: profile.SoYeuLyLich,
    };
    expect(Compile(SoYeuLyLich).Check(profile.SoYeuLyLich)).toBe(true);
    expect(Compile(ChangeContent).Check(envelope)).toBe(true);
    expect(Compile(HoSo).Check({ ...envelope, PheDuyet: [] })).toBe(true);
  });

  it('TypeBox refuses what the schema can say (required, enum, pattern, range)', () => {
    const check = Compile(SoYeuLyLich);
    expect(check.Check({ GioiTinh: 'NAM', NgaySinh: '1990-01-01' })).toBe(false);
    expect(check.Check({ HoTen: 'A', GioiTinh: 'X', NgaySinh: '1990-01-01' })).toBe(false);
    expect(check.Check({ HoTen: 'A', GioiTinh: 'NAM', NgaySinh: '1990-02-30' })).toBe(false);
    expect(check.Check({ HoTen: 'A', GioiTinh: 'NAM', NgaySinh: '1990-01-01', Luong: { BacLuong: 17 } })).toBe(false);
  });

  it.each([['01.003', true], ['06.031', true], ['V.07.01.03', true], ['13.095', true], ['15a.201', true], ['1.003', false], ['01.0031', false], ['V.07.1.03', false], ['v.07.01.03', false], ['01.A03', false]])(
    'MaNgach pattern: %s → %s',
    (code, ok) => {
      expect(new RegExp(MA_NGACH_PATTERN).test(code)).toBe(ok);
    },
  );
});

describe('salary grades', () => {
  it.each([
    ['A1', 1, 2.34], ['A1', 9, 4.98], ['A1', 12, 4.98], ['A1', 0, 2.34],
    ['A0', 4, 3.03], ['A2.1', 8, 6.78], ['A3.1', 6, 8], ['B', 12, 4.06], ['C1', 12, 3.63], ['LX', 1, 2.05], ['BV', 12, 3.48],
  ] as const)('%s step %i = %d', (group, step, coefficient) => {
    expect(salaryCoefficient(group, step)).toBe(coefficient);
  });

  it('every coefficient of every scale is an exact 2-decimal value within 1.00–10.00', () => {
    for (const group of Object.keys(SALARY_SCALES) as SalaryGroup[]) {
      for (let s = 1; s <= SALARY_SCALES[group].steps; s++) {
        const c = salaryCoefficient(group, s);
        expect(Number(c.toFixed(2))).toBe(c);
        expect(c).toBeGreaterThanOrEqual(1);
        expect(c).toBeLessThanOrEqual(10);
      }
    }
  });

  it.each([['A1', 2.9, 0], ['A1', 3, 5], ['A1', 4.5, 6], ['B', 2, 5], ['A1', 200, 100]] as const)(
    'vượt khung for %s after %d years at the last step = %i%%',
    (group, years, percent) => {
      expect(seniorityAllowancePercent(group, years)).toBe(percent);
    },
  );

  it('the catalogue is well-formed and NFC', () => {
    const re = new RegExp(MA_NGACH_PATTERN);
    for (const g of GRADES) {
      expect(re.test(g.code)).toBe(true);
      expect(g.name.normalize('NFC')).toBe(g.name);
      expect(gradeOf(g.code)).toBe(g);
    }
    expect(gradeOf('01.003')?.name).toBe('Chuyên viên');
    expect(gradeOf('99.999')).toBeUndefined();
  });
});

describe('birth provinces', () => {
  it('63 codes within 001–096, NFC names', () => {
    expect(BIRTH_PROVINCES.size).toBe(63);
    for (const [code, name] of BIRTH_PROVINCES) {
      expect(Number(code)).toBeGreaterThanOrEqual(1);
      expect(Number(code)).toBeLessThanOrEqual(96);
      expect(name.normalize('NFC')).toBe(name);
    }
    expect(birthProvinceName('001')).toBe('Thành phố Hà Nội');
    expect(birthProvinceName('003')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors.ts';
import { canonicalProfileJson, LOAI_DAO_TAO, normalizeProfile, validateChangeContent, validateProfile } from '../../../src/domain/profile.ts';
import { checkPersonalIdMatches, decodePersonalId } from '../../../src/domain/personal-id.ts';
import { birthProvinceName } from '../../../src/domain/birth-provinces.ts';
import { gradeOf, salaryCoefficient } from '../../../src/domain/salary-grades.ts';
import { createRng, generateProfile, generateProfiles, type DemoProfile } from '../../../src/seed/demo-profiles.ts';

const today = '2026-11-24';
const COUNT = 2000;
const profiles = generateProfiles(20261124, COUNT, { agencyCode: 'H55.19.05', today });

describe('createRng', () => {
  it('is deterministic per seed and stays in range', () => {
    const a = createRng(1);
    const b = createRng(1);
    const c = createRng(2);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    for (let i = 0; i < 1000; i++) {
      const n = a.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
    expect(new Set(Array.from({ length: 200 }, () => a.pick(['x', 'y', 'z'])))).toEqual(new Set(['x', 'y', 'z']));
  });
});

describe('generateProfiles', () => {
  it('is deterministic: same seed, same records', () => {
    const again = generateProfiles(20261124, 50, { agencyCode: 'H55.19.05', today });
    expect(JSON.stringify(again)).toBe(JSON.stringify(profiles.slice(0, 50)));
    expect(JSON.stringify(generateProfiles(1, 50, { agencyCode: 'H55.19.05', today }))).not.toBe(JSON.stringify(again));
  });

  it(`every one of ${COUNT} profiles is valid, consistent with its id, and in normal form (NFC)`, () => {
    const failures: unknown[] = [];
    for (const p of profiles) {
      const issues = validateProfile(p.SoYeuLyLich, { today });
      const content = { SoDinhDanh: p.personalId, MaDonViQuanLy: 'H55.19', MaDonViSuDung: p.agencyCode, PhanLoai: p.category, TrangThai: p.status, SoYeuLyLich: p.SoYeuLyLich };
      const envelope = validateChangeContent(content, { today, provinceCode: 'H55' });
      if (issues.length > 0 || envelope.length > 0) failures.push({ id: p.personalId, issues, envelope });
      expect(checkPersonalIdMatches(p.personalId, p.SoYeuLyLich.NgaySinh, p.SoYeuLyLich.GioiTinh)).toEqual({ ok: true });
    }
    expect(failures).toEqual([]);
    const sample = profiles.slice(0, 200);
    for (const p of sample) {
      expect(normalizeProfile(p.SoYeuLyLich)).toEqual(p.SoYeuLyLich);
      const json = canonicalProfileJson(p.SoYeuLyLich);
      expect(json.normalize('NFC')).toBe(json);
    }
  });

  it.each(['2025-01-01', '2030-06-30', '2026-02-28'])('stays valid for another today (%s)', (day) => {
    for (const p of generateProfiles(5, 300, { agencyCode: 'H55', today: day })) {
      expect(validateProfile(p.SoYeuLyLich, { today: day })).toEqual([]);
    }
  });

  it('gives unique personal ids for distinct serials', () => {
    expect(new Set(profiles.map((p) => p.personalId)).size).toBe(COUNT);
  });

  it('is complete: every record has the main sections and child lists', () => {
    for (const p of profiles) {
      const cv = p.SoYeuLyLich;
      for (const f of ['NoiSinh', 'QueQuan', 'DanToc', 'TonGiao', 'NgayCapCCCD', 'SoDienThoai', 'SoBHXH', 'SoTheBHYT', 'NoiOHienNay',
        'NgayTuyenDung', 'CoQuanTuyenDung', 'NgayVaoCoQuan', 'TrinhDoGiaoDucPhoThong', 'TrinhDoChuyenMon', 'CongViecChinh', 'Luong',
        'SucKhoe', 'QuaTrinhDaoTao', 'QuaTrinhCongTac', 'QuanHeGiaDinh', 'QuaTrinhLuong', 'NhanXetDanhGia'] as const) {
        expect(cv[f], `${p.personalId} ${f}`).toBeDefined();
      }
    }
  });

  it('is varied', () => {
    const distinct = (f: (p: DemoProfile) => unknown) => new Set(profiles.map(f)).size;
    expect(distinct((p) => p.SoYeuLyLich.GioiTinh)).toBe(2);
    expect(distinct((p) => p.category)).toBe(4);
    expect(distinct((p) => p.status)).toBeGreaterThanOrEqual(4);
    expect(distinct((p) => p.SoYeuLyLich.Luong?.MaNgach)).toBeGreaterThanOrEqual(20);
    expect(distinct((p) => p.SoYeuLyLich.DanToc)).toBeGreaterThanOrEqual(8);
    expect(distinct((p) => p.SoYeuLyLich.HoTen)).toBeGreaterThan(COUNT * 0.8);
    expect(distinct((p) => p.personalId.slice(0, 3))).toBeGreaterThanOrEqual(60);
    const kinh = profiles.filter((p) => p.SoYeuLyLich.DanToc === 'Kinh').length;
    expect(kinh / COUNT).toBeGreaterThan(0.75);
    const loai = new Set(profiles.flatMap((p) => (p.SoYeuLyLich.QuaTrinhDaoTao ?? []).map((d) => d.Loai)));
    expect([...loai].sort()).toEqual([...LOAI_DAO_TAO].sort());
    for (const list of ['KhenThuong', 'KyLuat', 'NgayVaoDang', 'ChucVuHienTai', 'TenGoiKhac', 'HocHam'] as const) {
      expect(profiles.some((p) => p.SoYeuLyLich[list] !== undefined), list).toBe(true);
    }
    expect(profiles.some((p) => p.SoYeuLyLich.Luong?.PhuCapThamNienVuotKhung !== undefined)).toBe(true);
    expect(profiles.some((p) => p.SoYeuLyLich.QuanHeGiaDinh?.some((m) => m.BenVoChong))).toBe(true);
  });

  it('salary is consistent: coefficient of the grade scale, history ending at the current step', () => {
    for (const p of profiles) {
      const luong = p.SoYeuLyLich.Luong!;
      const grade = gradeOf(luong.MaNgach!)!;
      expect(grade.categories).toContain(p.category);
      expect(luong.TenNgach).toBe(grade.name);
      expect(luong.HeSoLuong).toBe(salaryCoefficient(grade.group, luong.BacLuong!));
      const history = p.SoYeuLyLich.QuaTrinhLuong!;
      const last = history[history.length - 1]!;
      expect(last).toMatchObject({ MaNgach: luong.MaNgach, BacLuong: luong.BacLuong, HeSoLuong: luong.HeSoLuong });
      expect(last.DenThang).toBeUndefined();
    }
  });

  it('place of birth is the province of the id', () => {
    for (const p of profiles.slice(0, 300)) {
      const province = birthProvinceName(decodePersonalId(p.personalId).provinceCode)!;
      expect(p.SoYeuLyLich.NoiSinh!.toLowerCase()).toContain(province.toLowerCase());
    }
  });
});

describe('generateProfile options', () => {
  it.each([['CAN_BO'], ['CONG_CHUC'], ['VIEN_CHUC'], ['NGUOI_LAO_DONG']] as const)('category %s is respected', (category) => {
    const rng = createRng(9);
    for (let i = 0; i < 100; i++) {
      const p = generateProfile(rng, { agencyCode: 'H55', today, category, serial: i });
      expect(p.category).toBe(category);
      expect(validateProfile(p.SoYeuLyLich, { today })).toEqual([]);
    }
  });

  it.each([['NGHI_HUU'], ['TU_TRAN'], ['THOI_VIEC'], ['CHUYEN_RA_NGOAI_TINH'], ['CHUYEN_KHOI_DANG']] as const)('status %s is respected and valid', (status) => {
    const rng = createRng(10);
    for (let i = 0; i < 100; i++) {
      const p = generateProfile(rng, { agencyCode: 'H55', today, status, serial: i });
      expect(p.status).toBe(status);
      expect(validateProfile(p.SoYeuLyLich, { today })).toEqual([]);
    }
  });

  it('retired people are at least 60', () => {
    const rng = createRng(11);
    for (let i = 0; i < 50; i++) {
      const p = generateProfile(rng, { agencyCode: 'H55', today, status: 'NGHI_HUU' });
      expect(Number(today.slice(0, 4)) - Number(p.SoYeuLyLich.NgaySinh.slice(0, 4))).toBeGreaterThanOrEqual(60);
    }
  });

  it('echoes the agency code in canonical form and refuses an invalid one', () => {
    expect(generateProfile(createRng(1), { agencyCode: '000.05.19.H55', today }).agencyCode).toBe('H55.19.05');
    try {
      generateProfile(createRng(1), { agencyCode: 'h55', today });
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'INVALID_AGENCY_CODE')).toBe(true);
    }
  });

  it('refuses a bad today', () => {
    try {
      generateProfile(createRng(1), { agencyCode: 'H55', today: '24/11/2026' });
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'INVALID_VALUE')).toBe(true);
    }
  });

  it('uses the given province name for the current address', () => {
    const p = generateProfile(createRng(1), { agencyCode: 'H55', today, provinceName: 'tỉnh Phú Thọ' });
    expect(p.SoYeuLyLich.NoiOHienNay).toMatch(/, tỉnh Phú Thọ$/);
  });
});

// Deterministic demo CBCCVC: realistic, varied, VALID Vietnamese profiles (TT 06/2023 CV with every child
// list) for demos, tests and the 250k-record benchmark. Same seed, same options → same records. Built for
// speed (>20k profiles/s): integer day arithmetic, vocabularies split once at load, no normalisation per
// record (the vocabularies are NFC already). Personal ids are unique for serials 0–999,999.

import { GatewayError } from '../errors.ts';
import { canonicalAgencyCode } from '../domain/agency-code.ts';
import { BIRTH_PROVINCES } from '../domain/birth-provinces.ts';
import { dateOfDayNumber, dayNumberOfDate } from '../domain/calendar-date.ts';
import { buildPersonalId } from '../domain/personal-id.ts';
import type { GioiTinh, PhanLoai, TrangThai } from '../domain/profile-enums.ts';
import type { CongTac, DaoTao, KhenThuongMuc, QuaTrinhLuongMuc, SoYeuLyLich, ThanhVien } from '../domain/profile-schema.ts';
import { GRADES, SALARY_SCALES, salaryCoefficient, seniorityAllowancePercent, type Grade } from '../domain/salary-grades.ts';

/** A small fast PRNG (sfc32) with the helpers the generator needs. */
export interface Rng {
  next(): number; // [0, 1)
  int(min: number, max: number): number; // inclusive
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next(); // mix the seed in
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p) => next() < p,
  };
}

/** Vocabulary: '|'-separated, entries repeated to weight them. */
const words = (s: string): readonly string[] => s.normalize('NFC').split('|');

const HO = words('Nguyễn|Nguyễn|Nguyễn|Nguyễn|Nguyễn|Nguyễn|Nguyễn|Trần|Trần|Lê|Lê|Phạm|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đinh|Mai|Trịnh|Lương|Tạ');
const DEM = { NAM: words('Văn|Văn|Văn|Đức|Hữu|Minh|Quang|Thanh|Công|Xuân|Mạnh|Ngọc|Đình|Trọng|Anh|Hoàng'), NU: words('Thị|Thị|Thị|Thị|Ngọc|Thu|Thanh|Phương|Minh|Hồng|Thùy|Kim|Bích|Mai|Thị Thu|Thị Thanh') };
const TEN = {
  NAM: words('Hùng|Dũng|Tuấn|Minh|Nam|Long|Hải|Sơn|Thắng|Quân|Hiếu|Trung|Đức|Phong|Cường|Khoa|Thành|Bình|Huy|Tùng|Hoàng|Việt|Phúc|Toàn|Kiên|Lâm|Tiến|Đạt'),
  NU: words('Lan|Hương|Hoa|Mai|Linh|Trang|Hằng|Thảo|Nga|Huyền|Ngọc|Yến|Phương|Thủy|Hà|Loan|Dung|Nhung|Vân|Anh|Hạnh|Oanh|Giang|Quỳnh|Thư|Hiền|Tâm|Uyên'),
};
const DAN_TOC = words('Tày|Thái|Mường|Khmer|Hoa|Nùng|H\'Mông|Dao|Gia Rai|Ê Đê|Ba Na|Sán Chay|Chăm|Cơ Ho|Xơ Đăng|Sán Dìu|Hrê|Ra Glai');
const TON_GIAO = words('Phật giáo|Phật giáo|Công giáo|Công giáo|Tin lành|Cao Đài|Phật giáo Hòa Hảo');
const XA = words('Xã Tân Lập|Xã Hòa Bình|Phường Quang Trung|Xã Tân Tiến|Phường Trần Phú|Xã Hồng Phong|Xã Đông Hòa|Phường Lê Lợi|Xã Phú Lâm|Xã Minh Khai|Xã Yên Thế|Phường Bắc Sơn|Xã Thanh Xuân|Xã Hưng Đạo');
const DUONG = words('Lê Lợi|Trần Hưng Đạo|Nguyễn Trãi|Hai Bà Trưng|Lý Thường Kiệt|Quang Trung|Nguyễn Du|Hùng Vương|Lê Duẩn|Phan Đình Phùng');
const TRUONG = words('Trường Đại học Kinh tế Quốc dân|Học viện Hành chính Quốc gia|Trường Đại học Luật Hà Nội|Trường Đại học Sư phạm Hà Nội|Trường Đại học Y Hà Nội|Trường Đại học Bách khoa Hà Nội|Trường Đại học Vinh|Trường Đại học Huế|Trường Đại học Cần Thơ|Học viện Tài chính|Trường Đại học Sư phạm Thành phố Hồ Chí Minh|Trường Đại học Y Dược Thái Bình');
const NGHE_CHA_ME = words('Nông dân|Nông dân|Nông dân|Hưu trí|Cán bộ hưu trí|Buôn bán|Công nhân|Giáo viên nghỉ hưu');
const NGHE_VO_CHONG = words('Giáo viên|Kế toán|Kinh doanh tự do|Công chức|Viên chức y tế|Công nhân|Nhân viên văn phòng|Kỹ sư');
const NHOM_MAU = words('O|O|O|A|A|B|B|AB');
const NHAN_XET = words('Có phẩm chất chính trị tốt, hoàn thành tốt nhiệm vụ được giao.|Có tinh thần trách nhiệm, đoàn kết, chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước.|Năng động, chủ động trong công việc; hoàn thành xuất sắc nhiệm vụ.|Chấp hành tốt nội quy cơ quan, có ý thức học tập nâng cao trình độ.');

/** Per family of grades: job positions, main work, majors, employers, positions of leadership. */
interface Family { viTri: readonly string[]; congViec: readonly string[]; nganh: readonly string[]; coQuan: readonly string[]; chucVu: readonly string[] }
const FAMILIES: Record<string, Family> = {
  '01': { viTri: words('Chuyên viên quản lý nhân sự|Chuyên viên tổng hợp|Chuyên viên quản lý tài chính - ngân sách|Chuyên viên pháp chế|Chuyên viên quản lý đầu tư'), congViec: words('Tham mưu công tác tổ chức cán bộ|Tổng hợp, báo cáo|Thẩm định dự toán ngân sách|Rà soát văn bản quy phạm pháp luật'), nganh: words('Luật|Kinh tế|Quản lý nhà nước|Hành chính học|Quản trị kinh doanh'), coQuan: words('Sở Nội vụ|Sở Tài chính|Văn phòng Ủy ban nhân dân tỉnh|Sở Tư pháp|Ủy ban nhân dân xã'), chucVu: words('Trưởng phòng|Phó Trưởng phòng|Phó Trưởng phòng|Chánh Văn phòng|Phó Chánh Văn phòng') },
  '02': { viTri: words('Văn thư'), congViec: words('Quản lý văn bản đi, đến và con dấu'), nganh: words('Văn thư - Lưu trữ|Lưu trữ học'), coQuan: words('Văn phòng Ủy ban nhân dân tỉnh|Sở Nội vụ'), chucVu: words('Phó Chánh Văn phòng') },
  '04': { viTri: words('Thanh tra viên'), congViec: words('Thanh tra hành chính|Giải quyết khiếu nại, tố cáo'), nganh: words('Luật|Kinh tế'), coQuan: words('Thanh tra tỉnh'), chucVu: words('Trưởng phòng|Phó Chánh Thanh tra') },
  '06': { viTri: words('Kế toán'), congViec: words('Kế toán ngân sách|Kế toán tổng hợp'), nganh: words('Kế toán|Tài chính - Ngân hàng'), coQuan: words('Sở Tài chính|Sở Nội vụ|Sở Y tế'), chucVu: words('Kế toán trưởng') },
  'V.07': { viTri: words('Giáo viên|Giáo viên chủ nhiệm|Giảng viên'), congViec: words('Giảng dạy|Giảng dạy và chủ nhiệm lớp'), nganh: words('Sư phạm Toán|Sư phạm Ngữ văn|Sư phạm Tiếng Anh|Giáo dục tiểu học|Giáo dục mầm non|Sư phạm Vật lý'), coQuan: words('Sở Giáo dục và Đào tạo|Trường Trung học phổ thông Nguyễn Trãi|Trường Tiểu học Tân Lập'), chucVu: words('Hiệu trưởng|Phó Hiệu trưởng|Tổ trưởng chuyên môn') },
  'V.08': { viTri: words('Bác sĩ điều trị|Điều dưỡng|Bác sĩ khám bệnh'), congViec: words('Khám và điều trị bệnh|Chăm sóc người bệnh'), nganh: words('Y đa khoa|Điều dưỡng|Nội khoa|Nhi khoa'), coQuan: words('Sở Y tế|Bệnh viện Đa khoa tỉnh|Trung tâm Y tế'), chucVu: words('Trưởng khoa|Phó Trưởng khoa|Điều dưỡng trưởng') },
  '13': { viTri: words('Kỹ sư'), congViec: words('Giám sát, thẩm định kỹ thuật'), nganh: words('Kỹ thuật xây dựng|Công nghệ thông tin|Thủy lợi'), coQuan: words('Sở Xây dựng|Sở Nông nghiệp và Môi trường'), chucVu: words('Phó Giám đốc Trung tâm') },
  NV: { viTri: words('Lái xe|Bảo vệ'), congViec: words('Lái xe phục vụ công tác|Bảo vệ cơ quan'), nganh: words('Lái xe ô tô|Bảo vệ'), coQuan: words('Văn phòng Ủy ban nhân dân tỉnh|Sở Nội vụ'), chucVu: words('Tổ trưởng') },
};
const familyOf = (g: Grade): Family =>
  g.group === 'LX' || g.group === 'BV' ? FAMILIES['NV']! : FAMILIES[g.code.startsWith('V.') ? g.code.slice(0, 4) : g.code.slice(0, 2)]!;

const PROVINCE_CODES = [...BIRTH_PROVINCES.keys()];
/** Province names as written after a commune in an address: "Xã Tân Lập, tỉnh Nghệ An". */
const IN_ADDRESS = new Map([...BIRTH_PROVINCES].map(([code, name]) => [code, name.charAt(0).toLowerCase() + name.slice(1)]));
const MOBILE_PREFIX = words('3|5|7|8|9');
const XA_IN_ADDRESS = XA.map((x) => x.charAt(0).toLowerCase() + x.slice(1));
/** How common each grade is among its holders (chuyên viên and teachers dominate); default 1. */
const WEIGHT: Readonly<Record<string, number>> = {
  '01.003': 30, '01.002': 10, '01.004': 3, '06.031': 5, '06.032': 2, '02.007': 2, '04.025': 2,
  'V.07.03.29': 12, 'V.07.04.32': 10, 'V.07.02.26': 8, 'V.07.05.15': 6, 'V.07.03.28': 4, 'V.07.04.31': 4,
  'V.07.05.14': 2, 'V.08.01.03': 4, 'V.08.05.12': 4, 'V.08.05.13': 3, 'V.08.01.02': 2, '01.011': 2,
};
const GRADES_BY_CATEGORY = new Map<PhanLoai, readonly Grade[]>(
  (['CAN_BO', 'CONG_CHUC', 'VIEN_CHUC', 'NGUOI_LAO_DONG'] as const).map((cat) => [
    cat,
    GRADES.filter((g) => g.categories.includes(cat)).flatMap((g) => Array<Grade>(WEIGHT[g.code] ?? 1).fill(g)),
  ]),
);
const CATEGORIES = words('CONG_CHUC|CONG_CHUC|CONG_CHUC|VIEN_CHUC|VIEN_CHUC|VIEN_CHUC|VIEN_CHUC|VIEN_CHUC|CAN_BO|NGUOI_LAO_DONG') as readonly PhanLoai[];
const OTHER_STATUSES = words('NGHI_HUU|NGHI_HUU|NGHI_HUU|THOI_VIEC|THOI_VIEC|CHUYEN_RA_NGOAI_TINH|TU_TRAN|CHUYEN_KHOI_DANG') as readonly TrangThai[];

const YEAR = 365.2425;
const day = dateOfDayNumber;
const month = (n: number): string => dateOfDayNumber(n).slice(0, 7);
const yearOf = (n: number): number => Number(dateOfDayNumber(n).slice(0, 4));

export interface DemoProfileOptions {
  /** Employing agency (canonical or QCVN form); echoed canonical in the result. */
  readonly agencyCode: string;
  /** Local date 'YYYY-MM-DD' the profile must be valid on. */
  readonly today: string;
  readonly category?: PhanLoai;
  readonly status?: TrangThai;
  /** Makes the personal id unique: digits 7–12 are a bijection of serial mod 1,000,000. */
  readonly serial?: number;
  /** Where people live now, e.g. 'Tỉnh Vĩnh Phúc'; default: their province of birth. */
  readonly provinceName?: string;
}

export interface DemoProfile {
  readonly personalId: string;
  readonly category: PhanLoai;
  readonly status: TrangThai;
  readonly agencyCode: string;
  readonly SoYeuLyLich: SoYeuLyLich;
}

/** What the child lists are built from; `until` is today, or the day the person stopped working here. */
interface Person { rng: Rng; until: number; birth: number; gender: GioiTinh; ho: string; hire: number }

function fullName(rng: Rng, gender: GioiTinh, ho = rng.pick(HO)): string {
  return `${ho} ${rng.pick(DEM[gender])} ${rng.pick(TEN[gender])}`;
}

/** A day uniformly in [from, to], or `to` when the range is empty. */
function between(rng: Rng, from: number, to: number): number {
  return to <= from ? to : rng.int(from, to);
}

/** Highest qualification by salary group: doctorate for A3, master's for A2, and so on down. */
function levelOf(grade: Grade): string {
  const g = grade.group;
  return g.startsWith('A3') ? 'Tiến sĩ' : g.startsWith('A2') ? 'Thạc sĩ' : g === 'A1' ? 'Đại học' : g === 'A0' ? 'Cao đẳng' : 'Trung cấp';
}

/** The first diploma: a bachelor's (or its professional name) for A groups, else college / vocational. */
function firstDiploma(grade: Grade): string {
  if (grade.group === 'A0') return 'Bằng tốt nghiệp cao đẳng';
  if (!grade.group.startsWith('A')) return 'Bằng tốt nghiệp trung cấp';
  return grade.code.startsWith('V.08.01') ? 'Bác sĩ' : grade.code === '13.095' ? 'Kỹ sư' : 'Cử nhân';
}

function training(p: Person, grade: Grade, nganh: string, party: boolean): DaoTao[] {
  const { rng } = p;
  const level = levelOf(grade);
  const uniStart = Math.min(p.birth + Math.floor(18 * YEAR) + 250, p.hire - 400);
  const out: DaoTao[] = [{
    Loai: 'CHUYEN_MON', TuThang: month(uniStart), DenThang: month(Math.min(uniStart + 1370, p.hire)), CoSoDaoTao: rng.pick(TRUONG),
    ChuyenNganh: nganh, HinhThuc: 'Chính quy', VanBang: firstDiploma(grade),
  }];
  if (level === 'Thạc sĩ' || level === 'Tiến sĩ') {
    const s = between(rng, p.hire + 365, p.until - 900);
    out.push({ Loai: 'CHUYEN_MON', TuThang: month(s), DenThang: month(s + 730), CoSoDaoTao: rng.pick(TRUONG), ChuyenNganh: nganh, HinhThuc: 'Vừa làm vừa học', VanBang: level });
  }
  const after = (minYears: number) => between(rng, p.hire + Math.floor(minYears * 365), p.until - 60);
  if (party) {
    const s = after(3);
    out.push({ Loai: 'LY_LUAN_CHINH_TRI', TuThang: month(s), DenThang: month(s + 300), CoSoDaoTao: 'Trường Chính trị tỉnh', HinhThuc: 'Vừa làm vừa học', VanBang: rng.chance(0.7) ? 'Trung cấp lý luận chính trị' : 'Sơ cấp lý luận chính trị' });
  }
  if (grade.categories.includes('CONG_CHUC')) {
    const s = after(1);
    out.push({ Loai: 'QUAN_LY_NHA_NUOC', TuThang: month(s), DenThang: month(s + 60), CoSoDaoTao: 'Học viện Hành chính Quốc gia', HinhThuc: 'Bồi dưỡng', VanBang: `Chứng chỉ bồi dưỡng ngạch ${grade.group.startsWith('A2') ? 'chuyên viên chính' : 'chuyên viên'}` });
  }
  if (rng.chance(0.6)) {
    const s = after(0);
    out.push({ Loai: 'TIN_HOC', TuThang: month(s), DenThang: month(s + 45), CoSoDaoTao: rng.pick(TRUONG), HinhThuc: 'Bồi dưỡng', VanBang: 'Chứng chỉ ứng dụng công nghệ thông tin cơ bản' });
  }
  if (rng.chance(0.6)) {
    const s = after(0);
    out.push({ Loai: 'NGOAI_NGU', TuThang: month(s), DenThang: month(s + 90), CoSoDaoTao: rng.pick(TRUONG), ChuyenNganh: 'Tiếng Anh', HinhThuc: 'Bồi dưỡng', VanBang: rng.chance(0.5) ? 'Tiếng Anh bậc 3 (B1)' : 'Tiếng Anh bậc 2 (A2)' });
  }
  if (rng.chance(0.3)) {
    const s = after(2);
    out.push({ Loai: 'AN_NINH_QUOC_PHONG', TuThang: month(s), DenThang: month(s + 20), CoSoDaoTao: 'Bộ Chỉ huy Quân sự tỉnh', HinhThuc: 'Bồi dưỡng', VanBang: 'Chứng nhận bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4' });
  }
  return out;
}

function career(p: Person, fam: Family, title: string): CongTac[] {
  const { rng } = p;
  const moves = p.until - p.hire > 5 * 365 ? rng.int(0, 2) : 0;
  const cuts: number[] = [];
  for (let i = 0; i < moves; i++) cuts.push(rng.int(p.hire + 30, p.until - 30));
  cuts.sort((a, b) => a - b);
  const out: CongTac[] = [];
  let start = p.hire;
  for (const cut of cuts) {
    out.push({ TuThang: month(start), DenThang: month(cut), DonVi: rng.pick(fam.coQuan), ChucDanh: title });
    start = cut + 1;
  }
  out.push({ TuThang: month(Math.min(start, p.until)), DonVi: rng.pick(fam.coQuan), ChucDanh: title });
  return out;
}

function rewards(p: Person): KhenThuongMuc[] {
  const { rng } = p;
  const out: KhenThuongMuc[] = [];
  const last = yearOf(p.until) - 1;
  for (let y = Math.max(yearOf(p.hire) + 1, last - 4); y <= last; y++) {
    const r = rng.next();
    const excellent = r < 0.2;
    out.push({
      Nam: y,
      XepLoaiChuyenMon: excellent ? 'Hoàn thành xuất sắc nhiệm vụ' : r < 0.9 ? 'Hoàn thành tốt nhiệm vụ' : 'Hoàn thành nhiệm vụ',
      XepLoaiThiDua: excellent && rng.chance(0.5) ? 'Chiến sĩ thi đua cơ sở' : 'Lao động tiên tiến',
      ...(excellent ? { HinhThuc: rng.chance(0.7) ? 'Giấy khen của Thủ trưởng cơ quan' : 'Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh' } : {}),
    });
  }
  return out;
}

function family(p: Person, married: boolean): ThanhVien[] {
  const { rng } = p;
  const by = yearOf(p.birth);
  const now = yearOf(p.until);
  const parentInfo = (born: number) => (now - born > 85 || rng.chance(0.1) ? 'Đã mất' : `${rng.pick(NGHE_CHA_ME)}; trú tại ${rng.pick(XA)}`);
  const fatherBorn = by - rng.int(22, 35);
  const motherBorn = by - rng.int(20, 32);
  const out: ThanhVien[] = [
    { MoiQuanHe: 'Bố đẻ', HoTen: fullName(rng, 'NAM', p.ho), NamSinh: fatherBorn, ThongTin: parentInfo(fatherBorn), BenVoChong: false },
    { MoiQuanHe: 'Mẹ đẻ', HoTen: fullName(rng, 'NU'), NamSinh: motherBorn, ThongTin: parentInfo(motherBorn), BenVoChong: false },
  ];
  if (!married) return out;
  const male = p.gender === 'NAM';
  const spouseHo = rng.pick(HO);
  const spouseBorn = by + (male ? rng.int(0, 5) : -rng.int(0, 5));
  out.push({ MoiQuanHe: male ? 'Vợ' : 'Chồng', HoTen: fullName(rng, male ? 'NU' : 'NAM', spouseHo), NamSinh: spouseBorn, ThongTin: rng.pick(NGHE_VO_CHONG), BenVoChong: false });
  for (let i = rng.int(0, 3), y = by + rng.int(23, 30); i > 0 && y <= now; i--, y += rng.int(2, 6)) {
    const g: GioiTinh = rng.chance(0.5) ? 'NAM' : 'NU';
    out.push({ MoiQuanHe: g === 'NAM' ? 'Con trai' : 'Con gái', HoTen: fullName(rng, g, male ? p.ho : spouseHo), NamSinh: y, ThongTin: now - y < 18 ? 'Học sinh' : 'Đi làm', BenVoChong: false });
  }
  if (rng.chance(0.6)) {
    const b = spouseBorn - rng.int(22, 35);
    out.push({ MoiQuanHe: male ? 'Bố vợ' : 'Bố chồng', HoTen: fullName(rng, 'NAM', spouseHo), NamSinh: b, ThongTin: parentInfo(b), BenVoChong: true });
  }
  return out;
}

interface Pay { luong: NonNullable<SoYeuLyLich['Luong']>; history: QuaTrinhLuongMuc[] }

function pay(p: Person, grade: Grade, fam: Family, appointed: number, probation: boolean, allowance?: number): Pay {
  const scale = SALARY_SCALES[grade.group];
  const perStep = Math.floor(scale.yearsPerStep * YEAR);
  const earned = Math.floor((p.until - appointed) / perStep) + 1;
  const step = Math.min(earned, scale.steps);
  const history: QuaTrinhLuongMuc[] = [];
  for (let s = 1; s <= step; s++) {
    const from = appointed + (s - 1) * perStep;
    const HeSoLuong = salaryCoefficient(grade.group, s);
    history.push(s < step
      ? { TuThang: month(from), DenThang: month(from + perStep - 1), MaNgach: grade.code, BacLuong: s, HeSoLuong }
      : { TuThang: month(from), MaNgach: grade.code, BacLuong: s, HeSoLuong });
  }
  const lastStepAt = appointed + (step - 1) * perStep;
  const overPercent = step === scale.steps ? seniorityAllowancePercent(grade.group, (p.until - lastStepAt) / YEAR) : 0;
  return {
    history,
    luong: {
      MaNgach: grade.code, TenNgach: grade.name, NgayBoNhiemNgach: day(appointed), BacLuong: step,
      HeSoLuong: salaryCoefficient(grade.group, step), NgayHuongLuong: day(lastStepAt), PhanTramHuong: probation ? 85 : 100,
      ...(overPercent > 0 ? { PhuCapThamNienVuotKhung: overPercent } : {}),
      ...(allowance !== undefined ? { PhuCapChucVu: allowance } : {}),
      ViTriViecLam: p.rng.pick(fam.viTri),
    },
  };
}

function pickGrade(rng: Rng, category: PhanLoai, age: number): Grade {
  const pool = GRADES_BY_CATEGORY.get(category)!;
  let g = rng.pick(pool);
  if (age < 35 && (g.group.startsWith('A3') || g.group.startsWith('A2'))) g = rng.pick(pool);
  return age < 35 && g.group.startsWith('A3') ? pool.find((x) => x.group === 'A1' || x.group === 'LX')! : g;
}

/** One valid, NFC, deterministic (for a given rng state) demo profile. */
export function generateProfile(rng: Rng, options: DemoProfileOptions): DemoProfile {
  const agencyCode = canonicalAgencyCode(options.agencyCode);
  const today = dayNumberOfDate(options.today);
  if (Number.isNaN(today)) throw new GatewayError('INVALID_VALUE', { field: 'today', reason: 'NOT_A_DATE' });
  const category = options.category ?? rng.pick(CATEGORIES);
  const status = options.status ?? (rng.chance(0.95) ? 'DANG_CONG_TAC' : rng.pick(OTHER_STATUSES));
  const active = status === 'DANG_CONG_TAC';
  const age = status === 'NGHI_HUU' ? rng.int(60, 75) : active ? rng.int(23, 58) : rng.int(30, 60);
  const gender: GioiTinh = rng.chance(category === 'VIEN_CHUC' ? 0.62 : 0.45) ? 'NU' : 'NAM';
  const birth = today - Math.floor(age * YEAR) - rng.int(1, 360);
  const hired = Math.min(birth + Math.floor(rng.int(21, 27) * YEAR) + rng.int(0, 300), today - 40);
  // The day the person stopped working here (retired, left, died) bounds their whole history.
  const workEnd = active ? today : status === 'NGHI_HUU' ? Math.min(today, birth + Math.floor(60 * YEAR) + rng.int(0, 400)) : between(rng, hired + 730, today - 1);
  const hire = Math.min(hired, workEnd - 40);
  const ho = rng.pick(HO);
  const p: Person = { rng, until: workEnd, birth, gender, ho, hire };
  const grade = pickGrade(rng, category, age);
  const fam = familyOf(grade);
  const nganh = rng.pick(fam.nganh);
  const senior = !['A1', 'A0', 'B', 'C1', 'LX', 'BV'].includes(grade.group);
  const appointed = senior ? Math.max(hire, between(rng, hire + Math.floor(8 * YEAR), workEnd - 400)) : hire;
  const leader = age >= 30 && rng.chance(0.15) ? rng.pick(fam.chucVu) : undefined;
  const party = age >= 22 && rng.chance(category === 'NGUOI_LAO_DONG' ? 0.1 : 0.45);
  const province = rng.pick(PROVINCE_CODES);
  const provinceName = IN_ADDRESS.get(province)!;
  const serial = options.serial ?? rng.int(0, 999_999);
  const random6 = (((serial % 1_000_000) * 7919 + 104_729) % 1_000_000 + 1_000_000) % 1_000_000;
  const personalId = buildPersonalId({ provinceCode: province, birthDate: day(birth), gender, random6 });
  const bhxh = `${province.slice(1)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
  const probation = category !== 'NGUOI_LAO_DONG' && today - hire < 365;
  const appointedLeader = leader !== undefined ? between(rng, hire + 3 * 365, workEnd - 30) : 0;
  const { luong, history } = pay(p, grade, fam, appointed, probation, leader !== undefined ? rng.int(2, 7) / 10 : undefined);
  const married = age >= 24 && rng.chance(0.85);
  const joined = party ? between(rng, Math.max(birth + Math.floor(19 * YEAR), hire - 3 * 365), workEnd - 400) : 0;
  const cv: SoYeuLyLich = {
    HoTen: fullName(rng, gender, ho),
    GioiTinh: gender,
    ...(rng.chance(0.03) ? { TenGoiKhac: rng.pick(TEN[gender]) } : {}),
    NgaySinh: day(birth),
    NoiSinh: `${rng.pick(XA)}, ${provinceName}`,
    QueQuan: `${rng.pick(XA)}, ${rng.chance(0.7) ? provinceName : IN_ADDRESS.get(rng.pick(PROVINCE_CODES))!}`,
    DanToc: rng.chance(0.85) ? 'Kinh' : rng.pick(DAN_TOC),
    TonGiao: rng.chance(0.8) ? 'Không' : rng.pick(TON_GIAO),
    NgayCapCCCD: day(between(rng, Math.max(birth + Math.floor(14 * YEAR), today - 5 * 365), status === 'TU_TRAN' ? workEnd : today)),
    SoDienThoai: `0${rng.pick(MOBILE_PREFIX)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
    SoBHXH: bhxh,
    SoTheBHYT: `HC4${province.slice(1)}${bhxh}`,
    NoiOHienNay: `Số ${rng.int(1, 250)}, đường ${rng.pick(DUONG)}, ${rng.pick(XA_IN_ADDRESS)}, ${options.provinceName ?? provinceName}`,
    ...(rng.chance(0.5) ? { NgheNghiepTruocTuyenDung: rng.chance(0.6) ? 'Sinh viên' : 'Lao động hợp đồng' } : {}),
    NgayTuyenDung: day(hire),
    CoQuanTuyenDung: rng.pick(fam.coQuan),
    NgayVaoCoQuan: day(between(rng, hire, Math.min(hire + 5 * 365, workEnd))),
    ...(party ? { NgayVaoDang: day(joined), NgayChinhThucDang: day(joined + 365) } : {}),
    TrinhDoGiaoDucPhoThong: yearOf(birth) < 1975 && rng.chance(0.3) ? '10/10' : '12/12',
    TrinhDoChuyenMon: `${levelOf(grade)} ${nganh}`,
    ...(grade.group === 'A2.1' && grade.code.startsWith('V.07.01') && rng.chance(0.2) ? { HocHam: 'Phó Giáo sư' } : {}),
    ...(senior && grade.code.startsWith('V.0') && rng.chance(0.05) ? { DanhHieuNhaNuoc: grade.code.startsWith('V.08') ? 'Thầy thuốc ưu tú' : 'Nhà giáo ưu tú' } : {}),
    ...(leader !== undefined ? { ChucVuHienTai: leader, NgayBoNhiem: day(appointedLeader) } : {}),
    ...(rng.chance(0.05) ? { ChucVuKiemNhiem: 'Chủ tịch Công đoàn cơ sở' } : {}),
    CongViecChinh: rng.pick(fam.congViec),
    Luong: luong,
    SucKhoe: {
      TinhTrang: rng.chance(0.75) ? 'Tốt' : rng.chance(0.5) ? 'Khá' : 'Bình thường',
      ChieuCao: gender === 'NAM' ? rng.int(158, 180) : rng.int(148, 168),
      CanNang: (gender === 'NAM' ? rng.int(100, 160) : rng.int(84, 130)) / 2,
      NhomMau: rng.pick(NHOM_MAU),
    },
    QuaTrinhDaoTao: training(p, grade, nganh, party),
    QuaTrinhCongTac: career(p, fam, leader ?? grade.name),
    ...(today - hire > 400 ? { KhenThuong: rewards(p) } : {}),
    ...(rng.chance(0.02) ? { KyLuat: [discipline(p)] } : {}),
    QuanHeGiaDinh: family(p, married),
    QuaTrinhLuong: history,
    NhanXetDanhGia: rng.pick(NHAN_XET),
  };
  if (cv.KhenThuong?.length === 0) delete cv.KhenThuong;
  return { personalId, category, status, agencyCode, SoYeuLyLich: cv };
}

function discipline(p: Person): NonNullable<SoYeuLyLich['KyLuat']>[number] {
  const from = between(p.rng, p.hire + 30, p.until - 1);
  return {
    TuNgay: day(from), DenNgay: day(from + 365), HinhThuc: p.rng.chance(0.8) ? 'Khiển trách' : 'Cảnh cáo',
    HanhVi: 'Vi phạm quy định về thời giờ làm việc', CoQuanQuyetDinh: 'Thủ trưởng cơ quan',
  };
}

/** `count` profiles from one seed, with serials 0…count-1 (unique personal ids up to 1,000,000). */
export function generateProfiles(seed: number, count: number, options: Omit<DemoProfileOptions, 'serial'>): DemoProfile[] {
  const rng = createRng(seed);
  const out: DemoProfile[] = [];
  for (let i = 0; i < count; i++) out.push(generateProfile(rng, { ...options, serial: i }));
  return out;
}

// Validation of a CV (SoYeuLyLich): the schema (shape, required fields, formats, ranges, decimals, NFC)
// plus the rules a schema cannot say. All issues are returned at once, each `{path, code, reason}`, with
// paths like `Luong.HeSoLuong` or `QuaTrinhDaoTao[2].DenThang`. Validate the NORMALISED profile
// (normalizeProfile): un-normalised text is reported as NOT_NFC / NOT_TRIMMED / EMPTY.
//
// Date rules (`today` is the local date in Asia/Ho_Chi_Minh, passed in: no hidden clock):
// - NgaySinh not in the future and giving an age of 15–100 years on `today`;
// - facts of the past are not in the future: NgayCapCCCD, NgayTuyenDung, NgayVaoCoQuan, NgayVaoDang,
//   NgayChinhThucDang, NgayBoNhiem, Luong.NgayBoNhiemNgach, every TuThang/TuNgay, CongTac.DenThang,
//   QuaTrinhLuong.DenThang, KhenThuong.Nam, QuanHeGiaDinh.NamSinh;
// - may lie ahead: Luong.NgayHuongLuong (a raise decided now for next month), DaoTao.DenThang (training
//   under way), KyLuat.DenNgay (a discipline still running);
// - nothing of the person's own history is before NgaySinh (month / year precision where the field has it);
// - every range is ordered: TuThang ≤ DenThang, TuNgay ≤ DenNgay, NgayVaoDang ≤ NgayChinhThucDang, and
//   NgayChinhThucDang needs NgayVaoDang;
// - names (HoTen, family members' HoTen) are letters and combining marks, single spaces, `'`, `’`, `.`, `-`.

import { GatewayError } from '../errors.ts';
import { fullYearsBetween, isDate, isMonth, monthOfDate } from './calendar-date.ts';
import { SoYeuLyLich } from './profile-schema.ts';
import { checkSchema, isObject, type Issue, type IssueCode, type IssueReason } from './schema-check.ts';

export type ProfileIssueReason =
  | IssueReason
  | 'IN_FUTURE'
  | 'BEFORE_BIRTH'
  | 'AGE_RANGE'
  | 'RANGE_ORDER'
  | 'REQUIRED_WITH'
  | 'NAME_CHARS';

export type ProfileIssue = Issue<IssueCode, ProfileIssueReason>;

export interface ProfileValidationOptions {
  /** Local date 'YYYY-MM-DD' in Asia/Ho_Chi_Minh (working-days.ts localDate). */
  readonly today: string;
}

export const MIN_AGE = 15;
export const MAX_AGE = 100;

const NAME = /^[\p{L}\p{M}]+(?:[ '’.-][\p{L}\p{M}]+)*\.?$/u;

interface Ctx {
  readonly issues: ProfileIssue[];
  readonly prefix: string;
  readonly today: string;
  readonly todayMonth: string;
  readonly todayYear: number;
  birth?: string;
}

function push(ctx: Ctx, path: string, reason: ProfileIssueReason, code: IssueCode = 'INVALID_VALUE'): void {
  ctx.issues.push({ path: ctx.prefix + path, code, reason });
}

function pastDate(ctx: Ctx, path: string, value: unknown, mayBeFuture = false): void {
  if (!isDate(value)) return; // the schema already said why
  if (!mayBeFuture && value > ctx.today) push(ctx, path, 'IN_FUTURE');
  else if (ctx.birth !== undefined && value < ctx.birth) push(ctx, path, 'BEFORE_BIRTH');
}

function pastMonth(ctx: Ctx, path: string, value: unknown, mayBeFuture = false): void {
  if (!isMonth(value)) return;
  if (!mayBeFuture && value > ctx.todayMonth) push(ctx, path, 'IN_FUTURE');
  else if (ctx.birth !== undefined && value < monthOfDate(ctx.birth)) push(ctx, path, 'BEFORE_BIRTH');
}

function pastYear(ctx: Ctx, path: string, value: unknown, ofPerson: boolean): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) return;
  if (value > ctx.todayYear) push(ctx, path, 'IN_FUTURE');
  else if (ofPerson && ctx.birth !== undefined && value < Number(ctx.birth.slice(0, 4))) push(ctx, path, 'BEFORE_BIRTH');
}

/** Reports `to` when both bounds are valid and out of order (strings of one shape compare in time order). */
function ordered(ctx: Ctx, path: string, from: unknown, to: unknown, valid: (v: unknown) => boolean): void {
  if (valid(from) && valid(to) && (from as string) > (to as string)) push(ctx, path, 'RANGE_ORDER');
}

function name(ctx: Ctx, path: string, value: unknown): void {
  if (typeof value === 'string' && value.length > 0 && !NAME.test(value)) push(ctx, path, 'NAME_CHARS');
}

function each(value: unknown, fn: (item: Record<string, unknown>, at: string) => void, list: string): void {
  if (!Array.isArray(value)) return;
  value.forEach((item, i) => {
    if (isObject(item)) fn(item, `${list}[${i}].`);
  });
}

function checkBirth(ctx: Ctx, birth: unknown): void {
  if (!isDate(birth)) return;
  if (birth > ctx.today) return push(ctx, 'NgaySinh', 'IN_FUTURE');
  const age = fullYearsBetween(birth, ctx.today);
  if (age < MIN_AGE || age > MAX_AGE) push(ctx, 'NgaySinh', 'AGE_RANGE');
  ctx.birth = birth;
}

function checkCareer(ctx: Ctx, p: Record<string, unknown>): void {
  for (const f of ['NgayCapCCCD', 'NgayTuyenDung', 'NgayVaoCoQuan', 'NgayVaoDang', 'NgayChinhThucDang', 'NgayBoNhiem']) {
    pastDate(ctx, f, p[f]);
  }
  if (p['NgayChinhThucDang'] !== undefined && p['NgayVaoDang'] === undefined) {
    push(ctx, 'NgayVaoDang', 'REQUIRED_WITH', 'MISSING_FIELD');
  }
  ordered(ctx, 'NgayChinhThucDang', p['NgayVaoDang'], p['NgayChinhThucDang'], isDate);
  const luong = p['Luong'];
  if (isObject(luong)) {
    pastDate(ctx, 'Luong.NgayBoNhiemNgach', luong['NgayBoNhiemNgach']);
    pastDate(ctx, 'Luong.NgayHuongLuong', luong['NgayHuongLuong'], true);
  }
}

function checkHistories(ctx: Ctx, p: Record<string, unknown>): void {
  each(p['QuaTrinhDaoTao'], (d, at) => {
    pastMonth(ctx, `${at}TuThang`, d['TuThang']);
    pastMonth(ctx, `${at}DenThang`, d['DenThang'], true);
    ordered(ctx, `${at}DenThang`, d['TuThang'], d['DenThang'], isMonth);
  }, 'QuaTrinhDaoTao');
  each(p['QuaTrinhCongTac'], (c, at) => {
    pastMonth(ctx, `${at}TuThang`, c['TuThang']);
    pastMonth(ctx, `${at}DenThang`, c['DenThang']);
    ordered(ctx, `${at}DenThang`, c['TuThang'], c['DenThang'], isMonth);
  }, 'QuaTrinhCongTac');
  each(p['KhenThuong'], (k, at) => pastYear(ctx, `${at}Nam`, k['Nam'], true), 'KhenThuong');
  each(p['KyLuat'], (k, at) => {
    pastDate(ctx, `${at}TuNgay`, k['TuNgay']);
    pastDate(ctx, `${at}DenNgay`, k['DenNgay'], true);
    ordered(ctx, `${at}DenNgay`, k['TuNgay'], k['DenNgay'], isDate);
  }, 'KyLuat');
  each(p['QuanHeGiaDinh'], (m, at) => {
    name(ctx, `${at}HoTen`, m['HoTen']);
    pastYear(ctx, `${at}NamSinh`, m['NamSinh'], false);
  }, 'QuanHeGiaDinh');
  each(p['QuaTrinhLuong'], (l, at) => {
    pastMonth(ctx, `${at}TuThang`, l['TuThang']);
    pastMonth(ctx, `${at}DenThang`, l['DenThang']);
    ordered(ctx, `${at}DenThang`, l['TuThang'], l['DenThang'], isMonth);
  }, 'QuaTrinhLuong');
}

/**
 * The rules beyond the schema, appended to `issues`; `prefix` is prepended to every path
 * (`'SoYeuLyLich.'` when the CV sits inside a record).
 */
export function checkProfileRules(profile: Record<string, unknown>, today: string, prefix: string, issues: ProfileIssue[]): void {
  if (!isDate(today)) throw new GatewayError('INVALID_VALUE', { field: 'today', reason: 'NOT_A_DATE' });
  const ctx: Ctx = { issues, prefix, today, todayMonth: monthOfDate(today), todayYear: Number(today.slice(0, 4)) };
  name(ctx, 'HoTen', profile['HoTen']);
  checkBirth(ctx, profile['NgaySinh']);
  checkCareer(ctx, profile);
  checkHistories(ctx, profile);
}

/** Every issue of a (normalised) CV; an empty list means valid. */
export function validateProfile(profile: unknown, options: ProfileValidationOptions): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  checkSchema(SoYeuLyLich, profile, '', issues);
  if (isObject(profile)) checkProfileRules(profile, options.today, '', issues);
  return issues;
}

export function isValidProfile(profile: unknown, options: ProfileValidationOptions): profile is SoYeuLyLich {
  return validateProfile(profile, options).length === 0;
}

/** Throws GatewayError INVALID_PROFILE `{issues}` unless the CV is valid. */
export function assertValidProfile(profile: unknown, options: ProfileValidationOptions): asserts profile is SoYeuLyLich {
  const issues = validateProfile(profile, options);
  if (issues.length > 0) throw new GatewayError('INVALID_PROFILE', { issues });
}

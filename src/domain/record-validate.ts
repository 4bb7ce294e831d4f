// Validation of a whole record (HoSo) or of a change's content (envelope + CV). Issues carry the codes of
// NATIONAL_API.md §6's per-record rejections where one applies (INVALID_PERSONAL_ID, PERSONAL_ID_MISMATCH,
// INVALID_AGENCY_CODE, AGENCY_NOT_IN_PROVINCE, MISSING_FIELD, INVALID_VALUE), so the gateway and the
// national simulator judge a record the same way. A record without a SO_NOI_VU approval is reported as
// `{path: 'PheDuyet', code: 'MISSING_FIELD', reason: 'NO_PROVINCE_APPROVAL'}` (national code NOT_APPROVED).
// Agency codes must be canonical here: normalizeRecord converts QCVN 102:2016 codes first.

import { GatewayError } from '../errors.ts';
import { checkAgencyCode, isWithinSubtree } from './agency-code.ts';
import { checkPersonalIdFormat, checkPersonalIdMatches } from './personal-id.ts';
import { ChangeContent, HoSo, type SoYeuLyLich } from './profile-schema.ts';
import { checkProfileRules, type ProfileIssue } from './profile-validate.ts';
import { checkSchema, isObject, type IssueCode } from './schema-check.ts';

export type RecordIssueCode =
  | IssueCode
  | 'INVALID_PERSONAL_ID'
  | 'PERSONAL_ID_MISMATCH'
  | 'INVALID_AGENCY_CODE'
  | 'AGENCY_NOT_IN_PROVINCE';

export interface RecordIssue {
  readonly path: string;
  readonly code: RecordIssueCode;
  /** A ProfileIssueReason, a personal-id reason (LENGTH, CENTURY…), an agency-code reason, or
   * NOT_CANONICAL / OUTSIDE_PROVINCE / NO_PROVINCE_APPROVAL. */
  readonly reason: string;
}

export interface RecordValidationOptions {
  /** Local date 'YYYY-MM-DD' in Asia/Ho_Chi_Minh. */
  readonly today: string;
  /** When given, MaDonViSuDung must lie under this level-1 code (the sender's province). */
  readonly provinceCode?: string;
  /** Default true: a record for the national side needs a SO_NOI_VU approval. */
  readonly requireProvinceApproval?: boolean;
}

const AGENCY_FIELDS = ['MaDonViQuanLy', 'MaDonViSuDung'] as const;

function agencyIssue(path: string, value: unknown): RecordIssue | null {
  if (value === undefined) return null; // reported as REQUIRED by the schema
  const check = checkAgencyCode(value);
  if (!check.ok) return { path, code: 'INVALID_AGENCY_CODE', reason: check.reason };
  if (check.legacy) return { path, code: 'INVALID_AGENCY_CODE', reason: 'NOT_CANONICAL' };
  return null;
}

/** Identifier and agency-code checks replace the schema's bare patterns with their specific reasons. */
function withoutPatternIssues(issues: ProfileIssue[], replaced: ReadonlySet<string>): RecordIssue[] {
  return issues.filter((i) => !(replaced.has(i.path) && i.code === 'INVALID_VALUE'));
}

function identifierIssues(record: Record<string, unknown>, options: RecordValidationOptions): RecordIssue[] {
  const out: RecordIssue[] = [];
  const id = record['SoDinhDanh'];
  if (id !== undefined) {
    const check = checkPersonalIdFormat(id);
    if (!check.ok) out.push({ path: 'SoDinhDanh', code: 'INVALID_PERSONAL_ID', reason: check.reason });
  }
  for (const field of AGENCY_FIELDS) {
    const issue = agencyIssue(field, record[field]);
    if (issue !== null) out.push(issue);
  }
  const employing = record['MaDonViSuDung'];
  if (options.provinceCode !== undefined && agencyIssue('MaDonViSuDung', employing) === null && employing !== undefined) {
    if (!isWithinSubtree(employing as string, options.provinceCode)) {
      out.push({ path: 'MaDonViSuDung', code: 'AGENCY_NOT_IN_PROVINCE', reason: 'OUTSIDE_PROVINCE' });
    }
  }
  return out;
}

function approvalIssues(record: Record<string, unknown>, options: RecordValidationOptions): RecordIssue[] {
  const out: RecordIssue[] = [];
  const chain = record['PheDuyet'];
  if (!Array.isArray(chain)) return out; // absent: REQUIRED from the schema
  chain.forEach((level, i) => {
    if (!isObject(level)) return;
    const issue = agencyIssue(`PheDuyet[${i}].MaDonVi`, level['MaDonVi']);
    if (issue !== null) out.push(issue);
  });
  const approved = chain.some((level) => isObject(level) && level['Cap'] === 'SO_NOI_VU');
  if (options.requireProvinceApproval !== false && !approved) {
    out.push({ path: 'PheDuyet', code: 'MISSING_FIELD', reason: 'NO_PROVINCE_APPROVAL' });
  }
  return out;
}

/** Issues of SoDinhDanh against the CV's NgaySinh and GioiTinh (none when either side is malformed). */
export function recordConsistencyIssues(personalId: unknown, profile: unknown): RecordIssue[] {
  if (!isObject(profile) || !checkPersonalIdFormat(personalId).ok) return [];
  const check = checkPersonalIdMatches(personalId, profile['NgaySinh'], profile['GioiTinh']);
  return !check.ok && check.code === 'PERSONAL_ID_MISMATCH'
    ? [{ path: 'SoDinhDanh', code: 'PERSONAL_ID_MISMATCH', reason: check.reason }]
    : [];
}

/**
 * Cross-checks the personal identifier with the CV's date of birth and gender. Throws
 * INVALID_PERSONAL_ID, PERSONAL_ID_MISMATCH (reason CENTURY, GENDER or BIRTH_YEAR) or INVALID_VALUE
 * (reason BIRTH_DATE / GENDER_VALUE), each with `{field, reason}`.
 */
export function checkRecordConsistency(personalId: string, profile: Pick<SoYeuLyLich, 'NgaySinh' | 'GioiTinh'>): void {
  const check = checkPersonalIdMatches(personalId, profile.NgaySinh, profile.GioiTinh);
  if (!check.ok) throw new GatewayError(check.code, { field: 'SoDinhDanh', reason: check.reason });
}

function validateEnvelope(schema: typeof HoSo | typeof ChangeContent, record: unknown, options: RecordValidationOptions): RecordIssue[] {
  const structural: ProfileIssue[] = [];
  checkSchema(schema, record, '', structural);
  if (!isObject(record)) return structural;
  const replaced = new Set<string>(['SoDinhDanh', ...AGENCY_FIELDS]);
  if (Array.isArray(record['PheDuyet'])) record['PheDuyet'].forEach((_, i) => replaced.add(`PheDuyet[${i}].MaDonVi`));
  const issues: RecordIssue[] = withoutPatternIssues(structural, replaced);
  issues.push(...identifierIssues(record, options));
  if (schema === HoSo) issues.push(...approvalIssues(record, options));
  const cv = record['SoYeuLyLich'];
  if (isObject(cv)) {
    const rules: ProfileIssue[] = [];
    checkProfileRules(cv, options.today, 'SoYeuLyLich.', rules);
    issues.push(...rules, ...recordConsistencyIssues(record['SoDinhDanh'], cv));
  }
  return issues;
}

/** Every issue of a (normalised) record as sent to or received from the national side. */
export function validateRecord(record: unknown, options: RecordValidationOptions): RecordIssue[] {
  return validateEnvelope(HoSo, record, options);
}

/** Every issue of a change's (normalised) content: the record without PheDuyet. */
export function validateChangeContent(content: unknown, options: RecordValidationOptions): RecordIssue[] {
  return validateEnvelope(ChangeContent, content, options);
}

/** Throws GatewayError INVALID_PROFILE `{issues}` unless the record is valid. */
export function assertValidRecord(record: unknown, options: RecordValidationOptions): asserts record is HoSo {
  const issues = validateRecord(record, options);
  if (issues.length > 0) throw new GatewayError('INVALID_PROFILE', { issues });
}


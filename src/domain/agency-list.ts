// Validates a province's list of agencies before import: every code canonical and inside the province,
// no duplicates, every parent known. All problems are reported together; nothing is imported unless
// the whole list is valid.
import { GatewayError } from '../errors.ts';
import { agencyLevel, canonicalAgencyCode, level1Code, parentAgencyCode } from './agency-code.ts';

export interface AgencyListRow {
  code: string;
  name: string;
  parentCode?: string | null;
  activeFrom?: string | null;
}

export interface ValidAgency {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  activeFrom: Date;
}

export interface AgencyListIssue { row: number; code: string; reason: string }

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

export function validateAgencyList(rows: AgencyListRow[], options: {
  provinceCode: string; knownCodes: ReadonlySet<string>; today: string;
}): ValidAgency[] {
  const issues: AgencyListIssue[] = [];
  const seen = new Set<string>();
  const out: ValidAgency[] = [];
  const canonical = (raw: string, row: number): string | null => {
    try {
      return canonicalAgencyCode(raw);
    } catch {
      issues.push({ row, code: 'INVALID_AGENCY_CODE', reason: `"${raw}" is not an agency code` });
      return null;
    }
  };
  rows.forEach((r, i) => {
    const row = i + 1;
    const code = canonical(String(r.code ?? '').trim(), row);
    const name = String(r.name ?? '').normalize('NFC').trim();
    if (!name) issues.push({ row, code: 'MISSING_FIELD', reason: 'name is empty' });
    if (!code) return;
    if (level1Code(code) !== options.provinceCode) {
      issues.push({ row, code: 'AGENCY_NOT_IN_PROVINCE', reason: `${code} is not under ${options.provinceCode}` });
      return;
    }
    if (seen.has(code)) issues.push({ row, code: 'DUPLICATE', reason: `${code} appears twice` });
    seen.add(code);
    const parentRaw = r.parentCode?.trim();
    const parentCode = parentRaw ? canonical(parentRaw, row) : parentAgencyCode(code);
    const activeFrom = r.activeFrom?.trim() || options.today;
    if (!datePattern.test(activeFrom) || Number.isNaN(Date.parse(activeFrom))) {
      issues.push({ row, code: 'INVALID_VALUE', reason: `activeFrom "${activeFrom}" is not a date` });
    }
    out.push({ code, name, parentCode, level: agencyLevel(code), activeFrom: new Date(`${activeFrom}T00:00:00Z`) });
  });
  const known = new Set([...options.knownCodes, ...seen]);
  out.forEach((a, i) => {
    if (a.parentCode && !known.has(a.parentCode)) {
      issues.push({ row: i + 1, code: 'PARENT_NOT_FOUND', reason: `parent ${a.parentCode} of ${a.code} is neither in the list nor in the database` });
    }
    if (a.parentCode === a.code) issues.push({ row: i + 1, code: 'INVALID_VALUE', reason: `${a.code} is its own parent` });
  });
  if (issues.length > 0) throw new GatewayError('AGENCY_IMPORT_INVALID', { issues });
  return out;
}

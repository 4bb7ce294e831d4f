// A transfer inside the province (DESIGN rule 4; Điều 11 khoản 1 điểm b–c of QĐ 29/2024/QĐ-UBND): the
// superior agency moves the record to the new employing agency as an ordinary update (CAP_NHAT, source
// TRANSFER) that goes through verification by the receiver, approvals and sync like any change; the
// receiver forwards it to a sub-unit the same way. Pure rules, no I/O: which codes the record gets, and
// which moves are refused.
//
// The managing agency (MaDonViQuanLy), when not given, is kept when it is a proper ancestor of the new
// employing agency (a department keeps managing its school's staff moved to another of its schools);
// otherwise it becomes the new employing agency, as for a record entered there.
import { GatewayError } from '../errors.ts';
import { canonicalAgencyCode, isWithinSubtree, level1Code } from '../domain/agency-code.ts';

export interface PersonPlacement {
  readonly employingAgencyCode: string;
  readonly managingAgencyCode: string;
  readonly status: string;
  readonly version: number;
}

export interface TransferInput {
  readonly toAgencyCode: string;
  readonly managingAgencyCode?: string | undefined;
}

export interface Placement {
  readonly employingAgencyCode: string;
  readonly managingAgencyCode: string;
}

function inProvince(code: string, provinceCode: string, field: string): string {
  const canonical = canonicalAgencyCode(code);
  if (level1Code(canonical) !== provinceCode) throw new GatewayError('AGENCY_NOT_IN_PROVINCE', { field, code: canonical });
  return canonical;
}

export function defaultManagingAgency(person: PersonPlacement, to: string): string {
  const current = person.managingAgencyCode;
  return current !== to && isWithinSubtree(to, current) ? current : to;
}

/**
 * The new placement, or: INVALID_AGENCY_CODE, AGENCY_NOT_IN_PROVINCE (leaving the province is a status
 * change), INVALID_VALUE `{field: 'toAgencyCode', reason: 'SAME_AGENCY'}`, INVALID_VALUE `{field: 'status',
 * reason: 'NOT_IN_SERVICE'}` (a retired or departed person's record is not moved), CHANGE_PENDING while the
 * record itself is still a new record in review.
 */
export function planInProvinceTransfer(person: PersonPlacement, input: TransferInput, provinceCode: string): Placement {
  const employingAgencyCode = inProvince(input.toAgencyCode, provinceCode, 'toAgencyCode');
  const managingAgencyCode = input.managingAgencyCode === undefined
    ? defaultManagingAgency(person, employingAgencyCode)
    : inProvince(input.managingAgencyCode, provinceCode, 'managingAgencyCode');
  if (employingAgencyCode === person.employingAgencyCode) throw new GatewayError('INVALID_VALUE', { field: 'toAgencyCode', reason: 'SAME_AGENCY' });
  if (person.status !== 'DANG_CONG_TAC') throw new GatewayError('INVALID_VALUE', { field: 'status', reason: 'NOT_IN_SERVICE', status: person.status });
  if (person.version === 0) throw new GatewayError('CHANGE_PENDING', { reason: 'the new record is not approved yet' });
  return { employingAgencyCode, managingAgencyCode };
}

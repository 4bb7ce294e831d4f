// Phân cấp quản lý: a user acts only inside their agency's subtree; STAFF only on their own record.
import { GatewayError } from '../errors.ts';
import { isWithinSubtree } from '../domain/agency-code.ts';
import type { Principal } from '../auth/principal.ts';

export function inScope(principal: Principal, agencyCode: string): boolean {
  return isWithinSubtree(agencyCode, principal.agencyCode);
}

export function assertInScope(principal: Principal, ...agencyCodes: string[]): void {
  for (const code of agencyCodes) {
    if (!inScope(principal, code)) throw new GatewayError('OUT_OF_SCOPE', { agencyCode: code, scope: principal.agencyCode });
  }
}

/** A person's record is visible to officers of its managing or employing agency's ancestors, and to the person. */
export function canSeePerson(principal: Principal, person: { personalId: string; managingAgencyCode: string; employingAgencyCode: string }): boolean {
  if (principal.role === 'STAFF') return principal.personalId === person.personalId;
  return inScope(principal, person.employingAgencyCode) || inScope(principal, person.managingAgencyCode);
}

// Who manages the signing certificates of approvers (issue 15). Sở Nội vụ manages accounts, so its operators
// register and revoke them; nobody manages their own (separation of duties: a head who could register any
// certificate for himself could sign with a colleague's token again). Anyone may list their own.
import type { Principal } from '../auth/principal.ts';
import { isWithinSubtree } from './agency-code.ts';

export type ApproverCertificateAction = 'REGISTER' | 'REVOKE' | 'LIST';
export type ApproverCertificateViolation = 'OWN_CERTIFICATE' | 'NOT_SO_NOI_VU' | null;

const MANAGING: Readonly<Record<ApproverCertificateAction, { own: 'ALLOWED' | 'OWN_CERTIFICATE'; others: 'SO_NOI_VU_OPERATOR' }>> = {
  REGISTER: { own: 'OWN_CERTIFICATE', others: 'SO_NOI_VU_OPERATOR' },
  REVOKE: { own: 'OWN_CERTIFICATE', others: 'SO_NOI_VU_OPERATOR' },
  LIST: { own: 'ALLOWED', others: 'SO_NOI_VU_OPERATOR' },
};

export function approverCertificateViolation(actor: Pick<Principal, 'subject' | 'role' | 'agencyCode'>, action: ApproverCertificateAction,
  targetSubject: string, soNoiVuCode: string): ApproverCertificateViolation {
  const rule = MANAGING[action];
  if (actor.subject === targetSubject) return rule.own === 'ALLOWED' ? null : 'OWN_CERTIFICATE';
  // As for province approvals: an operator whose scope holds Sở Nội vụ (the province, or Sở Nội vụ itself).
  return actor.role === 'PROVINCE_OPERATOR' && isWithinSubtree(soNoiVuCode, actor.agencyCode) ? null : 'NOT_SO_NOI_VU';
}

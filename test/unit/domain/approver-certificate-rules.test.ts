// Who manages approvers' signing certificates: every role × action × own/other's, against the rule table.
import { describe, expect, it } from 'vitest';
import { approverCertificateViolation, type ApproverCertificateAction } from '../../../src/domain/approver-certificate-rules.ts';
import { roles } from '../../../src/auth/principal.ts';

const SNV = 'H55.19';
const actions: ApproverCertificateAction[] = ['REGISTER', 'REVOKE', 'LIST'];

describe('approverCertificateViolation', () => {
  for (const role of roles) {
    for (const action of actions) {
      for (const agencyCode of ['H55', SNV, 'H55.06']) {
        const actor = { subject: 'me', role, agencyCode };
        const operatorOfSnv = role === 'PROVINCE_OPERATOR' && agencyCode !== 'H55.06';
        it(`${role}@${agencyCode} ${action}: own → ${action === 'LIST' ? 'allowed' : 'OWN_CERTIFICATE'}, another’s → ${operatorOfSnv ? 'allowed' : 'NOT_SO_NOI_VU'}`, () => {
          expect(approverCertificateViolation(actor, action, 'me', SNV)).toBe(action === 'LIST' ? null : 'OWN_CERTIFICATE');
          expect(approverCertificateViolation(actor, action, 'someone-else', SNV)).toBe(operatorOfSnv ? null : 'NOT_SO_NOI_VU');
        });
      }
    }
  }
});

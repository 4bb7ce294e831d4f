// Use cases of approver certificates (issue 15): Sở Nội vụ registers the signing certificates of each SSO
// subject, revokes them, lists them; a two-step approval is signed only with one registered for the signer.
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { approverCertificateViolation, type ApproverCertificateAction } from '../domain/approver-certificate-rules.ts';
import { certificateDer, issuerOf, parseCertificates, serialNumberHex, subjectOf, type Certificate } from '../pki/certificates.ts';
import type { Db } from '../store/db.ts';
import {
  isRegisteredApproverCertificate, listApproverCertificates, registerApproverCertificate, revokeApproverCertificate, type ApproverCertificateRow,
} from '../store/approver-certificates.ts';

export interface ApproverCertificateDeps {
  readonly db: Db;
  /** Agency code of Sở Nội vụ, whose operators manage the registrations. */
  readonly soNoiVuCode: string;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

export const fingerprintOf = (certificate: Certificate): string => createHash('sha256').update(certificateDer(certificate)).digest('hex');

function assertMayManage(deps: ApproverCertificateDeps, actor: Principal, action: ApproverCertificateAction, subject: string): void {
  const violation = approverCertificateViolation(actor, action, subject, deps.soNoiVuCode);
  if (violation === 'OWN_CERTIFICATE') throw new GatewayError('SEPARATION_OF_DUTIES', { rule: violation, action });
  if (violation !== null) throw new GatewayError('FORBIDDEN', { rule: violation, action, role: actor.role });
}

export async function registerCertificate(deps: ApproverCertificateDeps, actor: Principal, subject: string, pem: string): Promise<ApproverCertificateRow> {
  assertMayManage(deps, actor, 'REGISTER', subject);
  const [certificate] = parseCertificates(pem, 'BAD_REQUEST');
  if (!certificate) throw new GatewayError('BAD_REQUEST', { field: 'certificatePem', reason: 'no certificate' });
  return registerApproverCertificate(deps.db, actor, {
    subject, fingerprint: fingerprintOf(certificate), serialNumber: serialNumberHex(certificate), issuer: issuerOf(certificate), certificateSubject: subjectOf(certificate),
  });
}

export async function revokeCertificate(deps: ApproverCertificateDeps, actor: Principal, subject: string, fingerprint: string, reason: string): Promise<ApproverCertificateRow> {
  assertMayManage(deps, actor, 'REVOKE', subject);
  const fp = fingerprint.toLowerCase();
  if (!FINGERPRINT.test(fp)) throw new GatewayError('APPROVER_CERT_NOT_FOUND', { subject, fingerprint });
  return revokeApproverCertificate(deps.db, actor, subject, fp, reason.normalize('NFC').trim());
}

export async function listCertificates(deps: ApproverCertificateDeps, actor: Principal, subject: string): Promise<ApproverCertificateRow[]> {
  assertMayManage(deps, actor, 'LIST', subject);
  return listApproverCertificates(deps.db, subject);
}

/** Refuses (CERT_NOT_APPROVERS) a certificate that is not registered, or is revoked, for the principal. */
export async function assertApproversCertificate(db: Db, principal: Principal, certificate: Certificate): Promise<void> {
  const fingerprint = fingerprintOf(certificate);
  if (await isRegisteredApproverCertificate(db, principal.subject, fingerprint)) return;
  throw new GatewayError('CERT_NOT_APPROVERS', { subject: principal.subject, fingerprint, certificateSubject: subjectOf(certificate),
    hint: 'Đề nghị Sở Nội vụ đăng ký chứng thư số của bạn (POST /api/v1/approvers/{subject}/certificates).' });
}

// The certificates a deployment depends on and how long each has left: the trust anchors and
// intermediates of approvals, the Sở Nội vụ organisation signer, the national trust anchors. Loaded
// once at start-up (signing-setup.ts, national-trust.ts); this only reads them.
import { daysToExpiry, notAfter, serialNumberHex, subjectOf, type Certificate } from '../pki/certificates.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';

export type CertificateRole = 'TRUST_ANCHOR' | 'INTERMEDIATE' | 'ORG_SIGNER' | 'NATIONAL_TRUST_ANCHOR';

export interface CertificateExpiry {
  readonly role: CertificateRole;
  readonly subject: string;
  readonly serialNumber: string;
  readonly notAfter: Date;
  /** Whole days left (negative once expired). */
  readonly daysLeft: number;
}

export interface CertificateSources {
  readonly signing?: Pick<SigningSetup, 'trustAnchors' | 'intermediates' | 'orgSigner'>;
  readonly nationalTrustAnchors?: readonly Certificate[];
}

export function certificateExpiries(sources: CertificateSources, now: Date): CertificateExpiry[] {
  const of = (role: CertificateRole, cert: Certificate): CertificateExpiry => ({
    role, subject: subjectOf(cert), serialNumber: serialNumberHex(cert), notAfter: notAfter(cert), daysLeft: daysToExpiry(cert, now),
  });
  const s = sources.signing;
  return [
    ...(s?.orgSigner ? [of('ORG_SIGNER', s.orgSigner.certificate)] : []),
    ...(s?.trustAnchors ?? []).map((c) => of('TRUST_ANCHOR', c)),
    ...(s?.intermediates ?? []).map((c) => of('INTERMEDIATE', c)),
    ...(sources.nationalTrustAnchors ?? []).map((c) => of('NATIONAL_TRUST_ANCHOR', c)),
  ];
}

// Revocation status of every certificate of a path (except the trust anchor) at the signing time,
// from CRLs first, then stored OCSP answers, then a live OCSP responder. The answer is one of:
// revoked before the signing time → CERT_REVOKED; good (with the CRL/OCSP DER kept as evidence);
// or unknown, which is REVOCATION_UNKNOWN when revocation is required and is reported as "unknown",
// never as "good", when it is not.
import { GatewayError } from '../errors.ts';
import { serialNumberHex, subjectOf, type Certificate } from './certificates.ts';
import { crlDer, findCrlStatus, type Crl } from './crl.ts';
import { queryOcsp, readOcspResponse, type OcspFinding, type OcspNoAnswer, type OcspSource } from './ocsp.ts';

export interface RevocationOptions {
  /** CRLs from configuration and from the SignedData. Only those signed by the right CA count. */
  readonly crls?: readonly Crl[];
  /** A live responder to ask when no CRL answers. */
  readonly ocsp?: OcspSource;
  /** OCSP answers kept from earlier (long-term verification). */
  readonly ocspResponses?: readonly Uint8Array[];
  /** No evidence for a certificate → REVOCATION_UNKNOWN instead of status "unknown". */
  readonly requireRevocation?: boolean;
  /** The signing time the status must speak for. */
  readonly time: Date;
  readonly now: Date;
  readonly clockSkewMs?: number;
}

export interface RevocationEvidence {
  readonly subject: string;
  readonly serialNumber: string;
  readonly source: 'crl' | 'ocsp' | 'none';
  readonly status: 'good' | 'unknown';
  /** Set when the certificate was revoked, but only after the signing time. */
  readonly revokedAt?: Date;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  /** CRL or OCSPResponse DER, to store beside the signature. */
  readonly evidence?: Uint8Array;
  /** Why no evidence was found (status "unknown"). */
  readonly reason?: string;
}

/** `path` is [leaf, …, anchor] as validateCertificatePath returns it; the anchor is not checked. */
export async function checkRevocation(path: readonly Certificate[], options: RevocationOptions): Promise<RevocationEvidence[]> {
  const evidence: RevocationEvidence[] = [];
  for (let index = 0; index + 1 < path.length; index += 1) {
    evidence.push(await statusOf(path[index] as Certificate, path[index + 1] as Certificate, options));
  }
  return evidence;
}

async function statusOf(cert: Certificate, issuer: Certificate, options: RevocationOptions): Promise<RevocationEvidence> {
  const who = { subject: subjectOf(cert), serialNumber: serialNumberHex(cert) };
  const fromCrl = await findCrlStatus(cert, issuer, options.crls ?? [], options.time);
  if (fromCrl) {
    return judge(who, 'crl', { ...fromCrl, evidence: crlDer(fromCrl.crl) }, options.time);
  }
  const reasons: string[] = [(options.crls?.length ?? 0) > 0 ? 'no-usable-crl' : 'no-crl'];
  const ocspOptions = { time: options.time, now: options.now, ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }) };
  for (const stored of options.ocspResponses ?? []) {
    const answer = await readOcspResponse(stored, cert, issuer, ocspOptions);
    if (answer.status !== 'unknown') return judge(who, 'ocsp', fromOcsp(answer), options.time);
  }
  if (options.ocsp) {
    const answer: OcspFinding | OcspNoAnswer = await queryOcsp(cert, issuer, options.ocsp, ocspOptions);
    if (answer.status !== 'unknown') return judge(who, 'ocsp', fromOcsp(answer), options.time);
    reasons.push(`ocsp:${answer.reason}`);
  }
  const reason = reasons.join(',');
  if (options.requireRevocation) throw new GatewayError('REVOCATION_UNKNOWN', { ...who, reason });
  return { ...who, source: 'none', status: 'unknown', reason };
}

interface Finding {
  readonly status: 'good' | 'revoked';
  readonly revokedAt?: Date;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly evidence: Uint8Array;
}

function fromOcsp(answer: OcspFinding): Finding {
  return { ...answer, evidence: answer.response };
}

/** Revoked at or before the signing time → CERT_REVOKED; revoked later → still good for this signature. */
function judge(who: { subject: string; serialNumber: string }, source: 'crl' | 'ocsp', finding: Finding, time: Date): RevocationEvidence {
  if (finding.status === 'revoked' && finding.revokedAt && finding.revokedAt.getTime() <= time.getTime()) {
    throw new GatewayError('CERT_REVOKED', { ...who, source, revokedAt: finding.revokedAt.toISOString(), signingTime: time.toISOString() });
  }
  return {
    ...who,
    source,
    status: 'good',
    ...(finding.revokedAt ? { revokedAt: finding.revokedAt } : {}),
    thisUpdate: finding.thisUpdate,
    ...(finding.nextUpdate ? { nextUpdate: finding.nextUpdate } : {}),
    evidence: finding.evidence,
  };
}

// The signed approvals of DESIGN rule 3: the agency head (or a deputy by recorded delegation) approves the
// month's verified changes inside the last-5-days window; Sở Nội vụ approves what agencies approved.
// Each approval signs a manifest (domain/approval-manifest.ts), either server-side with the organisation
// key or in two steps with the signer's USB token / remote-signing service. Nothing is recorded until the
// CMS verifies (chain, validity at signing time, key usage, revocation) and every listed change still
// stands as listed.
import type { Db } from '../store/db.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { buildApprovalManifest, sha256Hex, type ManifestItem } from '../domain/approval-manifest.ts';
import { isInApprovalWindow, periodOf } from '../domain/working-days.ts';
import { isWithinSubtree } from '../domain/agency-code.ts';
import { barringRelation } from '../domain/duties.ts';
import type { ApprovalLevel } from '../generated/prisma/client.ts';
import {
  createSigningSession, findActiveDelegation, findWindowOverride, getSigningSession, listEligible, recordApproval,
} from '../store/approvals.ts';
import { signDetached } from '../pki/sign-cms.ts';
import { verifyDetached, type VerifyResult } from '../pki/verify-cms.ts';
import { assembleExternalSignature, prepareExternalSignature, type PreparedSignature } from '../pki/external-signing.ts';
import { certificateDer, parseCertificates, serialNumberHex, subjectOf, type Certificate } from '../pki/certificates.ts';
import { approvalVerifyOptions, type SigningSetup } from './signing-setup.ts';
import type { Clock } from '../clock.ts';
import { checkpointAfter, type CheckpointDeps } from '../services/audit-checkpoints.ts';
import { assertApproversCertificate } from '../services/approver-certificates.ts';

export interface ApprovalDeps {
  db: Db;
  setup: SigningSetup;
  provinceCode: string;
  senderCode: string;
  clock: Clock;
  /**
   * Two-step approvals only with a certificate Sở Nội vụ registered for the signer (issue 15,
   * APPROVER_CERTIFICATES_REQUIRED): any certificate chaining to a trust anchor could be a colleague's token.
   */
  approverCertificatesRequired: boolean;
  /** Signed audit checkpoint after each recorded approval (absent: none). */
  checkpoints?: CheckpointDeps;
}

export interface ApprovalTarget {
  level: ApprovalLevel;
  /** CO_QUAN: the approving agency; SO_NOI_VU: Sở Nội vụ (the sender code). */
  agencyCode: string;
  period: string;
}

interface Authority { delegationId: string | null; windowOverride: boolean; overrideReason: string | null }

const vnIso = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+07:00');
const bytes = (u: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(u);

/** May this person approve at this level, for this agency and month, now? */
async function authorise(deps: ApprovalDeps, principal: Principal, t: ApprovalTarget): Promise<Authority> {
  const now = deps.clock.now();
  if (t.level === 'SO_NOI_VU') {
    if (principal.role !== 'PROVINCE_OPERATOR' || !isWithinSubtree(deps.senderCode, principal.agencyCode)) {
      throw new GatewayError('FORBIDDEN', { reason: 'only a Sở Nội vụ operator approves at province level' });
    }
    return { delegationId: null, windowOverride: false, overrideReason: null };
  }
  let delegationId: string | null = null;
  if (!(principal.role === 'AGENCY_HEAD' && principal.agencyCode === t.agencyCode)) {
    const delegation = await findActiveDelegation(deps.db, t.agencyCode, principal.subject, now);
    if (!delegation) throw new GatewayError('NOT_DELEGATED', { agencyCode: t.agencyCode });
    delegationId = delegation.id;
  }
  if (isInApprovalWindow(now) && periodOf(now) === t.period) return { delegationId, windowOverride: false, overrideReason: null };
  const override = await findWindowOverride(deps.db, t.agencyCode, t.period, now);
  if (!override) throw new GatewayError('OUTSIDE_APPROVAL_WINDOW', { period: t.period, now: vnIso(now) });
  return { delegationId, windowOverride: true, overrideReason: override.reason };
}

/**
 * What is waiting for this approval, as manifest items. Sở Nội vụ sees only content the agency head signed.
 * Changes the signer may not approve (their own record, a change they created or verified: domain/duties.ts)
 * are left out of their manifest, for another signer (a deputy by delegation); when nothing else is left
 * the refusal says why.
 */
async function eligibleItems(deps: ApprovalDeps, principal: Principal, t: ApprovalTarget): Promise<ManifestItem[]> {
  const root = t.level === 'CO_QUAN' ? t.agencyCode : deps.provinceCode;
  const rows = await listEligible(deps.db, t.level, root, t.period);
  const waiting = t.level === 'CO_QUAN' ? rows : rows.filter((r) => r.coQuanApprovedSha256 === r.contentSha256);
  const step = t.level === 'CO_QUAN' ? 'APPROVE_AGENCY' : 'APPROVE_PROVINCE';
  const barred = waiting.map((r) => ({ row: r, relation: barringRelation(principal, step, r) }));
  const items = barred.filter((b) => b.relation === null)
    .map(({ row: { personalId, changeId, contentSha256 } }) => ({ personalId, changeId, contentSha256 }));
  if (items.length === 0 && waiting.length > 0) {
    const first = barred[0]!;
    throw new GatewayError('SEPARATION_OF_DUTIES', { rule: `${first.relation}_MAY_NOT_${step}`, step, relation: first.relation,
      changeIds: barred.map((b) => b.row.changeId) });
  }
  if (items.length === 0) throw new GatewayError('NOTHING_TO_APPROVE', { level: t.level, agencyCode: t.agencyCode, period: t.period });
  return items;
}

function draft(deps: ApprovalDeps, t: ApprovalTarget, items: ManifestItem[]): Buffer {
  return buildApprovalManifest({ level: t.level, agencyCode: t.agencyCode, period: t.period, createdAt: vnIso(deps.clock.now()), items });
}

async function verifyApproval(deps: ApprovalDeps, manifest: Uint8Array, cms: Uint8Array): Promise<VerifyResult> {
  return verifyDetached(manifest, cms, { ...approvalVerifyOptions(deps.setup), now: deps.clock.now() });
}

async function record(deps: ApprovalDeps, principal: Principal, t: ApprovalTarget, authority: Authority,
  manifest: Uint8Array, cms: Uint8Array, items: ManifestItem[], verified: VerifyResult, sessionId?: string) {
  const recorded = await recordApproval(deps.db, principal, {
    ...t, ...authority, items, manifest: bytes(manifest), manifestSha256: sha256Hex(manifest), cms: bytes(cms),
    signerCertificate: bytes(verified.certificate), signerSerial: verified.serialNumber, signerSubject: verified.subject,
    signingTime: verified.timestampTime ?? verified.signingTime,
    timeStampToken: verified.timestamp ? bytes(verified.timestamp.token) : null,
    revocationEvidence: verified.revocation.map((r) => ({
      subject: r.subject, serialNumber: r.serialNumber, source: r.source, status: r.status,
      ...(r.thisUpdate ? { thisUpdate: r.thisUpdate.toISOString() } : {}),
      ...(r.evidence ? { evidenceBase64: Buffer.from(r.evidence).toString('base64') } : {}),
    })),
    ...(sessionId ? { sessionId } : {}),
  });
  await checkpointAfter(deps.checkpoints, 'APPROVAL');
  return recorded;
}

/** Server-side approval with the organisation key (Sở Nội vụ). */
export async function approveWithOrganisationKey(deps: ApprovalDeps, principal: Principal, t: ApprovalTarget) {
  const signer = deps.setup.orgSigner;
  if (!signer) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_P12_FILE', reason: 'no organisation signer configured' });
  const authority = await authorise(deps, principal, t);
  const items = await eligibleItems(deps, principal, t);
  const manifest = draft(deps, t, items);
  const cms = await signDetached(manifest, signer, { signingTime: deps.clock.now(), ...(deps.setup.tsaUrl ? { tsaUrl: deps.setup.tsaUrl } : {}) });
  const verified = await verifyApproval(deps, manifest, cms);
  return record(deps, principal, t, authority, manifest, cms, items, verified);
}

export interface StartedSession {
  sessionId: string;
  manifest: Buffer;
  manifestSha256: string;
  signedAttributes: Uint8Array;
  digestToSign: Uint8Array;
  algorithm: PreparedSignature['algorithm'];
  count: number;
  expiresAt: Date;
}

/** Step 1 of the two-step flow: the manifest and the exact signed attributes the signer's tool must sign. */
export async function startSigningSession(deps: ApprovalDeps, principal: Principal, t: ApprovalTarget, certificatePem: string): Promise<StartedSession> {
  await authorise(deps, principal, t);
  const certificate = firstCertificate(certificatePem);
  if (deps.approverCertificatesRequired) await assertApproversCertificate(deps.db, principal, certificate);
  const items = await eligibleItems(deps, principal, t);
  const manifest = draft(deps, t, items);
  const prepared = prepareExternalSignature({ data: manifest, signerCertificate: certificate, signingTime: deps.clock.now() });
  const expiresAt = new Date(deps.clock.now().getTime() + deps.setup.sessionMinutes * 60_000);
  const session = await createSigningSession(deps.db, principal, {
    level: t.level, agencyCode: t.agencyCode, period: t.period, manifest: bytes(manifest), signedAttrs: bytes(prepared.signedAttrsDer),
    certificate: bytes(certificateDer(certificate)), expiresAt,
    context: { items: items as never, scheme: prepared.algorithm.scheme, signingTime: prepared.signingTime.toISOString() },
  });
  return { sessionId: session.id, manifest, manifestSha256: sha256Hex(manifest), signedAttributes: prepared.signedAttrsDer,
    digestToSign: prepared.digestToSign, algorithm: prepared.algorithm, count: items.length, expiresAt };
}

/** Step 2: the signer's tool returns the signature value; the gateway assembles, verifies and records. */
export async function completeSigningSession(deps: ApprovalDeps, principal: Principal, sessionId: string,
  input: { signatureValue: Uint8Array; chainPem?: string }) {
  const session = await getSigningSession(deps.db, sessionId);
  if (!session || session.completedAt || session.expiresAt < deps.clock.now() || session.createdBy !== principal.subject) {
    throw new GatewayError('SIGNING_SESSION_NOT_FOUND', { sessionId });
  }
  const t: ApprovalTarget = { level: session.level, agencyCode: session.agencyCode, period: session.period };
  const authority = await authorise(deps, principal, t);
  const context = session.context as unknown as { items: ManifestItem[]; scheme: PreparedSignature['algorithm']['scheme']; signingTime: string };
  const certificate = firstCertificate(session.certificate);
  // Again at completion: the registration may have been revoked while the session waited for the token.
  if (deps.approverCertificatesRequired) await assertApproversCertificate(deps.db, principal, certificate);
  // Rebuilt from the stored attributes: the same bytes the signer was given, bound to the announced certificate.
  const prepared = prepareExternalSignature({ data: session.manifest, signerCertificate: certificate, signingTime: new Date(context.signingTime), scheme: context.scheme });
  if (!Buffer.from(prepared.signedAttrsDer).equals(Buffer.from(session.signedAttrs))) {
    throw new GatewayError('BAD_SIGNATURE', { reason: 'session attributes changed' });
  }
  const chain = input.chainPem ? parseCertificates(input.chainPem, 'BAD_REQUEST') : [];
  const cms = await assembleExternalSignature({ prepared, signatureValue: input.signatureValue, signerCertificate: certificate,
    chain: [...chain, ...deps.setup.intermediates], ...(deps.setup.tsaUrl ? { tsa: deps.setup.tsaUrl } : {}) });
  const verified = await verifyApproval(deps, session.manifest, cms);
  return record(deps, principal, t, authority, session.manifest, cms, context.items, verified, session.id);
}

function firstCertificate(input: string | Uint8Array): Certificate {
  const [certificate] = parseCertificates(input, 'BAD_REQUEST');
  if (!certificate) throw new GatewayError('BAD_REQUEST', { field: 'certificate', reason: 'no certificate' });
  return certificate;
}

export function describeCertificate(der: Uint8Array): { subject: string; serial: string } {
  const certificate = firstCertificate(der);
  return { subject: subjectOf(certificate), serial: serialNumberHex(certificate) };
}

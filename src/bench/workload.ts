// What the benchmark puts in the database before it times a sync, through the gateway's own code:
//   - changes in bulk (store/bulk-changes.ts), each prepared exactly as the API prepares one
//     (prepareContent: NFC, validation, the domain's contentSha256);
//   - approvals through the approval service: per agency, the head's two-step session (the gateway hands
//     out the signed attributes, the demo head key signs them, the gateway assembles, verifies and
//     records), deepest agencies first; then Sở Nội vụ's approval with the organisation key.
import { readFileSync } from 'node:fs';
import type { Db } from '../store/db.ts';
import { bulkCreateChanges, personsWithoutOpenChange, type BulkChange, type PersonForChange } from '../store/bulk-changes.ts';
import { createWindowOverride, pendingApprovalsByAgency } from '../store/approvals.ts';
import { prepareContent } from '../http/change-input.ts';
import { isInApprovalWindow, localDate, periodOf } from '../domain/working-days.ts';
import { approveWithOrganisationKey, completeSigningSession, startSigningSession, type ApprovalDeps } from '../approval/approval-service.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';
import { signPreparedDigest } from '../pki/external-signing.ts';
import { importPrivateKeyPem } from '../pki/keys.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChangeKind } from '../generated/prisma/client.ts';
import { isGatewayError } from '../errors.ts';
import { systemClock } from '../clock.ts';

export const benchOfficer = (provinceCode: string): Principal => ({ subject: 'bench-officer', role: 'UNIT_OFFICER', agencyCode: provinceCode });

/** Records the entry rules refused (the API would have answered 422): counted, not entered. */
export interface Refusals { count: number; codes: Record<string, number> }

/** A change per person, made by `edit` from the person's record, prepared as the API prepares it. */
async function* prepared(persons: AsyncIterable<PersonForChange>, kind: ChangeKind, edit: (p: PersonForChange, i: number) => unknown,
  refused: Refusals): AsyncGenerator<BulkChange> {
  const today = localDate(systemClock.now());
  let i = 0;
  for await (const p of persons) {
    let content: ReturnType<typeof prepareContent>;
    try {
      content = prepareContent({ personalId: p.personalId, category: p.category, status: p.status, managingAgencyCode: p.managingAgencyCode,
        employingAgencyCode: p.employingAgencyCode, effectiveDate: null, profile: edit(p, i++) }, today);
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      refused.count += 1;
      refused.codes[err.code] = (refused.codes[err.code] ?? 0) + 1;
      continue;
    }
    yield { personalId: p.personalId, kind, category: content.category, status: content.status, managingAgencyCode: content.managingAgencyCode,
      employingAgencyCode: content.employingAgencyCode, effectiveDate: content.effectiveDate, profile: content.profile,
      contentSha256: content.contentSha256, baseVersion: p.version };
  }
}

/**
 * The initial load: every record of the province goes to the national side for the first time, as a
 * THEM_MOI change carrying the record as it stands, entered and verified by the units.
 */
export async function createInitialLoad(db: Db, provinceCode: string, count: number): Promise<{ created: number; refused: Refusals }> {
  const refused: Refusals = { count: 0, codes: {} };
  const r = await bulkCreateChanges(db, benchOfficer(provinceCode), prepared(personsWithoutOpenChange(db, { limit: count }), 'THEM_MOI', (p) => p.profile, refused),
    { state: 'VERIFIED', source: 'INITIAL_LOAD' });
  return { created: r.count, refused };
}

/** A month's updates: `count` records get a new phone number (CAP_NHAT), entered and verified. */
export async function createMonthUpdates(db: Db, provinceCode: string, count: number): Promise<{ created: number; refused: Refusals }> {
  const refused: Refusals = { count: 0, codes: {} };
  const r = await bulkCreateChanges(db, benchOfficer(provinceCode),
    prepared(personsWithoutOpenChange(db, { limit: count, minVersion: 1 }), 'CAP_NHAT',
      (p, i) => ({ ...(p.profile as object), SoDienThoai: `09${String(i % 100_000_000).padStart(8, '0')}` }), refused),
    { state: 'VERIFIED' });
  return { created: r.count, refused };
}

export interface ApprovalFigures {
  period: string;
  agencies: number;
  /** Agency heads' signatures (one per agency, more when an agency has over 100,000 changes). */
  agencyApprovals: number;
  windowOverrides: number;
  agencyMs: number;
  /** The slowest single agency approval (start + sign + complete). */
  slowestAgencyMs: number;
  provinceMs: number;
  provinceCount: number;
  /** Sở Nội vụ's signatures: one manifest lists at most 100,000 changes. */
  provinceApprovals: number;
}

export interface HeadKey { keyPemFile: string; certificatePemFile: string }

/** Every agency head approves its own changes (two-step session), then Sở Nội vụ approves them all. */
export async function approveAll(db: Db, setup: SigningSetup, o: { provinceCode: string; senderCode: string; head: HeadKey }): Promise<ApprovalFigures> {
  const clock = db.clock;
  const deps: ApprovalDeps = { db, setup, provinceCode: o.provinceCode, senderCode: o.senderCode, clock,
    // The bench measures signing; the registry lookup is one indexed query, covered by the approval tests.
    approverCertificatesRequired: false };
  const period = periodOf(clock.now());
  const operator: Principal = { subject: 'bench-operator', role: 'PROVINCE_OPERATOR', agencyCode: o.senderCode };
  const pending = await pendingApprovalsByAgency(db);
  // Deepest agencies first: each head's manifest covers its subtree, so a parent then signs only its own.
  const agencies = pending.map((p) => p.agencyCode).sort((a, b) => b.length - a.length || a.localeCompare(b));
  let windowOverrides = 0;
  if (!isInApprovalWindow(clock.now())) {
    // Outside the last-5-days window the heads may sign only with an operator's audited override.
    for (const agencyCode of agencies) {
      await createWindowOverride(db, operator, { agencyCode, period, reason: 'benchmark: approvals outside the last-5-days window', validUntil: new Date(clock.now().getTime() + 86_400_000) });
      windowOverrides += 1;
    }
  }
  const key = await importPrivateKeyPem(readFileSync(o.head.keyPemFile, 'utf8'));
  const certificatePem = readFileSync(o.head.certificatePemFile, 'utf8');
  const t0 = performance.now();
  let slowest = 0;
  let agencyApprovals = 0;
  for (const agencyCode of agencies) {
    const head: Principal = { subject: `head@${agencyCode}`, role: 'AGENCY_HEAD', agencyCode };
    // One manifest lists at most 100,000 changes (listEligible's page): sign again until nothing is left.
    await untilNothingLeft(async () => {
      const a0 = performance.now();
      const session = await startSigningSession(deps, head, { level: 'CO_QUAN', agencyCode, period }, certificatePem);
      const signatureValue = await signPreparedDigest(key, session.signedAttributes);
      await completeSigningSession(deps, head, session.sessionId, { signatureValue });
      slowest = Math.max(slowest, performance.now() - a0);
      agencyApprovals += 1;
    });
  }
  const agencyMs = performance.now() - t0;
  const p0 = performance.now();
  let provinceCount = 0;
  let provinceApprovals = 0;
  await untilNothingLeft(async () => {
    const r = await approveWithOrganisationKey(deps, operator, { level: 'SO_NOI_VU', agencyCode: o.senderCode, period });
    provinceCount += r.count;
    provinceApprovals += 1;
  });
  return { period, agencies: agencies.length, agencyApprovals, windowOverrides, agencyMs, slowestAgencyMs: slowest, provinceMs: performance.now() - p0,
    provinceCount, provinceApprovals };
}

/** Repeats `approve` until the approval service answers NOTHING_TO_APPROVE. */
async function untilNothingLeft(approve: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await approve();
    } catch (err) {
      if (isGatewayError(err, 'NOTHING_TO_APPROVE')) return;
      throw err;
    }
  }
}

// Makes `count` PROVINCE_APPROVED changes through the real workflow code (store, lifecycle, signed
// approvals with the test PKI), for the sync tests: a phone-number update per seeded person.
import type { Db } from '../../src/store/db.ts';
import { createChange, transitionChange } from '../../src/store/changes.ts';
import { prepareContent } from '../../src/http/change-input.ts';
import { applyTransition } from '../../src/domain/change-lifecycle.ts';
import { approvalWindow, localDate, nextPeriod, periodOf } from '../../src/domain/working-days.ts';
import { approveWithOrganisationKey, completeSigningSession, startSigningSession, type ApprovalDeps } from '../../src/approval/approval-service.ts';
import { signPreparedDigest } from '../../src/pki/external-signing.ts';
import type { Principal } from '../../src/auth/principal.ts';
import type { ChangeState } from '../../src/generated/prisma/client.ts';
import { getTestPki } from './pki.ts';
import { readFileSync } from 'node:fs';
import { fixedClock } from '../../src/clock.ts';

/**
 * A moment inside an approval window, a minute or more after `now` (the test PKI is dated from today): this
 * month's window, or the next month's when this one closes too soon (a run at 23:59 on the last day).
 */
export function approvalMoment(now = new Date()): Date {
  for (const period of [periodOf(now), nextPeriod(periodOf(now))]) {
    const window = approvalWindow(period);
    const at = new Date(Math.max(now.getTime() + 60_000, window.opensAt.getTime() + 3 * 3600_000));
    if (at.getTime() + 3_600_000 < window.closesAt.getTime()) return at; // an hour left for the test's steps
  }
  throw new Error('unreachable: the next window is ahead of any moment of this month');
}

export async function approvedChanges(db: Db, count: number, options: { agencyPrefix?: string } = {}): Promise<{ period: string; changeIds: string[] }> {
  const pki = await getTestPki();
  const at = approvalMoment();
  const period = periodOf(at);
  const officer: Principal = { subject: 'fixture-officer', role: 'UNIT_OFFICER', agencyCode: 'H55' };
  const persons = await db.prisma.person.findMany({
    where: { version: { gt: 0 }, changes: { none: {} }, ...(options.agencyPrefix ? { employingAgencyCode: { startsWith: options.agencyPrefix } } : {}) },
    orderBy: { personalId: 'asc' }, take: count,
  });
  if (persons.length < count) throw new Error(`fixture: only ${persons.length} persons without changes`);
  const changeIds: string[] = [];
  for (const [i, p] of persons.entries()) {
    const content = prepareContent({ personalId: p.personalId, category: p.category, status: p.status, managingAgencyCode: p.managingAgencyCode,
      employingAgencyCode: p.employingAgencyCode, effectiveDate: null, profile: { ...(p.profile as object), SoDienThoai: `09${String(i).padStart(8, '0')}` } }, localDate(new Date()));
    const { fullName: _f, gradeCode: _g, normalized: _n, ...rest } = content;
    const change = await createChange(db, officer, { ...rest, personalId: p.personalId, kind: 'CAP_NHAT', state: 'SUBMITTED', attachments: [] });
    await transitionChange(db, officer, change.id, (c) => ({ state: applyTransition(c.state, 'VERIFY', 'UNIT_OFFICER') as ChangeState, action: 'CHANGE_VERIFY' }));
    changeIds.push(change.id);
  }
  await approveVerified(db, persons.map((p) => p.employingAgencyCode), at);
  return { period, changeIds };
}

/**
 * The agency heads of `agencies` sign their VERIFIED changes (deepest agencies first), then Sở Nội vụ
 * approves the month with the organisation key, all at `at` (inside the approval window).
 */
export async function approveVerified(db: Db, agencyCodes: readonly string[], at = approvalMoment()): Promise<void> {
  const pki = await getTestPki();
  const period = periodOf(at);
  const deps: ApprovalDeps = {
    db, provinceCode: 'H55', senderCode: 'H55.19', clock: fixedClock(at),
    setup: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls, orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
    // The certificate registry has its own tests (approver-certificates.test.ts); here any test head signs.
    approverCertificatesRequired: false,
  };
  // Each employing agency's head signs its own manifest, deepest agencies first.
  const agencies = [...new Set(agencyCodes)].sort((a, b) => b.length - a.length || a.localeCompare(b));
  const certificatePem = readFileSync(pki.identity('head-ec').certificatePath, 'utf8');
  for (const agencyCode of agencies) {
    const head: Principal = { subject: `head@${agencyCode}`, role: 'AGENCY_HEAD', agencyCode };
    const remaining = await db.prisma.profileChange.count({ where: { agencyCode, state: 'VERIFIED' } });
    if (remaining === 0) continue;
    const session = await startSigningSession(deps, head, { level: 'CO_QUAN', agencyCode, period }, certificatePem);
    const signatureValue = await signPreparedDigest(pki.key('head-ec'), session.signedAttributes);
    await completeSigningSession(deps, head, session.sessionId, { signatureValue });
  }
  await approveWithOrganisationKey(deps, { subject: 'snv', role: 'PROVINCE_OPERATOR', agencyCode: 'H55' }, { level: 'SO_NOI_VU', agencyCode: 'H55.19', period });
}

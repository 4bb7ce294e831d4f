// A person who transferred in is approved here and synced back: the first version the province sends
// must be newer than the one the national side held before the transfer (or it answers STALE_VERSION).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { getTestPki } from '../../support/pki.ts';
import { approvalMoment } from '../../support/approved-changes.ts';
import { startWorker, type RunningWorker } from '../../../src/commands/worker.ts';
import { applyTransition } from '../../../src/domain/change-lifecycle.ts';
import { periodOf } from '../../../src/domain/working-days.ts';
import { transitionChange } from '../../../src/store/changes.ts';
import { approveWithOrganisationKey, completeSigningSession, startSigningSession, type ApprovalDeps } from '../../../src/approval/approval-service.ts';
import { signPreparedDigest } from '../../../src/pki/external-signing.ts';
import { syncPeriod } from '../../../src/sync/sync-period.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import type { ChangeState } from '../../../src/generated/prisma/client.ts';
import { clientOf, ministryRecord, startWorld, until, type TransferWorld } from './setup.ts';
import { fixedClock } from '../../../src/clock.ts';
import { reservedSubject } from '../../../src/domain/grant-rules.ts';

let world: TransferWorld;
let worker: RunningWorker;

beforeAll(async () => {
  world = await startWorld();
  worker = await startWorker(world.config);
});
afterAll(async () => {
  await worker?.close();
  await world?.close();
});

describe('a transferred-in record', () => {
  it('is approved here and accepted by the national side as a newer version', async () => {
    const db = world.gateway.database.db;
    const hoSo = ministryRecord(7101);
    await world.sim.sim.preloadRecord({ hoSo, version: 6, holderCode: 'G09.20' });
    const sent = await world.sim.sim.sendTransferRequest(world.gatewayUrl, { requestId: 'TR-7101', personalId: hoSo.SoDinhDanh, fromAgencyCode: 'G09.20',
      toAgencyCode: 'H55.05.01', decisionNo: '9/QĐ-BNV', effectiveDate: '2026-12-01' });
    expect(sent.status).toBe(202);
    await until(async () => (await db.prisma.transferRequest.findUnique({ where: { requestId: 'TR-7101' } }))?.state === 'IMPORTED');
    const { changeId } = await db.prisma.transferRequest.findUniqueOrThrow({ where: { requestId: 'TR-7101' } });

    const officer = { subject: 'tccb', role: 'UNIT_OFFICER' as const, agencyCode: 'H55.05.01' };
    await transitionChange(db, officer, changeId!, (c) => ({ state: applyTransition(c.state, 'VERIFY', 'UNIT_OFFICER') as ChangeState, action: 'CHANGE_VERIFY' }));
    const pki = await getTestPki();
    const at = approvalMoment();
    const deps: ApprovalDeps = { db, provinceCode: 'H55', senderCode: 'H55.19', clock: fixedClock(at),
      setup: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls, orgSigner: pki.identity('org-signer'), sessionMinutes: 30 }, approverCertificatesRequired: false };
    const head = { subject: 'head', role: 'AGENCY_HEAD' as const, agencyCode: 'H55.05.01' };
    const target = { level: 'CO_QUAN' as const, agencyCode: 'H55.05.01', period: periodOf(at) };
    const session = await startSigningSession(deps, head, target, readFileSync(pki.identity('head-ec').certificatePath, 'utf8'));
    await completeSigningSession(deps, head, session.sessionId, { signatureValue: await signPreparedDigest(pki.key('head-ec'), session.signedAttributes) });
    await approveWithOrganisationKey(deps, { subject: 'snv', role: 'PROVINCE_OPERATOR', agencyCode: 'H55' }, { level: 'SO_NOI_VU', agencyCode: 'H55.19', period: periodOf(at) });
    expect(await db.prisma.person.findUniqueOrThrow({ where: { personalId: hoSo.SoDinhDanh } })).toMatchObject({ version: 7 });
    // Transferred in: a STAFF grant on their own record waits for the person's first sign-in.
    expect(await db.prisma.accessGrant.findMany({ where: { personalId: hoSo.SoDinhDanh, state: 'ACTIVE' }, select: { role: true, subject: true } }))
      .toEqual([{ role: 'STAFF', subject: reservedSubject(hoSo.SoDinhDanh) }]);

    const client = clientOf(world.sim);
    const summary = await syncPeriod(periodOf(at), { db, client, logger: createLogger('silent'), leaseMs: 2_000, maxInFlight: 2, retryBaseMs: 10, retryMaxMs: 100,
      builder: { signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 10, maxBytes: 1 << 24, deadlineMs: 60_000, actor: systemPrincipal('H55') } });
    await client.close();
    expect(summary.records).toEqual({ accepted: 1, rejected: 0 });
    expect(await db.prisma.person.findUniqueOrThrow({ where: { personalId: hoSo.SoDinhDanh } })).toMatchObject({ version: 7, syncedVersion: 7 });
  }, 90_000);
});

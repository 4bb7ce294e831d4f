// Transfers inside the province (POST /api/v1/persons/{personalId}/transfer): the superior agency moves
// a record; the move is an update reviewed by the receiver, approved with signatures and synchronised
// like any change (shown end to end with a status change beside it); every refusal.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/app.ts';
import { approvalMoment } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { approveWithOrganisationKey, completeSigningSession, startSigningSession, type ApprovalDeps } from '../../../src/approval/approval-service.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { parentAgencyCode } from '../../../src/domain/agency-code.ts';
import { periodOf } from '../../../src/domain/working-days.ts';
import { readNationalRecordDocument } from '../../../src/exchange/xml/record-document.ts';
import { createLogger } from '../../../src/logger.ts';
import { signPreparedDigest } from '../../../src/pki/external-signing.ts';
import { buildBatches } from '../../../src/sync/batch-builder.ts';
import { pushBatchOnce } from '../../../src/sync/push-batch.ts';
import type { PersonRow } from '../../../src/store/changes.ts';
import { clientOf, startWorld, type TransferWorld } from './setup.ts';
import { fixedClock } from '../../../src/clock.ts';

let world: TransferWorld;

beforeAll(async () => {
  world = await startWorld({ persons: 60 });
});
afterAll(async () => {
  await world?.close();
});

const db = () => world.gateway.database.db.prisma;
const used = new Set<string>();

/** A seeded person in service at a unit (level 3) that has a sibling unit, not used by another test. */
async function personWithSibling(): Promise<{ person: PersonRow; sibling: string; parent: string }> {
  const persons = await db().person.findMany({ where: { status: 'DANG_CONG_TAC', version: 1, changes: { none: {} } }, orderBy: { personalId: 'asc' } });
  for (const person of persons) {
    const parent = parentAgencyCode(person.employingAgencyCode);
    if (used.has(person.personalId) || used.has(person.employingAgencyCode) || !parent || person.employingAgencyCode.split('.').length !== 3) continue;
    const sibling = await db().agency.findFirst({ where: { parentCode: parent, code: { not: person.employingAgencyCode }, activeTo: null }, orderBy: { code: 'asc' } });
    if (!sibling || used.has(sibling.code)) continue;
    used.add(person.personalId).add(person.employingAgencyCode).add(sibling.code);
    return { person, sibling: sibling.code, parent };
  }
  throw new Error('fixture: no person with a sibling unit left');
}

async function move(token: string, personalId: string, body: Record<string, unknown>) {
  const r = await world.gateway.app.inject({
    method: 'POST', url: `/api/v1/persons/${personalId}/transfer`, headers: bearer(token),
    payload: { effectiveDate: '2026-12-01', decisionNo: '88/QĐ-SGDĐT', reason: 'Điều động', ...body },
  });
  return { status: r.statusCode, body: r.json() };
}

async function step(token: string, changeId: string, action: 'verify') {
  const r = await world.gateway.app.inject({ method: 'POST', url: `/api/v1/changes/${changeId}/${action}`, headers: bearer(token), payload: {} });
  return r.json();
}

describe('moving a record inside the province', () => {
  it('the superior agency moves it: a SUBMITTED update of the receiving agency, with the new codes; the record stays until approved', async () => {
    const { person, sibling, parent } = await personWithSibling();
    const head = await world.gateway.token('AGENCY_HEAD', parent);
    const r = await move(head, person.personalId, { toAgencyCode: sibling });
    expect(r).toMatchObject({ status: 201, body: { kind: 'CAP_NHAT', state: 'SUBMITTED', agencyCode: sibling, baseVersion: 1, effectiveDate: '2026-12-01' } });
    const change = await db().profileChange.findUniqueOrThrow({ where: { id: r.body.id } });
    expect(change).toMatchObject({ source: 'TRANSFER', employingAgencyCode: sibling, managingAgencyCode: sibling, status: 'DANG_CONG_TAC', profile: person.profile });
    expect(change.reason).toContain('88/QĐ-SGDĐT');
    expect(await db().person.findUniqueOrThrow({ where: { personalId: person.personalId } })).toMatchObject({ employingAgencyCode: person.employingAgencyCode, version: 1 });

    // The receiver reviews it; the unit it leaves no longer sees the change.
    expect(await step(await world.gateway.token('UNIT_OFFICER', sibling), change.id, 'verify')).toMatchObject({ state: 'VERIFIED' });
    const leaving = await world.gateway.app.inject({ method: 'GET', url: `/api/v1/changes/${change.id}`, headers: bearer(await world.gateway.token('UNIT_OFFICER', person.employingAgencyCode)) });
    expect(leaving.json()).toMatchObject({ code: 'CHANGE_NOT_FOUND' });
    // A second move while this one is open is refused.
    expect(await move(head, person.personalId, { toAgencyCode: parent })).toMatchObject({ status: 409, body: { code: 'CHANGE_PENDING' } });
  });

  it('keeps a managing superior, or takes the one given; the operator moves anywhere', async () => {
    const { person, sibling, parent } = await personWithSibling();
    await db().person.update({ where: { personalId: person.personalId }, data: { managingAgencyCode: parent } });
    const operator = await world.gateway.token('PROVINCE_OPERATOR', 'H55.19');
    const kept = await move(operator, person.personalId, { toAgencyCode: sibling });
    expect(kept.status).toBe(201);
    expect(await db().profileChange.findUniqueOrThrow({ where: { id: kept.body.id } })).toMatchObject({ employingAgencyCode: sibling, managingAgencyCode: parent });

    const other = await personWithSibling();
    const given = await move(operator, other.person.personalId, { toAgencyCode: other.sibling, managingAgencyCode: other.parent });
    expect(given.status).toBe(201);
    expect(await db().profileChange.findUniqueOrThrow({ where: { id: given.body.id } })).toMatchObject({ employingAgencyCode: other.sibling, managingAgencyCode: other.parent });
  });

  it('refuses unknown, closed, foreign and same agencies, callers out of scope, and persons not in service', async () => {
    const { person, sibling, parent } = await personWithSibling();
    const head = await world.gateway.token('AGENCY_HEAD', parent);
    const id = person.personalId;
    expect(await move(head, id, { toAgencyCode: `${parent}.77` })).toMatchObject({ status: 404, body: { code: 'AGENCY_NOT_FOUND' } });
    expect(await move(head, id, { toAgencyCode: person.employingAgencyCode })).toMatchObject({ status: 422, body: { code: 'INVALID_VALUE', details: { reason: 'SAME_AGENCY' } } });
    expect(await move(head, id, { toAgencyCode: 'H60.05.01' })).toMatchObject({ status: 422, body: { code: 'AGENCY_NOT_IN_PROVINCE' } });
    expect(await move(head, id, { toAgencyCode: 'h55.05' })).toMatchObject({ status: 422, body: { code: 'INVALID_AGENCY_CODE' } });
    expect(await move(head, id, { toAgencyCode: sibling, managingAgencyCode: 'H55' })).toMatchObject({ status: 403, body: { code: 'OUT_OF_SCOPE' } });
    // The unit the person leaves cannot move them out of its own scope; the receiving unit does not see them.
    expect(await move(await world.gateway.token('UNIT_OFFICER', person.employingAgencyCode), id, { toAgencyCode: sibling })).toMatchObject({ status: 403, body: { code: 'OUT_OF_SCOPE' } });
    expect(await move(await world.gateway.token('UNIT_OFFICER', sibling), id, { toAgencyCode: sibling })).toMatchObject({ status: 404, body: { code: 'PERSON_NOT_FOUND' } });
    expect(await move(await world.gateway.token('STAFF', person.employingAgencyCode, { personalId: id }), id, { toAgencyCode: sibling })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await move(head, '00108512345', { toAgencyCode: sibling })).toMatchObject({ status: 422, body: { code: 'INVALID_PERSONAL_ID' } });
    expect(await move(head, id, { toAgencyCode: sibling, decisionNo: '' })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

    await db().agency.update({ where: { code: sibling }, data: { activeTo: new Date(Date.now() - 86_400_000) } });
    try {
      expect(await move(head, id, { toAgencyCode: sibling })).toMatchObject({ status: 422, body: { code: 'AGENCY_CLOSED' } });
    } finally {
      await db().agency.update({ where: { code: sibling }, data: { activeTo: null } });
    }
    await db().person.update({ where: { personalId: id }, data: { status: 'NGHI_HUU' } });
    expect(await move(head, id, { toAgencyCode: sibling })).toMatchObject({ status: 422, body: { code: 'INVALID_VALUE', details: { reason: 'NOT_IN_SERVICE' } } });
    expect(await db().profileChange.count({ where: { personalId: id } })).toBe(0);
  });
});

describe('a move and a status change go through review, signed approvals and sync like any change', () => {
  it('verify → agency head → Sở Nội vụ → batch → national side', async () => {
    const pki = await getTestPki();
    const moved = await personWithSibling();
    const retiring = await personWithSibling();
    const head = await world.gateway.token('AGENCY_HEAD', moved.parent);
    const transfer = await move(head, moved.person.personalId, { toAgencyCode: moved.sibling });
    expect(transfer.status).toBe(201);
    const status = await world.gateway.app.inject({
      method: 'POST', url: `/api/v1/persons/${retiring.person.personalId}/status`, headers: bearer(await world.gateway.token('UNIT_OFFICER', retiring.person.employingAgencyCode)),
      payload: { status: 'NGHI_HUU', effectiveDate: '2026-12-01', reason: 'Nghỉ hưu theo chế độ', decisionNo: '12/QĐ-UBND' },
    });
    expect(status.json()).toMatchObject({ kind: 'CHUYEN_TRANG_THAI', state: 'SUBMITTED' });
    const changes = [
      { id: transfer.body.id as string, agencyCode: moved.sibling },
      { id: status.json().id as string, agencyCode: retiring.person.employingAgencyCode },
    ];
    // Verified by an officer who did not create the change (separation of duties).
    for (const c of changes) expect(await step(await world.gateway.token('UNIT_OFFICER', c.agencyCode, { subject: `verifier@${c.agencyCode}` }), c.id, 'verify')).toMatchObject({ state: 'VERIFIED' });

    const at = approvalMoment();
    const period = periodOf(at);
    const deps: ApprovalDeps = {
      db: world.gateway.database.db, provinceCode: 'H55', senderCode: 'H55.19', clock: fixedClock(at),
      setup: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls, orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
      approverCertificatesRequired: false,
    };
    const certificatePem = readFileSync(pki.identity('head-ec').certificatePath, 'utf8');
    for (const { agencyCode } of changes) {
      const agencyHead: Principal = { subject: `head@${agencyCode}`, role: 'AGENCY_HEAD', agencyCode };
      const session = await startSigningSession(deps, agencyHead, { level: 'CO_QUAN', agencyCode, period }, certificatePem);
      await completeSigningSession(deps, agencyHead, session.sessionId, { signatureValue: await signPreparedDigest(pki.key('head-ec'), session.signedAttributes) });
    }
    await approveWithOrganisationKey(deps, { subject: 'snv', role: 'PROVINCE_OPERATOR', agencyCode: 'H55' }, { level: 'SO_NOI_VU', agencyCode: 'H55.19', period });
    const built = await buildBatches(period, { db: world.gateway.database.db, logger: createLogger('silent'), signer: pki.identity('org-signer'), senderCode: 'H55.19',
      maxRecords: 100, maxBytes: 1 << 24, deadlineMs: 60_000, actor: systemPrincipal('H55') });
    const client = clientOf(world.sim);
    try {
      for (const b of built.batches) {
        const pushed = await pushBatchOnce({ db: world.gateway.database.db, client, logger: createLogger('silent'), owner: 'test', leaseMs: 10_000 }, b.batchId);
        expect(pushed).toMatchObject({ kind: 'settled', state: 'ACCEPTED' });
      }
    } finally {
      await client.close();
    }
    for (const c of changes) expect(await db().profileChange.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ state: 'SYNCED', targetVersion: 2 });
    expect(await db().person.findUniqueOrThrow({ where: { personalId: moved.person.personalId } }))
      .toMatchObject({ employingAgencyCode: moved.sibling, managingAgencyCode: moved.sibling, version: 2, syncedVersion: 2 });
    expect(await db().person.findUniqueOrThrow({ where: { personalId: retiring.person.personalId } })).toMatchObject({ status: 'NGHI_HUU', version: 2, syncedVersion: 2 });

    // The national side now holds the moved record under its new agencies.
    const { rows } = await world.gateway.database.db.pool.query<{ version: number; holder_code: string; document: Buffer }>(
      'SELECT version, holder_code, document FROM national_sim.records WHERE personal_id = $1', [moved.person.personalId]);
    expect(rows[0]).toMatchObject({ version: 2, holder_code: moved.sibling });
    // Stored as the national side accepted it: the HoSo element with its thaoTac and phienBan (§6).
    expect(readNationalRecordDocument(rows[0]!.document, { maxBytes: 1 << 20, requireProvinceApproval: false })).toMatchObject({ phienBan: 2, hoSo: { MaDonViSuDung: moved.sibling } });
  });
});

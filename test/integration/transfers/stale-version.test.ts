// The way out of a STALE_VERSION rejection, end to end against the simulator over HTTP: a change is
// rejected because the national side holds a newer version; the operator pulls that version (verified),
// sees what differs, rebases the change on it; the new change goes through the normal workflow, gets
// the next phienBan, is sent and accepted. Every step is audited; refusals change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedChanges, approveVerified, approvalMoment } from '../../support/approved-changes.ts';
import { createTestApp, bearer, type TestApp } from '../../support/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { testGate } from '../../support/sender-gate.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createNationalClient, type NationalClient } from '../../../src/exchange/national-client.ts';
import { buildNationalRecordDocument } from '../../../src/exchange/xml/record-document.ts';
import { createLogger } from '../../../src/logger.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { recordContentOf } from '../../../src/sync/batch-builder.ts';
import { syncPeriod } from '../../../src/sync/sync-period.ts';
import { transitionChange } from '../../../src/store/changes.ts';
import { applyTransition } from '../../../src/domain/change-lifecycle.ts';
import { localDate, periodOf } from '../../../src/domain/working-days.ts';
import { checkPulledRecord } from '../../../src/transfer/pulled-record.ts';
import { loadNationalTrust } from '../../../src/transfer/national-trust.ts';
import type { HoSo } from '../../../src/domain/profile.ts';
import type { ChangeState } from '../../../src/generated/prisma/client.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { CLIENT, sampleHoSo, startTestSimulator } from '../simulator/harness.ts';
import { SEED_TODAY } from '../../support/database.ts';

let gateway: TestApp;
let sim: RunningSimulator;
let client: NationalClient;

beforeAll(async () => {
  const pki = await getTestPki();
  const anchors = [pki.path('national-trust-anchors.pem')];
  // The simulator needs the database's URL before the app is built on it: start the app without a client first.
  gateway = await createTestApp({ nationalTrustAnchorFiles: anchors });
  await seedProvince(gateway.database.db, 'H55', { today: SEED_TODAY, count: 20, seed: 11 });
  sim = await startTestSimulator(gateway.database.url);
  client = createNationalClient({ baseUrl: sim.url, tokenUrl: `${sim.url}/token`, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, senderCode: 'H55.19', gate: testGate() });
  gateway.app.deps.national = client;
  gateway.app.deps.nationalTrust = loadNationalTrust({ nationalTrustAnchorFiles: anchors });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await sim?.close();
  await gateway?.close();
});

const db = () => gateway.database.db;
const operator = () => gateway.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv-operator' });
const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  gateway.app.inject({ method, url: `/api/v1${url}`, headers: bearer(await operator()), ...(payload !== undefined ? { payload: payload as object } : {}) });

async function sync(period: string) {
  const pki = await getTestPki();
  return syncPeriod(period, {
    db: db(), client, logger: createLogger('silent'), leaseMs: 2_000, maxInFlight: 4, retryBaseMs: 20, retryMaxMs: 200,
    builder: { signer: pki.identity('org-signer'), senderCode: 'H55.19', maxRecords: 50, maxBytes: 1 << 24, deadlineMs: 60_000, actor: systemPrincipal('H55') },
  });
}

/** The national side already holds `version` of the change's person, with another home address. */
async function nationalHolds(changeId: string, version: number, document?: (hoSo: HoSo) => Buffer): Promise<HoSo> {
  const c = await db().prisma.profileChange.findUniqueOrThrow({ where: { id: changeId } });
  const content = recordContentOf(c);
  const hoSo = { ...content, SoYeuLyLich: { ...content.SoYeuLyLich, NoiOHienNay: 'Số 1 phố Quốc Gia, Hà Nội' }, PheDuyet: sampleHoSo(1).PheDuyet } as HoSo;
  await sim.sim.preloadRecord({ version, ...(document ? { document: document(hoSo) } : { hoSo, thaoTac: 'CAP_NHAT' }) });
  return hoSo;
}

async function staleRejected(): Promise<{ changeId: string; period: string }> {
  const { period, changeIds } = await approvedChanges(db(), 1);
  const changeId = changeIds[0]!;
  await nationalHolds(changeId, 5);
  const summary = await sync(period);
  expect(summary.rejections).toEqual({ STALE_VERSION: 1 });
  expect(await db().prisma.profileChange.findUniqueOrThrow({ where: { id: changeId } })).toMatchObject({ state: 'REJECTED_BY_NATIONAL', rejectionCode: 'STALE_VERSION' });
  return { changeId, period };
}

describe('STALE_VERSION: pull, compare, rebase, send again', () => {
  it('rejected, pulled, rebased, sent, accepted, with the next phienBan, audited', async () => {
    const { changeId, period } = await staleRejected();

    // The batch page says what to do about the rejection.
    const { batchId } = await db().prisma.profileChange.findUniqueOrThrow({ where: { id: changeId } });
    const page = (await inject('GET', `/batches/${batchId}`)).json();
    expect(page.records).toEqual([expect.objectContaining({ changeId, outcome: 'REJECTED', code: 'STALE_VERSION',
      guidance: { action: 'REBASE_ON_NATIONAL', advice: expect.stringContaining('phiên bản quốc gia') } })]);

    const compared = await inject('GET', `/changes/${changeId}/national`);
    expect(compared.statusCode).toBe(200);
    const comparison = compared.json();
    expect(comparison).toMatchObject({ changeId, national: { version: 5, thaoTac: 'CAP_NHAT' }, nextVersion: 6 });
    // Only what the national side changed: the record was otherwise the province's own.
    expect(comparison.differences).toEqual([expect.objectContaining({ path: 'SoYeuLyLich/NoiOHienNay', national: 'Số 1 phố Quốc Gia, Hà Nội' })]);

    const rebased = await inject('POST', `/changes/${changeId}/rebase`, { nationalVersion: 5 });
    expect(rebased.statusCode).toBe(201);
    const newId = rebased.json().change.id as string;
    const fresh = await db().prisma.profileChange.findUniqueOrThrow({ where: { id: newId } });
    const old = await db().prisma.profileChange.findUniqueOrThrow({ where: { id: changeId } });
    expect(fresh).toMatchObject({ state: 'SUBMITTED', kind: 'CAP_NHAT', source: 'REBASE', baseVersion: 5, contentSha256: old.contentSha256, personalId: old.personalId });
    expect(old.state).toBe('REJECTED_BY_NATIONAL'); // the signed, rejected change is never edited
    const audit = await db().prisma.auditLog.findMany({ where: { action: { in: ['CHANGE_NATIONAL_COMPARE', 'CHANGE_REBASE'] } }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['CHANGE_NATIONAL_COMPARE', 'CHANGE_REBASE']);
    expect(audit[1]).toMatchObject({ actor: 'snv-operator', entityId: newId });
    expect(JSON.parse(String(audit[1]!.details))).toMatchObject({ rebasedFrom: changeId, nationalVersion: 5, previousTargetVersion: 2, differences: 1 });

    // The normal workflow: the unit verifies, the agency head and Sở Nội vụ sign.
    const officer = { subject: 'officer', role: 'UNIT_OFFICER' as const, agencyCode: 'H55' };
    await transitionChange(db(), officer, newId, (c) => ({ state: applyTransition(c.state, 'VERIFY', 'UNIT_OFFICER') as ChangeState, action: 'CHANGE_VERIFY' }));
    await approveVerified(db(), [fresh.agencyCode]);
    expect(await db().prisma.profileChange.findUniqueOrThrow({ where: { id: newId } })).toMatchObject({ state: 'PROVINCE_APPROVED', targetVersion: 6 });

    const summary = await sync(periodOf(approvalMoment()));
    expect(summary.records).toEqual({ accepted: 1, rejected: 0 });
    expect(period).toBe(periodOf(approvalMoment()));
    expect(await db().prisma.profileChange.findUniqueOrThrow({ where: { id: newId } })).toMatchObject({ state: 'SYNCED' });
    expect(await db().prisma.person.findUniqueOrThrow({ where: { personalId: old.personalId } })).toMatchObject({ version: 6, syncedVersion: 6 });
    // The national side now serves the province's content at version 6.
    // Round trip: the record pushed in the batch, pulled back, checks out as any pull and is the province's content.
    const pulled = await client.getRecord(old.personalId);
    if (pulled.kind !== 'success') throw new Error(`pull: ${pulled.kind}`);
    expect(pulled.value.version).toBe(6);
    const now = new Date();
    const check = await checkPulledRecord(pulled.value, old.personalId, { trust: gateway.app.deps.nationalTrust!, today: localDate(now), maxBytes: 1 << 20, now });
    if (!check.ok) throw new Error(`check: ${check.code}`);
    const { PheDuyet, ...content } = check.hoSo;
    expect({ thaoTac: check.thaoTac, phienBan: check.phienBan }).toEqual({ thaoTac: 'CAP_NHAT', phienBan: 6 });
    expect(content).toEqual(recordContentOf(fresh));
    expect(PheDuyet.map((p) => p.Cap)).toEqual(['CO_QUAN', 'SO_NOI_VU']);

    // Nothing more to rebase: the change is superseded by its rebased successor.
    const again = await inject('POST', `/changes/${changeId}/rebase`, { nationalVersion: 6 });
    expect(again.json()).toMatchObject({ code: 'CHANGE_SUPERSEDED' });
  }, 120_000);

  it('refuses, storing nothing: a change not rejected STALE_VERSION, a national version that moved, a pulled document whose phienBan is not its version', async () => {
    const { changeId } = await staleRejected();
    const count = () => db().prisma.profileChange.count();

    const moved = await inject('POST', `/changes/${changeId}/rebase`, { nationalVersion: 4 });
    expect(moved.statusCode).toBe(409);
    expect(moved.json()).toMatchObject({ code: 'NATIONAL_VERSION_CHANGED', details: { expected: 4, found: 5 } });

    const { changeIds: [approved] } = await approvedChanges(db(), 1);
    const notStale = await inject('GET', `/changes/${approved}/national`);
    expect(notStale.json()).toMatchObject({ code: 'CHANGE_NOT_STALE' });
    const before = await count();

    // The national side serves a document whose phienBan (3) is not the answer's version (7).
    await nationalHolds(changeId, 7, (hoSo) => buildNationalRecordDocument({ hoSo, thaoTac: 'CAP_NHAT', phienBan: 3 }));
    const wrong = await inject('POST', `/changes/${changeId}/rebase`, { nationalVersion: 7 });
    expect(wrong.json()).toMatchObject({ code: 'BAD_PAYLOAD', details: { pulled: true, details: { reason: 'WRONG_VERSION' } } });
    expect(await count()).toBe(before);

    const elsewhere = await gateway.token('PROVINCE_OPERATOR', 'H60');
    const hidden = await gateway.app.inject({ method: 'GET', url: `/api/v1/changes/${changeId}/national`, headers: bearer(elsewhere) });
    expect(hidden.json()).toMatchObject({ code: 'CHANGE_NOT_FOUND' });

    const staff = await gateway.token('UNIT_OFFICER', 'H55');
    const forbidden = await gateway.app.inject({ method: 'POST', url: `/api/v1/changes/${changeId}/rebase`, headers: bearer(staff), payload: { nationalVersion: 5 } });
    expect(forbidden.statusCode).toBe(403);
    expect(await count()).toBe(before);
  }, 120_000);
});

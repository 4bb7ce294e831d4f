// Pulls requested by an agency (POST /api/v1/transfers/pull, NATIONAL_API.md §5), the requests' views,
// operators' re-runs, and what the pull job does with every kind of national answer. The jobs are called
// directly, in a loop, against the simulator over HTTP (no queue: inbound.test.ts covers the worker).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { buildNationalRecordDocument, buildRecordDocument, type HoSo } from '../../../src/exchange/xml/record-document.ts';

const served = (hoSo: HoSo, phienBan = 2): Buffer => buildNationalRecordDocument({ hoSo, thaoTac: 'CAP_NHAT', phienBan });
import type { NationalClient } from '../../../src/exchange/national-client.ts';
import { pullTransferOnce, type TransferJobDeps, type TransferStep } from '../../../src/transfer/pull-transfer.ts';
import { ackTransferOnce } from '../../../src/transfer/ack-transfer.ts';
import { sampleHoSo, startTestSimulator } from '../simulator/harness.ts';
import { clientOf, jobDeps, ministryRecord, simAck, startWorld, type TransferWorld } from './setup.ts';

let world: TransferWorld;
let client: NationalClient;
let deps: TransferJobDeps;

beforeAll(async () => {
  world = await startWorld();
  client = clientOf(world.sim);
  deps = jobDeps(world, client);
});
afterAll(async () => {
  await client?.close();
  await world?.close();
});

const db = () => world.gateway.database.db.prisma;
const inject = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
  world.gateway.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

/** Runs a job until it stops asking for a retry. */
async function drain(job: (d: TransferJobDeps, key: string, c: { deadline: number }) => Promise<TransferStep>, requestId: string, d = deps): Promise<{ step: TransferStep; retries: number }> {
  for (let retries = 0; retries < 20; retries++) {
    const step = await job(d, requestId, { deadline: Date.now() + 60_000 });
    if (step.kind !== 'retry') return { step, retries };
  }
  throw new Error('still retrying');
}

async function pull(token: string, body: Record<string, unknown>) {
  const r = await inject('POST', '/transfers/pull', token, { toAgencyCode: 'H55.06.01', decisionNo: '45/QĐ-SYT', reason: 'Tiếp nhận viên chức', ...body });
  return { status: r.statusCode, body: r.json() };
}

/** Stores a document at the simulator as it is (the simulator signs it, as the national signer, when it is pulled). */
async function putRawRecord(personalId: string, document: Buffer, version = 2, schema = 'national_sim'): Promise<void> {
  await world.gateway.database.db.pool.query(
    `INSERT INTO ${schema}.records (personal_id, version, holder_code, document, signature, updated_at) VALUES ($1, $2, 'G09.20', $3, NULL, now())
     ON CONFLICT (personal_id) DO UPDATE SET document = EXCLUDED.document, version = EXCLUDED.version, signature = NULL`, [personalId, version, document]);
}

describe('POST /transfers/pull', () => {
  it('queues a request, imports the pulled record into the receiving agency, and shows it to the requester; no acknowledgement', async () => {
    const hoSo = ministryRecord(8001);
    await world.sim.sim.preloadRecord({ hoSo, version: 2 });
    const officer = await world.gateway.token('UNIT_OFFICER', 'H55.06.01', { subject: 'officer-8001' });
    const queued = await pull(officer, { personalId: hoSo.SoDinhDanh, effectiveDate: '2026-12-01' });
    expect(queued).toMatchObject({ status: 202, body: { source: 'PULL', state: 'QUEUED', toAgencyCode: 'H55.06.01', requestedBy: 'officer-8001', reason: 'Tiếp nhận viên chức' } });
    const { requestId } = queued.body as { requestId: string };
    expect(requestId).toMatch(/^PULL-/);
    expect(await db().outbox.count({ where: { topic: 'TRANSFER_PULL', key: requestId, doneAt: null } })).toBe(1);

    expect((await drain(pullTransferOnce, requestId)).step).toEqual({ kind: 'settled', state: 'IMPORTED' });
    const view = (await inject('GET', `/transfers/${requestId}`, officer)).json();
    expect(view).toMatchObject({ state: 'IMPORTED', ackState: null, nationalVersion: 2, holderCode: 'G09.20', effectiveDate: '2026-12-01' });
    const change = await db().profileChange.findUniqueOrThrow({ where: { id: view.changeId } });
    expect(change).toMatchObject({ kind: 'THEM_MOI', state: 'SUBMITTED', source: 'PULL_TRANSFER', agencyCode: 'H55.06.01', baseVersion: 2 });
    expect(change.reason).toContain('45/QĐ-SYT');
    expect(await db().outbox.count({ where: { key: requestId, doneAt: null } })).toBe(0);
    expect(await db().outbox.count({ where: { topic: 'TRANSFER_ACK', key: requestId } })).toBe(0);
    expect(await db().auditLog.count({ where: { entityType: 'transfer', entityId: requestId } })).toBe(2);

    // The requester sees the pulled profile only once the receiving agency verified it, and may not verify it.
    expect(change.createdBy).toBe('officer-8001');
    for (const url of [`/changes/${change.id}`, `/persons/${hoSo.SoDinhDanh}`]) {
      expect((await inject('GET', url, officer)).json(), url).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'PULL_NOT_YET_VERIFIED' } });
    }
    expect((await inject('POST', `/changes/${change.id}/verify`, officer, {})).json()).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { rule: 'CREATOR_MAY_NOT_VERIFY' } });
    const colleague = await world.gateway.token('UNIT_OFFICER', 'H55.06.01', { subject: 'officer-colleague-8001' });
    expect((await inject('GET', `/changes/${change.id}`, colleague)).statusCode).toBe(200);
    expect((await inject('POST', `/changes/${change.id}/verify`, colleague, {})).json()).toMatchObject({ state: 'VERIFIED' });
    expect((await inject('GET', `/changes/${change.id}`, officer)).json().profile.HoTen).toBe(hoSo.SoYeuLyLich.HoTen);
    expect((await inject('GET', `/persons/${hoSo.SoDinhDanh}`, officer)).statusCode).toBe(200);
  });

  it('rejects with RECORD_NOT_FOUND when the national side has no such record, visible to the requester', async () => {
    const personalId = ministryRecord(8002).SoDinhDanh;
    const head = await world.gateway.token('AGENCY_HEAD', 'H55.06');
    const { body } = await pull(head, { personalId });
    expect((await drain(pullTransferOnce, body.requestId)).step).toEqual({ kind: 'settled', state: 'REJECTED' });
    const view = (await inject('GET', `/transfers/${body.requestId}`, head)).json();
    expect(view).toMatchObject({ state: 'REJECTED', outcomeCode: 'RECORD_NOT_FOUND', outcomeMessage: 'Hệ thống quốc gia không có hồ sơ này.', changeId: null });
    expect(await db().person.count({ where: { personalId } })).toBe(0);
    const listed = (await inject('GET', '/transfers?state=REJECTED', head)).json();
    expect(listed.transfers.map((t: { requestId: string }) => t.requestId)).toContain(body.requestId);
  });

  it('retries transient errors of the national side, counting them', async () => {
    const hoSo = ministryRecord(8003);
    await world.sim.sim.preloadRecord({ hoSo, version: 1 });
    const { body } = await pull(await world.gateway.token('UNIT_OFFICER', 'H55.06'), { personalId: hoSo.SoDinhDanh });
    world.sim.sim.setFaults({ rules: [{ action: 'status', status: 503, times: 2, routes: ['getRecord'] }, { action: 'reset-after', times: 1, routes: ['getRecord'] }] });
    try {
      const { step, retries } = await drain(pullTransferOnce, body.requestId);
      expect(step).toEqual({ kind: 'settled', state: 'IMPORTED' });
      expect(retries).toBe(3);
      expect(await db().transferRequest.findUniqueOrThrow({ where: { requestId: body.requestId } })).toMatchObject({ attempts: 3, lastErrorCode: 'NATIONAL_UNAVAILABLE' });
    } finally {
      world.sim.sim.setFaults({ rules: [] });
    }
  });

  it('fails a request the national side refuses for good; an operator re-runs it', async () => {
    const hoSo = ministryRecord(8004);
    await world.sim.sim.preloadRecord({ hoSo, version: 1 });
    const officer = await world.gateway.token('UNIT_OFFICER', 'H55.06.01');
    const { body } = await pull(officer, { personalId: hoSo.SoDinhDanh });
    world.sim.sim.setFaults({ rules: [{ action: 'status', status: 403, code: 'SENDER_NOT_ALLOWED', times: 1, routes: ['getRecord'] }] });
    expect((await drain(pullTransferOnce, body.requestId)).step).toEqual({ kind: 'settled', state: 'FAILED' });
    expect((await inject('GET', `/transfers/${body.requestId}`, officer)).json()).toMatchObject({ state: 'FAILED', outcomeCode: 'SENDER_NOT_ALLOWED' });
    expect(await db().outbox.count({ where: { key: body.requestId, doneAt: null } })).toBe(0);

    expect((await inject('POST', `/transfers/${body.requestId}/rerun`, officer)).json()).toMatchObject({ code: 'FORBIDDEN' });
    const operator = await world.gateway.token('PROVINCE_OPERATOR', 'H55.19');
    expect((await inject('POST', `/transfers/${body.requestId}/rerun`, operator)).json()).toMatchObject({ state: 'QUEUED', outcomeCode: null });
    expect(await db().outbox.count({ where: { topic: 'TRANSFER_PULL', key: body.requestId, doneAt: null } })).toBe(1);
    expect((await drain(pullTransferOnce, body.requestId)).step).toEqual({ kind: 'settled', state: 'IMPORTED' });
    expect((await inject('POST', `/transfers/${body.requestId}/rerun`, operator)).json()).toMatchObject({ code: 'TRANSFER_NOT_FAILED' });
  });

  it('fails a request past its deadline without calling the national side', async () => {
    const hoSo = ministryRecord(8005);
    const { body } = await pull(await world.gateway.token('PROVINCE_OPERATOR', 'H55.19'), { personalId: hoSo.SoDinhDanh });
    expect(await pullTransferOnce(deps, body.requestId, { deadline: Date.now() - 1 })).toEqual({ kind: 'settled', state: 'FAILED' });
    expect(await db().transferRequest.findUniqueOrThrow({ where: { requestId: body.requestId } })).toMatchObject({ outcomeCode: 'NATIONAL_UNAVAILABLE' });
    // A job run again after settling changes nothing.
    expect(await pullTransferOnce(deps, body.requestId, { deadline: Date.now() + 1000 })).toEqual({ kind: 'settled', state: 'FAILED' });
    expect(await pullTransferOnce(deps, 'PULL-unknown', { deadline: Date.now() + 1000 })).toEqual({ kind: 'absent' });
  });

  it('refuses what the requester may not ask for, and duplicates', async () => {
    const officer = await world.gateway.token('UNIT_OFFICER', 'H55.06.01');
    const personalId = ministryRecord(8006).SoDinhDanh;
    expect(await pull(await world.gateway.token('STAFF', 'H55.06.01', { personalId }), { personalId })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await pull(await world.gateway.token('ADMIN', 'H55'), { personalId })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await pull(await world.gateway.token('UNIT_OFFICER', 'H55.05'), { personalId })).toMatchObject({ status: 403, body: { code: 'OUT_OF_SCOPE' } });
    expect(await pull(officer, { personalId, toAgencyCode: 'H60.06.01' })).toMatchObject({ status: 422, body: { code: 'AGENCY_NOT_IN_PROVINCE' } });
    expect(await pull(await world.gateway.token('UNIT_OFFICER', 'H55.06'), { personalId, toAgencyCode: 'H55.06.77' })).toMatchObject({ status: 404, body: { code: 'AGENCY_NOT_FOUND' } });
    expect(await pull(officer, { personalId: '00108512345' })).toMatchObject({ status: 422, body: { code: 'INVALID_PERSONAL_ID' } });
    expect(await pull(officer, { personalId, reason: '' })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const first = await pull(officer, { personalId });
    expect(first.status).toBe(202);
    expect(await pull(officer, { personalId })).toMatchObject({ status: 409, body: { code: 'TRANSFER_IN_PROGRESS', details: { requestId: first.body.requestId } } });
    const seeded = await db().person.findFirstOrThrow({ where: { changes: { none: {} } }, orderBy: { personalId: 'desc' } });
    await db().person.update({ where: { personalId: seeded.personalId }, data: { status: 'CHUYEN_RA_NGOAI_TINH' } });
    await db().profileChange.create({ data: {
      personalId: seeded.personalId, kind: 'CAP_NHAT', state: 'DRAFT', agencyCode: seeded.employingAgencyCode, category: seeded.category, status: seeded.status,
      managingAgencyCode: seeded.managingAgencyCode, employingAgencyCode: seeded.employingAgencyCode, profile: seeded.profile as object,
      contentSha256: '0'.repeat(64), baseVersion: seeded.version, createdBy: 'test',
    } });
    expect(await pull(officer, { personalId: seeded.personalId })).toMatchObject({ status: 409, body: { code: 'CHANGE_PENDING' } });
    expect((await inject('GET', '/transfers/PULL-nope', officer)).json()).toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
    expect((await inject('GET', '/transfers/bad%20id', officer)).json()).toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
  });

  it('rejects an import that meets a change of the person opened in the meantime', async () => {
    const seeded = await db().person.findFirstOrThrow({ where: { changes: { none: {} }, NOT: { employingAgencyCode: { startsWith: 'H55.06' } } }, orderBy: { personalId: 'asc' } });
    // A person who left the province and comes back (someone still employed here is not pulled: see below).
    await db().person.update({ where: { personalId: seeded.personalId }, data: { status: 'CHUYEN_RA_NGOAI_TINH' } });
    await world.sim.sim.preloadRecord({ hoSo: ministryRecord(0, { SoDinhDanh: seeded.personalId, SoYeuLyLich: seeded.profile as never }), version: 4 });
    const { body } = await pull(await world.gateway.token('PROVINCE_OPERATOR', 'H55.19'), { personalId: seeded.personalId });
    const staff = await world.gateway.token('STAFF', seeded.employingAgencyCode, { personalId: seeded.personalId });
    const edit = await inject('POST', `/persons/${seeded.personalId}/changes`, staff, { profile: { ...(seeded.profile as object), SoDienThoai: '0987654321' } });
    expect(edit.statusCode).toBe(201);
    expect((await drain(pullTransferOnce, body.requestId)).step).toEqual({ kind: 'settled', state: 'REJECTED' });
    expect(await db().transferRequest.findUniqueOrThrow({ where: { requestId: body.requestId } })).toMatchObject({ outcomeCode: 'CHANGE_PENDING', changeId: null });
    expect(await db().profileChange.count({ where: { personalId: seeded.personalId } })).toBe(1);
  });
});

describe('pull scope: someone employed in the province moves by an in-province transfer, not a pull', () => {
  const employedOutside = (prefix: string) => db().person.findFirstOrThrow({
    where: { changes: { none: {} }, status: 'DANG_CONG_TAC', NOT: { employingAgencyCode: { startsWith: prefix } } }, orderBy: { personalId: 'asc' },
  });

  it('an officer of one agency cannot pull a person employed by another agency into their unit (the probe)', async () => {
    const victim = await employedOutside('H55.05');
    for (const token of [
      await world.gateway.token('UNIT_OFFICER', 'H55.05', { subject: 'officer-h55.05' }),
      await world.gateway.token('AGENCY_HEAD', 'H55.05'),
      await world.gateway.token('PROVINCE_OPERATOR', 'H55.19'),
    ]) {
      const r = await inject('POST', '/transfers/pull', token, { personalId: victim.personalId, toAgencyCode: 'H55.05', reason: 'Tiếp nhận' });
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'IN_PROVINCE_TRANSFER_REQUIRED', details: { personalId: victim.personalId } });
    }
    expect(await db().transferRequest.count({ where: { personalId: victim.personalId } })).toBe(0);
    expect(await db().person.findUniqueOrThrow({ where: { personalId: victim.personalId } })).toMatchObject({ employingAgencyCode: victim.employingAgencyCode, version: victim.version });
  });

  it('an import meeting a person taken on in the province since the request is rejected and imports nothing', async () => {
    const seeded = await employedOutside('H55.06');
    await db().person.update({ where: { personalId: seeded.personalId }, data: { status: 'NGHI_HUU' } });
    await world.sim.sim.preloadRecord({ hoSo: ministryRecord(0, { SoDinhDanh: seeded.personalId, SoYeuLyLich: seeded.profile as never }), version: 5 });
    const { body, status } = await pull(await world.gateway.token('UNIT_OFFICER', 'H55.06.01'), { personalId: seeded.personalId });
    expect(status).toBe(202);
    await db().person.update({ where: { personalId: seeded.personalId }, data: { status: 'DANG_CONG_TAC' } });
    expect((await drain(pullTransferOnce, body.requestId)).step).toEqual({ kind: 'settled', state: 'REJECTED' });
    expect(await db().transferRequest.findUniqueOrThrow({ where: { requestId: body.requestId } })).toMatchObject({ outcomeCode: 'IN_PROVINCE_TRANSFER_REQUIRED', changeId: null });
    expect(await db().profileChange.count({ where: { personalId: seeded.personalId } })).toBe(0);
  });
});

describe('a pulled record that does not check out is rejected and nothing is imported', () => {
  async function pullAndRun(personalId: string, d = deps) {
    const { body } = await pull(await world.gateway.token('PROVINCE_OPERATOR', 'H55'), { personalId });
    expect((await drain(pullTransferOnce, body.requestId, d)).step).toEqual({ kind: 'settled', state: 'REJECTED' });
    expect(await db().person.count({ where: { personalId } })).toBe(0);
    expect(await db().profileChange.count({ where: { personalId } })).toBe(0);
    return db().transferRequest.findUniqueOrThrow({ where: { requestId: body.requestId } });
  }

  it('a national signer outside NATIONAL_TRUST_ANCHORS: BAD_SIGNATURE (CERT_UNTRUSTED)', async () => {
    const pki = await getTestPki();
    const rogue = await startTestSimulator(world.gateway.database.url, { schema: 'national_sim_rogue', nationalSigner: pki.identity('org-signer') });
    const rogueClient = clientOf(rogue);
    try {
      const hoSo = ministryRecord(8101);
      await rogue.sim.preloadRecord({ hoSo, version: 2 });
      const t = await pullAndRun(hoSo.SoDinhDanh, { ...deps, client: rogueClient });
      expect(t).toMatchObject({ outcomeCode: 'BAD_SIGNATURE', nationalVersion: 2 });
      const audit = await db().auditLog.findFirstOrThrow({ where: { entityId: t.requestId, action: 'TRANSFER_REJECTED' } });
      expect(JSON.parse(audit.details!)).toMatchObject({ code: 'BAD_SIGNATURE', details: { reason: 'CERT_UNTRUSTED' } });
    } finally {
      await rogueClient.close();
      await rogue.close();
    }
  });

  it('a document of another person: PERSONAL_ID_MISMATCH', async () => {
    const personalId = ministryRecord(8102).SoDinhDanh;
    await putRawRecord(personalId, served(ministryRecord(8103)));
    expect(await pullAndRun(personalId)).toMatchObject({ outcomeCode: 'PERSONAL_ID_MISMATCH' });
  });

  it('a birth date that disagrees with the personal id: PERSONAL_ID_MISMATCH', async () => {
    const hoSo = ministryRecord(8104);
    await putRawRecord(hoSo.SoDinhDanh, served({ ...hoSo, SoYeuLyLich: { ...hoSo.SoYeuLyLich, NgaySinh: '1990-03-12' } }));
    expect(await pullAndRun(hoSo.SoDinhDanh)).toMatchObject({ outcomeCode: 'PERSONAL_ID_MISMATCH' });
  });

  it('a document whose phienBan differs from the answer\'s version: BAD_PAYLOAD (WRONG_VERSION), nothing stored', async () => {
    const hoSo = ministryRecord(8106);
    await putRawRecord(hoSo.SoDinhDanh, served(hoSo, 3), 2);
    const t = await pullAndRun(hoSo.SoDinhDanh);
    expect(t).toMatchObject({ outcomeCode: 'BAD_PAYLOAD' });
    const audit = await db().auditLog.findFirstOrThrow({ where: { entityId: t.requestId, action: 'TRANSFER_REJECTED' } });
    expect(JSON.parse(audit.details!)).toMatchObject({ details: { reason: 'WRONG_VERSION', phienBan: 3, version: 2 } });
  });

  it('a record document without thaoTac/phienBan (not as the national side accepted it): BAD_PAYLOAD', async () => {
    const hoSo = ministryRecord(8107);
    await putRawRecord(hoSo.SoDinhDanh, buildRecordDocument(hoSo), 2);
    expect(await pullAndRun(hoSo.SoDinhDanh)).toMatchObject({ outcomeCode: 'BAD_PAYLOAD' });
  });

  it('a document that is not a record: BAD_PAYLOAD', async () => {
    const personalId = sampleHoSo(8105).SoDinhDanh;
    await putRawRecord(personalId, Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><HoSo/>'));
    expect(await pullAndRun(personalId)).toMatchObject({ outcomeCode: 'BAD_PAYLOAD' });
  });
});

describe('the acknowledgement of an inbound request', () => {
  it('fails for an operator when the national side refuses it for good, and is sent again on a re-run', async () => {
    const hoSo = ministryRecord(8201);
    await world.sim.sim.preloadRecord({ hoSo, version: 1 });
    const sent = await world.sim.sim.sendTransferRequest(world.gatewayUrl, {
      requestId: 'TR-8201', personalId: hoSo.SoDinhDanh, fromAgencyCode: 'G09.20', toAgencyCode: 'H55.06.01', decisionNo: '7/QĐ-BNV', effectiveDate: '2026-12-15',
    });
    expect(sent.status).toBe(202);
    expect((await drain(pullTransferOnce, 'TR-8201')).step).toEqual({ kind: 'settled', state: 'IMPORTED' });
    expect(await db().outbox.count({ where: { topic: 'TRANSFER_ACK', key: 'TR-8201', doneAt: null } })).toBe(1);
    world.sim.sim.setFaults({ rules: [{ action: 'status', status: 409, code: 'IDEMPOTENCY_MISMATCH', times: 1, routes: ['ackTransfer'] }] });
    expect((await drain(ackTransferOnce, 'TR-8201')).step).toEqual({ kind: 'settled', state: 'ACK_FAILED' });
    expect(await db().transferRequest.findUniqueOrThrow({ where: { requestId: 'TR-8201' } })).toMatchObject({ ackState: 'FAILED', lastErrorCode: 'IDEMPOTENCY_MISMATCH' });
    expect(await simAck(world, 'TR-8201')).toMatchObject({ ack_status: null });

    const operator = await world.gateway.token('PROVINCE_OPERATOR', 'H55');
    expect((await inject('POST', '/transfers/TR-8201/rerun', operator)).json()).toMatchObject({ state: 'IMPORTED', ackState: 'PENDING' });
    expect((await drain(ackTransferOnce, 'TR-8201')).step).toEqual({ kind: 'settled', state: 'ACK_ACKED' });
    expect(await simAck(world, 'TR-8201')).toMatchObject({ ack_status: 'IMPORTED' });
    expect(await ackTransferOnce(deps, 'TR-8201', { deadline: Date.now() + 1000 })).toEqual({ kind: 'settled', state: 'ACK_ACKED' });
  });
});

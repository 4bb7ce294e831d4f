// Inbound transfer-data requests (NATIONAL_API.md §7), end to end: the simulator signs and POSTs each
// request to the gateway over HTTP without a bearer token; a real worker (BullMQ on Redis, in process)
// pulls the record from the simulator (§5), imports it and acknowledges it. Refused requests store nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../../support/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { startWorker, type RunningWorker } from '../../../src/commands/worker.ts';
import { buildTransferRequestDocument } from '../../../src/exchange/xml/transfer-request-document.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import { EXCHANGE_NAMESPACE } from '../../../src/exchange/xml/safe-parse.ts';
import { ministryRecord, postJson, simAck, startWorld, until, type TransferWorld } from './setup.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The national signer's CMS over `payload` made by OpenSSL, RSASSA-PSS with this salt length. */
async function opensslPss(payload: Buffer, salt: number): Promise<Buffer> {
  const pki = await getTestPki();
  const dir = await mkdtemp(join(tmpdir(), 'inbound-pss-'));
  try {
    await writeFile(join(dir, 'in.xml'), payload);
    await promisify(execFile)('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', 'sha256', '-in', join(dir, 'in.xml'),
      '-out', join(dir, 'out.p7s'), '-signer', pki.path('national-signer.pem'), '-inkey', pki.path('national-signer.key.pem'),
      '-keyopt', 'rsa_padding_mode:pss', '-keyopt', `rsa_pss_saltlen:${salt}`, '-keyopt', 'rsa_mgf1_md:sha256']);
    return await readFile(join(dir, 'out.p7s'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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

const db = () => world.gateway.database.db.prisma;
const base = { fromAgencyCode: 'G09.20', toAgencyCode: 'H55.05.01', decisionNo: '123/QĐ-UBND', effectiveDate: '2026-12-01' };

async function settled(requestId: string) {
  await until(async () => {
    const t = await db().transferRequest.findUnique({ where: { requestId } });
    return t !== null && t.state !== 'QUEUED' && t.ackState !== 'PENDING';
  });
  return db().transferRequest.findUniqueOrThrow({ where: { requestId } });
}

async function nothingStored(requestId: string): Promise<void> {
  expect(await db().transferRequest.count({ where: { requestId } })).toBe(0);
  expect(await db().outbox.count({ where: { key: requestId } })).toBe(0);
}

describe('an accepted request', () => {
  it('answers 202 QUEUED, then 200 on repeat; imports a new person as a SUBMITTED new record of the receiving agency; acknowledges IMPORTED', async () => {
    const hoSo = ministryRecord(7001);
    await world.sim.sim.preloadRecord({ hoSo, version: 3, holderCode: 'G09.20' });
    const fields = { ...base, requestId: 'TR-7001', personalId: hoSo.SoDinhDanh };
    const first = await world.sim.sim.sendTransferRequest(world.gatewayUrl, fields);
    expect(first).toMatchObject({ status: 202, body: { requestId: 'TR-7001', status: 'QUEUED' } });
    const again = await world.sim.sim.sendTransferRequest(world.gatewayUrl, fields);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ requestId: 'TR-7001', status: expect.stringMatching(/^(QUEUED|IMPORTED)$/) });

    const t = await settled('TR-7001');
    expect(t).toMatchObject({ source: 'INBOUND', state: 'IMPORTED', ackState: 'ACKED', nationalVersion: 3, holderCode: 'G09.20', outcomeCode: null });
    expect(t.ackedAt).toBeInstanceOf(Date);
    expect(t.requestedBy).toMatch(/CSDL quốc gia/);
    const change = await db().profileChange.findUniqueOrThrow({ where: { id: t.changeId! } });
    expect(change).toMatchObject({
      personalId: hoSo.SoDinhDanh, kind: 'THEM_MOI', state: 'SUBMITTED', source: 'INBOUND_TRANSFER', agencyCode: 'H55.05.01',
      employingAgencyCode: 'H55.05.01', managingAgencyCode: 'H55.05.01', status: 'DANG_CONG_TAC', baseVersion: 3,
    });
    expect(change.effectiveDate?.toISOString().slice(0, 10)).toBe('2026-12-01');
    expect((change.profile as { HoTen: string }).HoTen).toBe('Nguyễn Văn An');
    expect(await db().person.findUniqueOrThrow({ where: { personalId: hoSo.SoDinhDanh } })).toMatchObject({ version: 0, employingAgencyCode: 'H55.05.01' });
    expect(await simAck(world, 'TR-7001')).toEqual({ ack_status: 'IMPORTED', ack_reason: null });
    expect(await db().outbox.count({ where: { key: 'TR-7001', doneAt: null } })).toBe(0);

    // The third call answers the current status; the receiving agency's officer verifies the change.
    expect(await world.sim.sim.sendTransferRequest(world.gatewayUrl, fields)).toMatchObject({ status: 200, body: { status: 'IMPORTED' } });
    const officer = await world.gateway.token('UNIT_OFFICER', 'H55.05.01');
    const verified = await world.gateway.app.inject({ method: 'POST', url: `/api/v1/changes/${change.id}/verify`, headers: bearer(officer), payload: {} });
    expect(verified.json()).toMatchObject({ state: 'VERIFIED' });
  });

  it('moves a person already in the province with an update; their record and history stay until it is approved', async () => {
    const person = await db().person.findFirstOrThrow({ where: { NOT: { employingAgencyCode: { startsWith: 'H55.05' } } }, orderBy: { personalId: 'asc' } });
    const profile = person.profile as Record<string, unknown>;
    const hoSo = ministryRecord(0, { SoDinhDanh: person.personalId, PhanLoai: person.category, SoYeuLyLich: { ...profile, SoDienThoai: '0912345678' } as never });
    await world.sim.sim.preloadRecord({ hoSo, version: 5, holderCode: 'G09.20' });
    const sent = await world.sim.sim.sendTransferRequest(world.gatewayUrl, { ...base, requestId: 'TR-7002', personalId: person.personalId });
    expect(sent.status).toBe(202);
    const t = await settled('TR-7002');
    expect(t).toMatchObject({ state: 'IMPORTED', ackState: 'ACKED' });
    const change = await db().profileChange.findUniqueOrThrow({ where: { id: t.changeId! } });
    expect(change).toMatchObject({ kind: 'CAP_NHAT', state: 'SUBMITTED', agencyCode: 'H55.05.01', baseVersion: 5 });
    expect((change.profile as { SoDienThoai: string }).SoDienThoai).toBe('0912345678');
    // Until the import is approved, the person stays where they were, at their approved version.
    expect(await db().person.findUniqueOrThrow({ where: { personalId: person.personalId } }))
      .toMatchObject({ version: person.version, employingAgencyCode: person.employingAgencyCode, profile: person.profile });
  });

  it('rejects a person the national side does not hold: nothing imported, acknowledged REJECTED with the reason', async () => {
    const personalId = ministryRecord(7003).SoDinhDanh;
    expect((await world.sim.sim.sendTransferRequest(world.gatewayUrl, { ...base, requestId: 'TR-7003', personalId })).status).toBe(202);
    const t = await settled('TR-7003');
    expect(t).toMatchObject({ state: 'REJECTED', outcomeCode: 'RECORD_NOT_FOUND', changeId: null, ackState: 'ACKED' });
    expect(await db().person.count({ where: { personalId } })).toBe(0);
    expect(await simAck(world, 'TR-7003')).toMatchObject({ ack_status: 'REJECTED', ack_reason: expect.stringMatching(/^RECORD_NOT_FOUND: /) });
  });

  it('retries the acknowledgement through transient errors until the national side has it', async () => {
    const hoSo = ministryRecord(7004);
    await world.sim.sim.preloadRecord({ hoSo, version: 1 });
    world.sim.sim.setFaults({ rules: [
      { action: 'status', status: 503, times: 2, routes: ['ackTransfer'] },
      { action: 'reset-after', times: 1, routes: ['ackTransfer'] },
      { action: 'status', status: 429, retryAfter: '0', times: 1, routes: ['ackTransfer'] },
    ] });
    try {
      expect((await world.sim.sim.sendTransferRequest(world.gatewayUrl, { ...base, requestId: 'TR-7004', personalId: hoSo.SoDinhDanh })).status).toBe(202);
      const t = await settled('TR-7004');
      expect(t).toMatchObject({ state: 'IMPORTED', ackState: 'ACKED' });
      expect(t.attempts).toBeGreaterThanOrEqual(3);
      expect(await simAck(world, 'TR-7004')).toMatchObject({ ack_status: 'IMPORTED' });
      const injected = (await world.sim.sim.stats()).faults.injected;
      expect((injected.status ?? 0) + (injected['reset-after'] ?? 0)).toBeGreaterThanOrEqual(4);
    } finally {
      world.sim.sim.setFaults({ rules: [] });
    }
  });

  it('shows the request to the receiving agency and the operator only', async () => {
    const inScope = await world.gateway.token('AGENCY_HEAD', 'H55.05');
    const other = await world.gateway.token('UNIT_OFFICER', 'H55.06');
    const operator = await world.gateway.token('PROVINCE_OPERATOR', 'H55.19');
    const get = (token: string) => world.gateway.app.inject({ method: 'GET', url: '/api/v1/transfers/TR-7001', headers: bearer(token) });
    expect((await get(inScope)).json()).toMatchObject({ requestId: 'TR-7001', state: 'IMPORTED', ackState: 'ACKED', source: 'INBOUND' });
    expect((await get(other)).json()).toMatchObject({ code: 'TRANSFER_NOT_FOUND' });
    expect((await get(operator)).statusCode).toBe(200);
    const listed = await world.gateway.app.inject({ method: 'GET', url: '/api/v1/transfers?state=REJECTED', headers: bearer(operator) });
    expect(listed.json().transfers.map((t: { requestId: string }) => t.requestId)).toEqual(['TR-7003']);
    const none = await world.gateway.app.inject({ method: 'GET', url: '/api/v1/transfers', headers: bearer(other) });
    expect(none.json().transfers).toEqual([]);
  });
});

describe('a refused request stores nothing', () => {
  const personalId = ministryRecord(7100).SoDinhDanh;
  const send = (requestId: string, over: Partial<typeof base> = {}, tamper?: (b: Record<string, unknown>) => Record<string, unknown>) =>
    world.sim.sim.sendTransferRequest(world.gatewayUrl, { ...base, personalId, requestId, ...over }, tamper ? { tamper } : {});

  it('a payload changed after signing: 422 BAD_SIGNATURE (DIGEST_MISMATCH)', async () => {
    const other = buildTransferRequestDocument({ ...base, personalId, requestId: 'TR-7101', decisionNo: '999/QĐ-UBND' });
    const r = await send('TR-7101', {}, (b) => ({ ...b, payload: other.toString('base64') }));
    expect(r).toMatchObject({ status: 422, body: { code: 'BAD_SIGNATURE', details: { reason: 'DIGEST_MISMATCH' } } });
    await nothingStored('TR-7101');
  });

  it('a signer outside NATIONAL_TRUST_ANCHORS: 422 BAD_SIGNATURE (CERT_UNTRUSTED)', async () => {
    const pki = await getTestPki();
    const payload = buildTransferRequestDocument({ ...base, personalId, requestId: 'TR-7102' });
    const forged = Buffer.from(await signDetached(payload, pki.identity('org-signer'))).toString('base64');
    const r = await send('TR-7102', {}, (b) => ({ ...b, signature: forged }));
    expect(r).toMatchObject({ status: 422, body: { code: 'BAD_SIGNATURE', details: { reason: 'CERT_UNTRUSTED' } } });
    await nothingStored('TR-7102');
  });

  it('a national RSASSA-PSS signature with salt 222: 422 BAD_SIGNATURE with the reason (§3: salt 32); the same with salt 32 is accepted', async () => {
    const payload = buildTransferRequestDocument({ ...base, personalId, requestId: 'TR-7110' });
    const salt222 = await opensslPss(payload, 222);
    const r = await send('TR-7110', {}, (b) => ({ ...b, signature: salt222.toString('base64') }));
    expect(r).toMatchObject({ status: 422, body: { code: 'BAD_SIGNATURE', details: { pki: { reason: 'pss-salt-length-not-accepted', saltLength: 222 } } } });
    await nothingStored('TR-7110');
    const salt32 = await opensslPss(payload, 32);
    expect(await send('TR-7110', {}, (b) => ({ ...b, signature: salt32.toString('base64') }))).toMatchObject({ status: 202 });
  });

  it('a signature that is not a CMS: 422 BAD_SIGNATURE; not base64: 400', async () => {
    const r = await send('TR-7103', {}, (b) => ({ ...b, signature: Buffer.from('not a signature').toString('base64') }));
    expect(r).toMatchObject({ status: 422, body: { code: 'BAD_SIGNATURE' } });
    const b64 = await send('TR-7103', {}, (b) => ({ ...b, payload: 'ab%=' }));
    expect(b64).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', details: { field: 'payload' } } });
    await nothingStored('TR-7103');
  });

  it('JSON fields that differ from the signed document: 422 FIELDS_MISMATCH naming them', async () => {
    const r = await send('TR-7104', {}, (b) => ({ ...b, decisionNo: '999/QĐ-UBND', effectiveDate: '2026-12-02' }));
    expect(r).toMatchObject({ status: 422, body: { code: 'FIELDS_MISMATCH', details: { fields: ['decisionNo', 'effectiveDate'] } } });
    await nothingStored('TR-7104');
  });

  it('a receiving agency outside the province: 422 AGENCY_NOT_IN_PROVINCE', async () => {
    const r = await send('TR-7105', { toAgencyCode: 'H60.05.01' });
    expect(r).toMatchObject({ status: 422, body: { code: 'AGENCY_NOT_IN_PROVINCE', details: { reason: 'OTHER_PROVINCE' } } });
    await nothingStored('TR-7105');
  });

  it('an agency of the province that does not exist: 422 AGENCY_NOT_IN_PROVINCE', async () => {
    const r = await send('TR-7106', { toAgencyCode: 'H55.05.77' });
    expect(r).toMatchObject({ status: 422, body: { code: 'AGENCY_NOT_IN_PROVINCE', details: { reason: 'UNKNOWN' } } });
    await nothingStored('TR-7106');
  });

  it('a malformed personal id: 422 INVALID_PERSONAL_ID, in the JSON or in the signed document', async () => {
    const inJson = await send('TR-7107', {}, (b) => ({ ...b, personalId: '12345' }));
    expect(inJson).toMatchObject({ status: 422, body: { code: 'INVALID_PERSONAL_ID', details: { field: 'personalId' } } });
    await nothingStored('TR-7107');

    // A document the simulator would refuse to build: written and signed by hand as the national signer.
    const pki = await getTestPki();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<YeuCauChuyenDuLieu xmlns="${EXCHANGE_NAMESPACE}"><MaYeuCau>TR-7108</MaYeuCau>`
      + `<SoDinhDanh>00108512345</SoDinhDanh><MaDonViChuyenDi>G09.20</MaDonViChuyenDi><MaDonViChuyenDen>H55.05.01</MaDonViChuyenDen>`
      + `<SoQuyetDinh>123/QĐ-UBND</SoQuyetDinh><NgayHieuLuc>2026-12-01</NgayHieuLuc></YeuCauChuyenDuLieu>\n`;
    const payload = Buffer.from(xml, 'utf8');
    const signature = Buffer.from(await signDetached(payload, pki.identity('national-signer')));
    const inDocument = await postJson(`${world.gatewayUrl}/api/v1/inbound/transfer-requests`, {
      ...base, requestId: 'TR-7108', personalId, payload: payload.toString('base64'), signature: signature.toString('base64'),
    });
    expect(inDocument).toMatchObject({ status: 422, body: { code: 'INVALID_PERSONAL_ID', details: { in: 'payload' } } });
    await nothingStored('TR-7108');
  });

  it('a missing field: 400 from the schema; the request id reused with other content: 409', async () => {
    const { signature: _s, ...unsigned } = { ...base, requestId: 'TR-7109', personalId, payload: 'AAAA', signature: 'AAAA' };
    expect(await postJson(`${world.gatewayUrl}/api/v1/inbound/transfer-requests`, unsigned)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const reused = await send('TR-7001', { decisionNo: '456/QĐ-UBND' });
    expect(reused).toMatchObject({ status: 409, body: { code: 'CONFLICT', details: { reason: 'REQUEST_ID_REUSED' } } });
    expect(await db().transferRequest.findUniqueOrThrow({ where: { requestId: 'TR-7001' } })).toMatchObject({ decisionNo: '123/QĐ-UBND' });
  });
});

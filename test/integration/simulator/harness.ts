// Shared by the simulator and exchange integration tests: a real PostgreSQL database per test file,
// the national simulator over HTTP on 127.0.0.1 with the test PKI, and signed batches built with the
// real XML and CMS modules. Nothing is mocked.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildPersonalId } from '../../../src/domain/personal-id.ts';
import type { HoSo } from '../../../src/domain/profile.ts';
import type { BatchSubmission } from '../../../src/exchange/national-contract.ts';
import { buildBatchDocument, type BatchEntry } from '../../../src/exchange/xml/batch-document.ts';
import { formatDateTime } from '../../../src/exchange/xml/xml-text.ts';
import { certificateDer } from '../../../src/pki/certificates.ts';
import { crlDer } from '../../../src/pki/crl.ts';
import { signDetached } from '../../../src/pki/sign-cms.ts';
import type { SigningIdentity } from '../../../src/pki/signing-identity.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/simulator/app.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

export const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface SimDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database `sim_test_<random>`, dropped by `drop()`. */
export async function createSimDatabase(): Promise<SimDatabase> {
  const name = `sim_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const SENDER = 'H55.19';
export const CLIENT = { clientId: 'h55-gateway', clientSecret: 'h55-secret', senderCodes: [SENDER] } as const;

export async function simulatorOptions(db: string, overrides: Partial<SimulatorOptions> = {}): Promise<SimulatorOptions> {
  const pki = await getTestPki();
  return {
    db,
    schema: 'national_sim',
    clients: [CLIENT],
    provinceTrustAnchors: pki.trustAnchors.map(certificateDer),
    crls: pki.crls.map(crlDer),
    nationalSigner: pki.identity('national-signer'),
    ...overrides,
  };
}

export async function startTestSimulator(db: string, overrides: Partial<SimulatorOptions> & { port?: number } = {}): Promise<RunningSimulator> {
  const { port, ...rest } = overrides;
  return startSimulator({ ...(await simulatorOptions(db, rest)), ...(port === undefined ? {} : { port }) });
}

let serial = 0;

/** A valid record under H55.19.05, approved by Sở Nội vụ; `seq` makes the personal id. */
export function sampleHoSo(seq: number, overrides: Partial<HoSo> = {}): HoSo {
  const birthDate = '1985-03-12';
  const approvedAt = formatDateTime(new Date(Date.now() - 86_400_000), 420);
  return {
    SoDinhDanh: buildPersonalId({ provinceCode: 1, birthDate, gender: 'NAM', random6: seq }),
    MaDonViQuanLy: 'H55.19',
    MaDonViSuDung: 'H55.19.05',
    PhanLoai: 'CONG_CHUC',
    TrangThai: 'DANG_CONG_TAC',
    SoYeuLyLich: { HoTen: 'Nguyễn Văn An', GioiTinh: 'NAM', NgaySinh: birthDate },
    PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: 'H55.19', ThoiGian: approvedAt, SoHieuChungThu: '0A1B2C', MaBamBienBan: 'ab'.repeat(32) }],
    ...overrides,
  } as HoSo;
}

export function entry(seq: number, phienBan = 1, overrides: Partial<HoSo> = {}): BatchEntry {
  return { thaoTac: phienBan === 1 ? 'THEM_MOI' : 'CAP_NHAT', phienBan, hoSo: sampleHoSo(seq, overrides) };
}

export function newBatchId(prefix = 'H55-T'): string {
  serial += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${serial}`;
}

export interface BatchSpec {
  readonly batchId?: string;
  readonly entries: readonly BatchEntry[];
  readonly senderCode?: string;
  readonly period?: string | null;
  /** Declared in the envelope; default the number of entries. */
  readonly recordCount?: number;
  readonly signer?: SigningIdentity;
  /** Replace the payload bytes before signing. */
  readonly payload?: Buffer;
}

/** A batch as the gateway sends it: document built once, signed by the province, hashed. */
export async function signedBatch(spec: BatchSpec): Promise<BatchSubmission> {
  const pki: TestPki = await getTestPki();
  const batchId = spec.batchId ?? newBatchId();
  const senderCode = spec.senderCode ?? SENDER;
  const period = spec.period === undefined ? '2026-11' : spec.period;
  const payload = spec.payload ?? buildBatchDocument({
    batchId, senderCode, period, createdAt: formatDateTime(new Date(), 420), recordCount: spec.entries.length,
  }, spec.entries);
  const signature = Buffer.from(await signDetached(payload, spec.signer ?? pki.identity('org-signer')));
  return {
    batchId, senderCode, period, recordCount: spec.recordCount ?? spec.entries.length,
    payloadSha256: createHash('sha256').update(payload).digest('hex'), payload, signature,
  };
}

// POST /batches on the national side (NATIONAL_API.md §4), step by step:
//   1. Idempotency-Key equals batchId; the envelope's senderCode is the caller's (400 / 403);
//   2. a batchId received before: same payloadSha256 → the first receipt again with
//      `Idempotent-Replayed: true`; other content → 409 IDEMPOTENCY_MISMATCH;
//   3. payload and signature are strict base64 (400 BAD_REQUEST); SHA-256 of the payload bytes equals
//      payloadSha256 (422 DIGEST_MISMATCH); the CMS signature verifies against the province's trust
//      anchors (422 with the PKI code);
//   4. the batch document parses (400 BAD_PAYLOAD, 422 COUNT_MISMATCH), its header agrees with the
//      envelope (MaGoi, MaDonViGui, KyDongBo → BAD_PAYLOAD; recordCount = SoHoSo → COUNT_MISMATCH);
//   5. per record: the parser's issues (with AGENCY_NOT_IN_PROVINCE against the sender's level-1 code
//      and NOT_APPROVED), then STALE_VERSION against the stored version, decided in the storing
//      transaction; accepted records and the receipt are stored together.
// A batch refused as a whole (steps 1, 3, 4) stores nothing, so the same batchId may come again.
import { createHash, randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { level1Code } from '../domain/agency-code.ts';
import { errorSpec, isErrorCode, isGatewayError } from '../errors.ts';
import {
  BATCH_ID_PATTERN, decodeBase64Strict, PERIOD_PATTERN, type Receipt, type RejectedRecord,
} from '../exchange/national-contract.ts';
import { parseBatchDocument, type ParsedBatch, type ParsedBatchRecord } from '../exchange/xml/batch-document.ts';
import { buildNationalRecordDocument } from '../exchange/xml/record-document.ts';
import { nationalError } from './national-replies.ts';
import type { SimContext } from './sim-context.ts';
import type { RecordWrite, StoredBatch } from './storage.ts';

export const BatchEnvelopeSchema = Type.Object({
  batchId: Type.String({ pattern: BATCH_ID_PATTERN.source }),
  senderCode: Type.String({ minLength: 3, maxLength: 35 }),
  period: Type.Union([Type.String({ pattern: PERIOD_PATTERN.source }), Type.Null()]),
  recordCount: Type.Integer({ minimum: 0 }),
  payloadSha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
  payload: Type.String({ minLength: 1 }),
  signature: Type.String({ minLength: 1 }),
}, { additionalProperties: false });

export type BatchEnvelope = Static<typeof BatchEnvelopeSchema>;

export interface IntakeAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export interface IntakeCaller {
  readonly clientId: string;
  readonly senderCodes: readonly string[];
  readonly senderCode: string;
}

/** Per-record codes that are national-side only (not in the gateway's error catalog). */
const recordMessages: Readonly<Record<string, string>> = {
  STALE_VERSION: 'Phiên bản hồ sơ không mới hơn phiên bản đang có tại CSDL quốc gia.',
  NOT_APPROVED: 'Hồ sơ chưa được Sở Nội vụ phê duyệt bằng chữ ký số.',
};

/** The §4 422 codes; other PKI failures are reported as the nearest of them. */
const PKI_CODES = new Set(['BAD_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_EXPIRED', 'CERT_REVOKED', 'DIGEST_MISMATCH']);
const PKI_NEAREST: Readonly<Record<string, string>> = { WRONG_KEY_USAGE: 'CERT_UNTRUSTED', REVOCATION_UNKNOWN: 'CERT_UNTRUSTED' };

const refusal = (status: number, code: string, details: unknown = null): IntakeAnswer => ({ status, body: nationalError(code, details) });

function rejection(rec: ParsedBatchRecord, code: string, path?: string): RejectedRecord {
  const base = recordMessages[code] ?? (isErrorCode(code) ? errorSpec(code).message : 'Hồ sơ không hợp lệ.');
  return { personalId: rec.personalId ?? '', code, message: `Hồ sơ thứ ${rec.index + 1}: ${base}${path ? ` (${path})` : ''}` };
}

function replayOrConflict(existing: StoredBatch, payloadSha256: string): IntakeAnswer {
  if (existing.payloadSha256 === payloadSha256) {
    return { status: 200, body: existing.receipt, headers: { 'idempotent-replayed': 'true' } };
  }
  return refusal(409, 'IDEMPOTENCY_MISMATCH', { batchId: existing.batchId });
}

async function verifySignature(ctx: SimContext, payload: Buffer, signature: Buffer): Promise<IntakeAnswer | null> {
  try {
    await ctx.verifier.verify(payload, signature);
    return null;
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    const code = PKI_CODES.has(err.code) ? err.code : PKI_NEAREST[err.code] ?? 'BAD_SIGNATURE';
    return refusal(422, code, { pki: err.code, ...(typeof err.details === 'object' && err.details !== null ? err.details : {}) });
  }
}

function parseDocument(ctx: SimContext, payload: Buffer, env: BatchEnvelope): ParsedBatch | IntakeAnswer {
  let parsed: ParsedBatch;
  try {
    parsed = parseBatchDocument(payload, {
      maxBytes: Math.max(ctx.maxBodyBytes, payload.length),
      provinceCode: level1Code(env.senderCode),
      ...(ctx.today ? { today: ctx.today() } : {}),
    });
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    return err.code === 'COUNT_MISMATCH' ? refusal(422, 'COUNT_MISMATCH', err.details) : refusal(400, 'BAD_PAYLOAD', err.details);
  }
  const h = parsed.header;
  if (h.batchId !== env.batchId) return refusal(400, 'BAD_PAYLOAD', { path: 'ThongTinGoi/MaGoi', reason: 'differs from batchId' });
  if (h.senderCode !== env.senderCode) return refusal(400, 'BAD_PAYLOAD', { path: 'ThongTinGoi/MaDonViGui', reason: 'differs from senderCode' });
  if (h.period !== env.period) return refusal(400, 'BAD_PAYLOAD', { path: 'ThongTinGoi/KyDongBo', reason: 'differs from period' });
  if (h.recordCount !== env.recordCount) {
    return refusal(422, 'COUNT_MISMATCH', { recordCount: env.recordCount, SoHoSo: h.recordCount });
  }
  return parsed;
}

/** Handles one POST /batches whose envelope already passed the JSON schema. */
export async function receiveBatch(ctx: SimContext, caller: IntakeCaller, env: BatchEnvelope, idempotencyKey: string | undefined): Promise<IntakeAnswer> {
  if (idempotencyKey !== env.batchId) return refusal(400, 'BAD_REQUEST', { header: 'Idempotency-Key', reason: 'must equal batchId' });
  if (!caller.senderCodes.includes(env.senderCode)) return refusal(403, 'SENDER_NOT_ALLOWED', { senderCode: env.senderCode });
  if (env.senderCode !== caller.senderCode) return refusal(400, 'BAD_REQUEST', { field: 'senderCode', reason: 'differs from X-Sender-Code' });
  const sha = env.payloadSha256.toLowerCase();

  const existing = await ctx.storage.findBatch(env.batchId);
  if (existing) return replayOrConflict(existing, sha);

  const payload = decodeBase64Strict(env.payload);
  if (!payload) return refusal(400, 'BAD_REQUEST', { field: 'payload', reason: 'not base64' });
  const signature = decodeBase64Strict(env.signature);
  if (!signature) return refusal(400, 'BAD_REQUEST', { field: 'signature', reason: 'not base64' });
  if (createHash('sha256').update(payload).digest('hex') !== sha) return refusal(422, 'DIGEST_MISMATCH', { field: 'payloadSha256' });
  const badSignature = await verifySignature(ctx, payload, signature);
  if (badSignature) return badSignature;

  const parsed = parseDocument(ctx, payload, env);
  if (!('records' in parsed)) return parsed;

  const rejectedEarly = new Map<number, RejectedRecord>();
  const writes: RecordWrite[] = [];
  for (const rec of parsed.records) {
    const issue = rec.issues[0];
    if (issue || !rec.hoSo || rec.phienBan === undefined || rec.thaoTac === undefined) {
      rejectedEarly.set(rec.index, rejection(rec, issue?.code ?? 'INVALID_VALUE', issue?.path));
      continue;
    }
    writes.push({
      index: rec.index, personalId: rec.hoSo.SoDinhDanh, version: rec.phienBan, holderCode: rec.hoSo.MaDonViQuanLy,
      // Served by GET /records as accepted: the HoSo element with its attributes and the namespace on it.
      document: buildNationalRecordDocument({ hoSo: rec.hoSo, thaoTac: rec.thaoTac, phienBan: rec.phienBan }),
    });
  }

  const receivedAt = ctx.now();
  const result = await ctx.storage.storeBatch({
    batchId: env.batchId, payloadSha256: sha, senderCode: env.senderCode, clientId: caller.clientId,
    period: env.period, recordCount: env.recordCount, receivedAt, records: writes,
    receipt: (stale): Receipt => {
      const rejected = parsed.records.flatMap((rec) => {
        const early = rejectedEarly.get(rec.index);
        if (early) return [early];
        return stale.has(rec.index) ? [rejection(rec, 'STALE_VERSION', '@phienBan')] : [];
      });
      return {
        receiptId: randomUUID(), batchId: env.batchId, status: rejected.length === 0 ? 'ACCEPTED' : 'PARTIAL',
        accepted: parsed.records.length - rejected.length, rejected, receivedAt: receivedAt.toISOString(),
      };
    },
  });
  return result.stored ? { status: 200, body: result.receipt } : replayOrConflict(result.existing, sha);
}

/** GET /batches/{batchId}: the receipt, or 404 NOT_FOUND when it never arrived. */
export async function lookUpBatch(ctx: SimContext, batchId: string): Promise<IntakeAnswer> {
  if (!BATCH_ID_PATTERN.test(batchId)) return refusal(400, 'BAD_REQUEST', { field: 'batchId' });
  const found = await ctx.storage.findBatch(batchId);
  return found ? { status: 200, body: found.receipt } : refusal(404, 'NOT_FOUND');
}


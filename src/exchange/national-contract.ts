// The wire shapes of NATIONAL_API.md §2, §4, §5 and §7, shared by the gateway's client and the
// project's national simulator, with the checks that turn untrusted JSON into them.

/** §4: the JSON body of POST /batches is at most 32 MiB. */
export const MAX_BATCH_BODY_BYTES = 32 * 1024 * 1024;

/** §1: 1–64 characters of A–Z a–z 0–9 - _ . */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const PERSONAL_ID_PATTERN = /^\d{12}$/;

/** What the gateway sends in POST /batches (the payload and signature as bytes). */
export interface BatchSubmission {
  readonly batchId: string;
  readonly senderCode: string;
  /** Approval month YYYY-MM, or null outside the monthly cycle. */
  readonly period: string | null;
  readonly recordCount: number;
  /** Hex SHA-256 of `payload`. */
  readonly payloadSha256: string;
  readonly payload: Buffer;
  /** DER CMS SignedData, detached, over `payload`. */
  readonly signature: Buffer;
}

export interface RejectedRecord {
  readonly personalId: string;
  readonly code: string;
  readonly message: string;
}

export interface Receipt {
  readonly receiptId: string;
  readonly batchId: string;
  readonly status: 'ACCEPTED' | 'PARTIAL';
  readonly accepted: number;
  readonly rejected: readonly RejectedRecord[];
  readonly receivedAt: string;
}

/** §5: a pulled record, payload and signature decoded. */
export interface NationalRecord {
  readonly personalId: string;
  readonly version: number;
  readonly holderCode: string;
  readonly updatedAt: string;
  readonly payload: Buffer;
  readonly signature: Buffer;
}

export type AckStatus = 'IMPORTED' | 'REJECTED';

export interface TransferAck {
  readonly status: AckStatus;
  readonly reason?: string | null;
}

export interface AckAnswer {
  readonly requestId: string;
  readonly status: AckStatus;
}

/** §7: the fields of an inbound transfer-data request; the signed YeuCauChuyenDuLieu holds the same. */
export interface TransferRequestFields {
  /** MaYeuCau */
  readonly requestId: string;
  /** SoDinhDanh */
  readonly personalId: string;
  /** MaDonViChuyenDi (canonical) */
  readonly fromAgencyCode: string;
  /** MaDonViChuyenDen (canonical) */
  readonly toAgencyCode: string;
  /** SoQuyetDinh, NFC, e.g. `123/QĐ-UBND` */
  readonly decisionNo: string;
  /** NgayHieuLuc, `YYYY-MM-DD` */
  readonly effectiveDate: string;
}

// Alphabet and at most two trailing '=', in a whole number of 4-character groups: the same language as
// /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, whose repeated group overflows V8's
// regexp stack ("Maximum call stack size exceeded") on strings of a few MB — every batch of 1,000 records.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 (padding required, no whitespace); undefined when `text` is not that. */
export function decodeBase64Strict(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function isRejected(v: unknown): v is RejectedRecord {
  return isObject(v) && isString(v.personalId) && isString(v.code) && isString(v.message);
}

/** A receipt as §4 describes it; returns a problem description, or null when it is one. */
export function receiptProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not an object';
  if (!isString(v.receiptId) || v.receiptId === '') return 'receiptId';
  if (!isString(v.batchId)) return 'batchId';
  if (v.status !== 'ACCEPTED' && v.status !== 'PARTIAL') return 'status';
  if (!isCount(v.accepted)) return 'accepted';
  if (!Array.isArray(v.rejected) || !v.rejected.every(isRejected)) return 'rejected';
  if (!isString(v.receivedAt)) return 'receivedAt';
  return null;
}

/** A §5 record answer with its base64 fields decoded, or a problem description. */
export function readNationalRecord(v: unknown): NationalRecord | string {
  if (!isObject(v)) return 'not an object';
  if (!isString(v.personalId) || !PERSONAL_ID_PATTERN.test(v.personalId)) return 'personalId';
  if (!isCount(v.version)) return 'version';
  if (!isString(v.holderCode)) return 'holderCode';
  if (!isString(v.updatedAt)) return 'updatedAt';
  const payload = decodeBase64Strict(v.payload);
  if (!payload) return 'payload';
  const signature = decodeBase64Strict(v.signature);
  if (!signature) return 'signature';
  return { personalId: v.personalId, version: v.version, holderCode: v.holderCode, updatedAt: v.updatedAt, payload, signature };
}

export function ackProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not an object';
  if (!isString(v.requestId)) return 'requestId';
  if (v.status !== 'IMPORTED' && v.status !== 'REJECTED') return 'status';
  return null;
}

/** A request body produced chunk by chunk; `length` is its exact size in bytes. */
export interface StreamedBody {
  readonly length: number;
  /** A new pass over the bytes each time (one per HTTP attempt). */
  chunks(): Iterable<Buffer>;
}

// Payload bytes base64-encoded per chunk: a multiple of 3, so no chunk but the last is padded, and
// 64 KiB of base64 each. A whole 24 MiB payload as one base64 string, inside one JSON string, encoded
// into one Buffer, was three copies per push in flight: the worker's memory peak.
const PAYLOAD_SLICE = 3 * 16384;

const base64Length = (n: number): number => 4 * Math.ceil(n / 3);

/**
 * The JSON body of POST /batches, the same bytes as `JSON.stringify` of the §4 envelope, with the
 * payload encoded one slice at a time. The scalars go through JSON.stringify, so escaping is its own.
 */
export function batchEnvelopeBody(b: BatchSubmission): StreamedBody {
  const scalars = JSON.stringify({
    batchId: b.batchId,
    senderCode: b.senderCode,
    period: b.period,
    recordCount: b.recordCount,
    payloadSha256: b.payloadSha256,
  });
  const head = Buffer.from(`${scalars.slice(0, -1)},"payload":"`, 'utf8');
  const tail = Buffer.from(`","signature":"${b.signature.toString('base64')}"}`, 'utf8');
  const { payload } = b;
  return {
    length: head.length + base64Length(payload.length) + tail.length,
    *chunks() {
      yield head;
      for (let at = 0; at < payload.length; at += PAYLOAD_SLICE) {
        yield Buffer.from(payload.subarray(at, at + PAYLOAD_SLICE).toString('base64'), 'latin1');
      }
      yield tail;
    },
  };
}

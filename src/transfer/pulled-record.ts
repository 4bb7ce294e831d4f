// A record pulled from the national database (NATIONAL_API.md §5), checked before anything is stored,
// then turned into what the receiving agency verifies:
//   - the answer is for the person asked about (PERSONAL_ID_MISMATCH otherwise);
//   - the national signature over the payload bytes verifies against NATIONAL_TRUST_ANCHORS (BAD_SIGNATURE);
//   - the payload is a valid §6 record document (its own codes: BAD_PAYLOAD, MISSING_FIELD, INVALID_VALUE,
//     PERSONAL_ID_MISMATCH for a birth date or gender that disagrees with the id, …) of that person: the
//     `HoSo` element as the national side accepted it, whose `phienBan` equals the answer's `version`.
// The record's approval chain belongs to its previous holder and is not required here: the national
// signature vouches for the record, and the import goes through this province's own approvals.
//
// The import: the receiving agency both employs and manages the person (MaDonViSuDung = MaDonViQuanLy =
// the receiving agency): the agency that asked for the record answers for it; a superior that should
// manage it instead moves it with an in-province transfer (managingAgencyCode) once it is approved. The
// person is in service (DANG_CONG_TAC) from the decision's effective date, whatever status the previous
// holder gave (usually CHUYEN_RA_NGOAI_TINH); category and curriculum vitae are taken as they are.
import { isGatewayError, type ErrorCode } from '../errors.ts';
import { contentSha256, type HoSo, type ThaoTac } from '../domain/profile.ts';
import type { NationalRecord } from '../exchange/national-contract.ts';
import { parsePulledRecordDocument, type NationalRecordEntry } from '../exchange/xml/record-document.ts';
import type { ImportInput } from '../store/transfers.ts';
import { verifyNationalSignature, type NationalTrust } from './national-trust.ts';

export type RecordCheck =
  | { readonly ok: true; readonly hoSo: HoSo; readonly thaoTac: ThaoTac; readonly phienBan: number; readonly signer: string }
  | { readonly ok: false; readonly code: ErrorCode; readonly details: unknown };

export interface RecordCheckOptions {
  readonly trust: NationalTrust;
  /** Local date YYYY-MM-DD for the record's date rules. */
  readonly today: string;
  readonly maxBytes: number;
  readonly now?: Date;
}

function refused(err: unknown): RecordCheck {
  if (isGatewayError(err)) return { ok: false, code: err.code, details: err.details ?? null };
  throw err;
}

/** CONFIG_INVALID (no trust anchor) is thrown, not returned: it says nothing about the record. */
export async function checkPulledRecord(record: NationalRecord, personalId: string, o: RecordCheckOptions): Promise<RecordCheck> {
  if (record.personalId !== personalId) return { ok: false, code: 'PERSONAL_ID_MISMATCH', details: { field: 'personalId', reason: 'ANSWER_FOR_ANOTHER_PERSON' } };
  let signer: string;
  try {
    signer = (await verifyNationalSignature(record.payload, record.signature, o.trust, o.now)).subject;
  } catch (err) {
    if (isGatewayError(err, 'CONFIG_INVALID')) throw err;
    return refused(err);
  }
  let entry: NationalRecordEntry;
  try {
    entry = parsePulledRecordDocument(record.payload, { maxBytes: o.maxBytes, today: o.today, requireProvinceApproval: false, version: record.version });
  } catch (err) {
    return refused(err);
  }
  if (entry.hoSo.SoDinhDanh !== personalId) return { ok: false, code: 'PERSONAL_ID_MISMATCH', details: { field: 'SoDinhDanh', reason: 'DOCUMENT_OF_ANOTHER_PERSON' } };
  return { ok: true, ...entry, signer };
}

export interface ImportTarget {
  readonly toAgencyCode: string;
  /** YYYY-MM-DD, from the transfer decision; null when the requester gave none. */
  readonly effectiveDate: string | null;
  readonly reason: string;
}

/** The change content the receiving agency verifies, hashed like any change. */
export function importInputOf(hoSo: HoSo, target: ImportTarget): ImportInput {
  const status = 'DANG_CONG_TAC' as const;
  const hash = contentSha256({
    SoDinhDanh: hoSo.SoDinhDanh, MaDonViQuanLy: target.toAgencyCode, MaDonViSuDung: target.toAgencyCode,
    PhanLoai: hoSo.PhanLoai, TrangThai: status, ...(target.effectiveDate ? { NgayHieuLuc: target.effectiveDate } : {}),
    SoYeuLyLich: hoSo.SoYeuLyLich,
  });
  return {
    category: hoSo.PhanLoai, status, managingAgencyCode: target.toAgencyCode, employingAgencyCode: target.toAgencyCode,
    effectiveDate: target.effectiveDate ? new Date(`${target.effectiveDate}T00:00:00Z`) : null,
    profile: hoSo.SoYeuLyLich as never, contentSha256: hash, fullName: hoSo.SoYeuLyLich.HoTen, reason: target.reason,
  };
}

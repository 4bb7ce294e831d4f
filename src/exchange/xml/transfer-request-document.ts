// The signed inbound transfer-data request `YeuCauChuyenDuLieu` (NATIONAL_API.md §7) ⇄ its JSON
// fields. A broken or hostile document, or one with unknown, duplicated or nested elements, is
// BAD_PAYLOAD; a missing or invalid field throws the field's own code (MISSING_FIELD, INVALID_VALUE,
// INVALID_PERSONAL_ID, INVALID_AGENCY_CODE) with `{field, reason}`, so the route can answer precisely.
// Agency codes in the QCVN 102:2016 form are accepted and converted to the canonical form.
// MaYeuCau is restricted to 1–64 characters of `A–Z a–z 0–9 - _ .` (it is used in the ack URL).

import { checkAgencyCode } from '../../domain/agency-code.ts';
import { isDate } from '../../domain/calendar-date.ts';
import { checkPersonalIdFormat } from '../../domain/personal-id.ts';
import { normalizeText, TEXT_MAX } from '../../domain/profile.ts';
import { GatewayError } from '../../errors.ts';
import { XML_DECLARATION } from './record-document.ts';
import { EXCHANGE_NAMESPACE, parseSafeXml, type SafeParseOptions } from './safe-parse.ts';
import { readFlatElement } from './xml-reader.ts';
import type { TransferRequestFields } from '../national-contract.ts';
import { escapeXml, invalidXmlCharIndex } from './xml-text.ts';

/** The document's fields are the contract's (national-contract.ts). */
export type TransferRequest = TransferRequestFields;

export const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Element order of §7, each with its JSON field. */
const ELEMENTS = [
  ['MaYeuCau', 'requestId'],
  ['SoDinhDanh', 'personalId'],
  ['MaDonViChuyenDi', 'fromAgencyCode'],
  ['MaDonViChuyenDen', 'toAgencyCode'],
  ['SoQuyetDinh', 'decisionNo'],
  ['NgayHieuLuc', 'effectiveDate'],
] as const satisfies ReadonlyArray<readonly [string, keyof TransferRequest]>;

type ElementName = (typeof ELEMENTS)[number][0];
const ELEMENT_NAMES = ELEMENTS.map(([name]) => name);

type FieldErrorCode = 'MISSING_FIELD' | 'INVALID_VALUE' | 'INVALID_PERSONAL_ID' | 'INVALID_AGENCY_CODE';

function fieldError(code: FieldErrorCode, field: keyof TransferRequest, reason: string): GatewayError {
  return new GatewayError(code, { field, reason });
}

function agencyCode(value: string, field: 'fromAgencyCode' | 'toAgencyCode'): string {
  const check = checkAgencyCode(value);
  if (!check.ok) throw fieldError('INVALID_AGENCY_CODE', field, check.reason);
  return check.code;
}

/** Checks every field and returns the request in canonical form (codes converted, text NFC-trimmed). */
export function checkTransferRequest(input: { readonly [K in keyof TransferRequest]?: unknown }): TransferRequest {
  for (const [, field] of ELEMENTS) {
    const value = input[field];
    if (value === undefined || value === null || value === '') throw fieldError('MISSING_FIELD', field, 'REQUIRED');
    if (typeof value !== 'string') throw fieldError('INVALID_VALUE', field, 'TYPE');
  }
  const v = input as { readonly [K in keyof TransferRequest]: string };
  if (!REQUEST_ID.test(v.requestId)) throw fieldError('INVALID_VALUE', 'requestId', 'FORMAT');
  const id = checkPersonalIdFormat(v.personalId);
  if (!id.ok) throw fieldError('INVALID_PERSONAL_ID', 'personalId', id.reason);
  if (invalidXmlCharIndex(v.decisionNo) >= 0) throw fieldError('INVALID_VALUE', 'decisionNo', 'CONTROL_CHAR');
  const decisionNo = normalizeText(v.decisionNo);
  if (decisionNo === '') throw fieldError('MISSING_FIELD', 'decisionNo', 'REQUIRED');
  if (decisionNo.length > TEXT_MAX) throw fieldError('INVALID_VALUE', 'decisionNo', 'TOO_LONG');
  if (!isDate(v.effectiveDate)) throw fieldError('INVALID_VALUE', 'effectiveDate', 'NOT_A_DATE');
  return {
    requestId: v.requestId,
    personalId: v.personalId,
    fromAgencyCode: agencyCode(v.fromAgencyCode, 'fromAgencyCode'),
    toAgencyCode: agencyCode(v.toAgencyCode, 'toAgencyCode'),
    decisionNo,
    effectiveDate: v.effectiveDate,
  };
}

/** The signed document of §7 (declaration, root in the exchange namespace, elements in order, final LF). */
export function buildTransferRequestDocument(request: TransferRequest): Buffer {
  const r = checkTransferRequest(request);
  let body = '';
  for (const [name, field] of ELEMENTS) body += `<${name}>${escapeXml(r[field])}</${name}>`;
  return Buffer.from(`${XML_DECLARATION}<YeuCauChuyenDuLieu xmlns="${EXCHANGE_NAMESPACE}">${body}</YeuCauChuyenDuLieu>\n`, 'utf8');
}

/** Reads and checks a `YeuCauChuyenDuLieu` document. */
export function parseTransferRequestDocument(bytes: Uint8Array, opts: SafeParseOptions): TransferRequest {
  const root = parseSafeXml(bytes, opts, 'YeuCauChuyenDuLieu');
  const f = readFlatElement<ElementName>(root, 'YeuCauChuyenDuLieu', ELEMENT_NAMES, [], ['xmlns']);
  const fields: { -readonly [K in keyof TransferRequest]?: string } = {};
  for (const [name, field] of ELEMENTS) {
    const value = f[name];
    if (value !== undefined) fields[field] = value;
  }
  return checkTransferRequest(fields);
}

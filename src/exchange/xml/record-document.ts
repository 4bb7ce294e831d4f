// A record ⇄ XML (NATIONAL_API.md §6). The `HoSo` element is written by record-writer.ts and read by
// record-reader.ts, both from the one layout derived from the domain schema (record-layout.ts). This
// module adds the standalone record document: root `HoSo` in the exchange namespace, with the XML
// declaration, as the national side returns from GET /records/{personalId} (§5) and as the gateway
// signs for exports.

import { GatewayError, isErrorCode } from '../../errors.ts';
import type { HoSo } from '../../domain/profile.ts';
import { readRecordElement, type ExchangeIssue, type RecordReadOptions } from './record-reader.ts';
import { recordElementXml } from './record-writer.ts';
import { EXCHANGE_NAMESPACE, parseSafeXml, type SafeParseOptions } from './safe-parse.ts';

export type { HoSo } from '../../domain/profile.ts';
export { recordElementXml } from './record-writer.ts';
export { readRecordElement, type ExchangeIssue, type ExchangeIssueCode, type RecordReadOptions, type RecordReadResult } from './record-reader.ts';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The record document: declaration, `<HoSo xmlns="urn:vn:gov:cbccvc:dongbo:1">…</HoSo>`, final LF. */
export function buildRecordDocument(hoSo: HoSo): Buffer {
  return Buffer.from(`${XML_DECLARATION}${recordElementXml(hoSo, ` xmlns="${EXCHANGE_NAMESPACE}"`)}\n`, 'utf8');
}

export interface ParseRecordOptions extends SafeParseOptions, RecordReadOptions {}

/**
 * Reads a record document into a normalised, validated record. A broken or hostile document is
 * BAD_PAYLOAD (PAYLOAD_TOO_LARGE for the size); a record with issues throws the first issue's code
 * (MISSING_FIELD, INVALID_VALUE, INVALID_PERSONAL_ID, …; a missing SO_NOI_VU approval as MISSING_FIELD
 * with reason NO_PROVINCE_APPROVAL) with `details.issues` listing every issue.
 */
export function parseRecordDocument(bytes: Uint8Array, opts: ParseRecordOptions): HoSo {
  const root = parseSafeXml(bytes, opts, 'HoSo');
  const read = readRecordElement(root, opts, ['xmlns']);
  if (read.hoSo !== undefined) return read.hoSo;
  throw recordError(read.issues);
}

function recordError(issues: readonly ExchangeIssue[]): GatewayError {
  const first = issues[0];
  const code = first !== undefined && isErrorCode(first.code) ? first.code : 'MISSING_FIELD';
  return new GatewayError(code, { issues });
}

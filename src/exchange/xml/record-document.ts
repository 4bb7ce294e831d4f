// A record ⇄ XML (NATIONAL_API.md §6). The `HoSo` element is written by record-writer.ts and read by
// record-reader.ts, both from the one layout derived from the domain schema (record-layout.ts). This
// module adds the standalone record documents, root `HoSo` in the exchange namespace with the XML
// declaration: the one the gateway signs for exports (no attributes), and the one the national side
// returns from GET /records/{personalId} (§5, §6): the element as it accepted it in a batch, with its
// `thaoTac` and `phienBan` attributes, whose `phienBan` must equal the answer's `version`.

import { GatewayError, isErrorCode } from '../../errors.ts';
import type { HoSo, ThaoTac } from '../../domain/profile.ts';
import { readEntryAttributes, readRecordElement, type ExchangeIssue, type RecordReadOptions } from './record-reader.ts';
import { recordElementXml } from './record-writer.ts';
import { badPayload, EXCHANGE_NAMESPACE, parseSafeXml, type SafeParseOptions } from './safe-parse.ts';

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

/** A record as the national side holds it: the accepted `HoSo` element and its attributes. */
export interface NationalRecordEntry {
  readonly hoSo: HoSo;
  readonly thaoTac: ThaoTac;
  readonly phienBan: number;
}

/** The pulled record document (§6): `<HoSo xmlns="…" thaoTac="…" phienBan="…">…</HoSo>`. */
export function buildNationalRecordDocument(entry: NationalRecordEntry): Buffer {
  const attributes = ` xmlns="${EXCHANGE_NAMESPACE}" thaoTac="${entry.thaoTac}" phienBan="${entry.phienBan}"`;
  return Buffer.from(`${XML_DECLARATION}${recordElementXml(entry.hoSo, attributes)}\n`, 'utf8');
}

/**
 * Reads a national record document without comparing its version to anything: root `HoSo` with the
 * namespace and valid `thaoTac` and `phienBan`, both required (BAD_PAYLOAD, reason MISSING_ATTRIBUTE
 * or INVALID_VALUE, with the attribute's path). Any other attribute is UNEXPECTED_ATTRIBUTE.
 */
export function readNationalRecordDocument(bytes: Uint8Array, opts: ParseRecordOptions): NationalRecordEntry {
  const root = parseSafeXml(bytes, opts, 'HoSo', ['thaoTac', 'phienBan']);
  const attrs = readEntryAttributes(root);
  const problem = attrs.issues[0];
  if (problem) throw badPayload(problem.code === 'MISSING_FIELD' ? 'MISSING_ATTRIBUTE' : 'INVALID_VALUE', { path: `HoSo/${problem.path}` });
  const read = readRecordElement(root, opts, ['xmlns', 'thaoTac', 'phienBan']);
  if (read.hoSo === undefined) throw recordError(read.issues);
  return { hoSo: read.hoSo, thaoTac: attrs.thaoTac as ThaoTac, phienBan: attrs.phienBan as number };
}

/**
 * Reads the document of a pull answer (§5): as readNationalRecordDocument, and its `phienBan` must
 * equal the answer's `version` (BAD_PAYLOAD, reason WRONG_VERSION, otherwise).
 */
export function parsePulledRecordDocument(bytes: Uint8Array, opts: ParseRecordOptions & { readonly version: number }): NationalRecordEntry {
  const entry = readNationalRecordDocument(bytes, opts);
  if (entry.phienBan !== opts.version) throw badPayload('WRONG_VERSION', { path: 'HoSo/@phienBan', phienBan: entry.phienBan, version: opts.version });
  return entry;
}

function recordError(issues: readonly ExchangeIssue[]): GatewayError {
  const first = issues[0];
  const code = first !== undefined && isErrorCode(first.code) ? first.code : 'MISSING_FIELD';
  return new GatewayError(code, { issues });
}

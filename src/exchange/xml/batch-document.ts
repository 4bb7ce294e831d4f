// The batch document `GoiTinDongBo` (NATIONAL_API.md §6). The writer streams: it yields UTF-8 chunks
// of about `chunkChars` characters (plus at most one record), never the whole document as one string,
// so memory does not grow with the number of records. `SoHoSo` is written first, so the count is part
// of the header; the writer throws COUNT_MISMATCH when the record stream yields another number (a
// consumer must then discard what it has received). `KyDongBo` is left out when the period is null
// (a batch outside the monthly cycle, §4): §6 says empty optional elements are left out.
//
// The parser reads the whole document (well-formed, root, namespace, phienBan="1.0", complete header,
// SoHoSo equal to the number of HoSo); any of that failing fails the batch. Problems inside a record
// never fail the batch: they come back as that record's issues, with §6 rejection codes.

import { checkAgencyCode, isCanonicalAgencyCode, level1Code } from '../../domain/agency-code.ts';
import { isMonth, isOffsetDateTime } from '../../domain/calendar-date.ts';
import { THAO_TAC, type HoSo, type ThaoTac } from '../../domain/profile.ts';
import { GatewayError } from '../../errors.ts';
import { attribute, readEntryAttributes, readRecordElement, type ExchangeIssue, type RecordReadOptions } from './record-reader.ts';
import { recordElementXml } from './record-writer.ts';
import { badPayload, EXCHANGE_NAMESPACE, parseSafeXml, type SafeParseOptions, type XmlNode } from './safe-parse.ts';
import { asContainer, childNames, hasOnlyWhitespaceText, readFlatElement, singleChild, xmlText } from './xml-reader.ts';
import { escapeXml, parseInteger } from './xml-text.ts';

export const BATCH_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DOCUMENT_VERSION = '1.0';

/** `ThongTinGoi`. Field names follow the JSON envelope of §4. */
export interface BatchHeader {
  /** MaGoi */
  readonly batchId: string;
  /** MaDonViGui */
  readonly senderCode: string;
  /** KyDongBo, `YYYY-MM`; null outside the monthly cycle (element left out). */
  readonly period: string | null;
  /** ThoiGianTao, ISO 8601 with offset. */
  readonly createdAt: string;
  /** SoHoSo: the number of records the stream will yield. */
  readonly recordCount: number;
}

export interface BatchEntry {
  readonly thaoTac: ThaoTac;
  /** The record's version in the province. */
  readonly phienBan: number;
  readonly hoSo: HoSo;
}

// ── writing ────────────────────────────────────────────────────────────────

function invalidHeader(field: string, value: unknown): GatewayError {
  return new GatewayError('INVALID_VALUE', { path: `GoiTinDongBo/ThongTinGoi/${field}`, value });
}

function batchPrologue(h: BatchHeader): string {
  if (!BATCH_ID.test(h.batchId)) throw invalidHeader('MaGoi', h.batchId);
  if (!isCanonicalAgencyCode(h.senderCode)) throw invalidHeader('MaDonViGui', h.senderCode);
  if (h.period !== null && !isMonth(h.period)) throw invalidHeader('KyDongBo', h.period);
  if (!isOffsetDateTime(h.createdAt)) throw invalidHeader('ThoiGianTao', h.createdAt);
  if (!Number.isSafeInteger(h.recordCount) || h.recordCount < 0) throw invalidHeader('SoHoSo', h.recordCount);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<GoiTinDongBo xmlns="${EXCHANGE_NAMESPACE}" phienBan="${DOCUMENT_VERSION}">` +
    `<ThongTinGoi><MaGoi>${escapeXml(h.batchId)}</MaGoi><MaDonViGui>${escapeXml(h.senderCode)}</MaDonViGui>` +
    (h.period === null ? '' : `<KyDongBo>${h.period}</KyDongBo>`) +
    `<ThoiGianTao>${escapeXml(h.createdAt)}</ThoiGianTao><SoHoSo>${h.recordCount}</SoHoSo></ThongTinGoi>` +
    `<DanhSachHoSo>`
  );
}

const BATCH_EPILOGUE = '</DanhSachHoSo></GoiTinDongBo>\n';

function checkEntry(entry: Pick<BatchEntry, 'thaoTac' | 'phienBan'>, index: number): void {
  if (!(THAO_TAC as readonly string[]).includes(entry.thaoTac)) {
    throw new GatewayError('INVALID_VALUE', { path: `DanhSachHoSo/HoSo[${index}]/@thaoTac`, value: entry.thaoTac });
  }
  if (!Number.isSafeInteger(entry.phienBan) || entry.phienBan < 1) {
    throw new GatewayError('INVALID_VALUE', { path: `DanhSachHoSo/HoSo[${index}]/@phienBan`, value: entry.phienBan });
  }
}

/** The `HoSo` element of a batch entry: the record element with its thaoTac and phienBan attributes. */
export function batchEntryElementXml(entry: BatchEntry): string {
  return recordElementXml(entry.hoSo, ` thaoTac="${entry.thaoTac}" phienBan="${entry.phienBan}"`);
}

function entryXml(entry: BatchEntry, index: number): string {
  checkEntry(entry, index);
  return batchEntryElementXml(entry);
}

function countMismatch(declared: number, actual: number): GatewayError {
  return new GatewayError('COUNT_MISMATCH', { reason: 'COUNT_MISMATCH', declared, actual });
}

export interface WriteBatchOptions {
  /** Flush threshold in UTF-16 code units (a chunk is at most ~3 bytes per unit plus one record). */
  readonly chunkChars?: number;
}

const DEFAULT_CHUNK_CHARS = 32 * 1024;

/** The one serialiser behind both builders: feed entries, take chunks; the bytes cannot differ. */
class BatchChunker {
  private readonly header: BatchHeader;
  private readonly limit: number;
  private pending: string[];
  private pendingChars: number;
  private count = 0;

  constructor(header: BatchHeader, limit: number) {
    this.header = header;
    this.limit = limit;
    const prologue = batchPrologue(header);
    this.pending = [prologue];
    this.pendingChars = prologue.length;
  }

  /** Adds one record; returns a chunk when the threshold is reached. */
  add(entry: BatchEntry): Buffer | undefined {
    if (this.count >= this.header.recordCount) throw countMismatch(this.header.recordCount, this.count + 1);
    return this.append(entryXml(entry, this.count));
  }

  private append(xml: string): Buffer | undefined {
    this.count++;
    this.pending.push(xml);
    this.pendingChars += xml.length;
    return this.pendingChars >= this.limit ? this.flush() : undefined;
  }

  /** The last chunk; throws COUNT_MISMATCH when fewer records came than the header declares. */
  finish(): Buffer {
    if (this.count !== this.header.recordCount) throw countMismatch(this.header.recordCount, this.count);
    this.pending.push(BATCH_EPILOGUE);
    return this.flush();
  }

  private flush(): Buffer {
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    return chunk;
  }
}

/**
 * Streams the batch document as UTF-8 chunks. Throws COUNT_MISMATCH as soon as the stream yields one
 * record more than `header.recordCount`, or at the end when it yielded fewer; what was already yielded
 * must then be discarded.
 */
export async function* writeBatchDocument(
  header: BatchHeader,
  records: AsyncIterable<BatchEntry> | Iterable<BatchEntry>,
  opts: WriteBatchOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const chunker = new BatchChunker(header, opts.chunkChars ?? DEFAULT_CHUNK_CHARS);
  for await (const entry of records) {
    const chunk = chunker.add(entry);
    if (chunk !== undefined) yield chunk;
  }
  yield chunker.finish();
}

/** The whole batch document at once; byte-identical to the concatenated chunks of the writer. */
export function buildBatchDocument(header: BatchHeader, records: readonly BatchEntry[]): Buffer {
  if (records.length !== header.recordCount) throw countMismatch(header.recordCount, records.length);
  const chunker = new BatchChunker(header, DEFAULT_CHUNK_CHARS);
  const chunks: Buffer[] = [];
  for (const entry of records) {
    const chunk = chunker.add(entry);
    if (chunk !== undefined) chunks.push(chunk);
  }
  chunks.push(chunker.finish());
  return Buffer.concat(chunks);
}

/** A batch entry already written as its `HoSo` element (batchEntryElementXml), without the record itself. */
export interface WrittenBatchEntry {
  readonly thaoTac: ThaoTac;
  readonly phienBan: number;
  readonly xml: string;
  /** Buffer.byteLength(xml), when the caller already has it. */
  readonly bytes?: number;
}

/**
 * The whole batch document from entries written beforehand: byte-identical to buildBatchDocument over the
 * same entries (same checks in the same order, same errors), for a caller that had to write each record
 * anyway (to measure it against the batch size limit) and need not keep the records or write them twice.
 * The UTF-8 is written straight into one buffer of the exact size: no chunks, no concatenation.
 */
export function buildBatchDocumentFromWritten(header: BatchHeader, records: readonly WrittenBatchEntry[]): Buffer {
  if (records.length !== header.recordCount) throw countMismatch(header.recordCount, records.length);
  const prologue = batchPrologue(header);
  let size = Buffer.byteLength(prologue) + Buffer.byteLength(BATCH_EPILOGUE);
  records.forEach((entry, index) => {
    checkEntry(entry, index);
    size += entry.bytes ?? Buffer.byteLength(entry.xml);
  });
  const out = Buffer.allocUnsafe(size);
  let at = out.write(prologue, 0);
  for (const entry of records) at += out.write(entry.xml, at);
  at += out.write(BATCH_EPILOGUE, at);
  if (at !== size) throw new Error(`batch document: wrote ${at} of ${size} bytes`);
  return out;
}

// ── reading ────────────────────────────────────────────────────────────────

export interface ParseBatchOptions extends SafeParseOptions, RecordReadOptions {
  /** Refuse a batch declaring or holding more records (default 100,000: more cannot fit 32 MiB validly). */
  readonly maxRecords?: number;
}

const DEFAULT_MAX_RECORDS = 100_000;

export interface ParsedBatchRecord {
  /** Position in DanhSachHoSo, from 0. */
  readonly index: number;
  /** Undefined when the attribute is missing or invalid (then an issue says so). */
  readonly thaoTac: ThaoTac | undefined;
  readonly phienBan: number | undefined;
  /** The raw SoDinhDanh text, when the record has one, to name the record in a rejection. */
  readonly personalId: string | undefined;
  /** Present only when the record has no issue. */
  readonly hoSo?: HoSo;
  readonly issues: readonly ExchangeIssue[];
}

export interface ParsedBatch {
  readonly header: BatchHeader;
  readonly records: readonly ParsedBatchRecord[];
}

const HEADER_FIELDS = ['MaGoi', 'MaDonViGui', 'KyDongBo', 'ThoiGianTao', 'SoHoSo'] as const;
const HEADER_REQUIRED = ['MaGoi', 'MaDonViGui', 'ThoiGianTao', 'SoHoSo'] as const;

function readHeader(root: XmlNode): BatchHeader {
  const path = 'GoiTinDongBo/ThongTinGoi';
  const node = asContainer(singleChild(root, 'ThongTinGoi', 'GoiTinDongBo'));
  if (node === undefined) throw badPayload('MISSING_ELEMENT', { path });
  const f = readFlatElement(node, path, HEADER_FIELDS, HEADER_REQUIRED);
  const bad = (name: string, value: unknown): never => {
    throw badPayload('INVALID_VALUE', { path: `${path}/${name}`, value });
  };
  const batchId = f.MaGoi ?? '';
  const sender = checkAgencyCode(f.MaDonViGui); // a QCVN 102:2016 code is accepted and converted (§1)
  const createdAt = f.ThoiGianTao ?? '';
  const recordCount = parseInteger(f.SoHoSo ?? '');
  if (!BATCH_ID.test(batchId)) bad('MaGoi', batchId);
  if (!sender.ok) return bad('MaDonViGui', f.MaDonViGui);
  if (f.KyDongBo !== undefined && !isMonth(f.KyDongBo)) bad('KyDongBo', f.KyDongBo);
  if (!isOffsetDateTime(createdAt)) bad('ThoiGianTao', createdAt);
  if (recordCount === undefined || recordCount < 0) return bad('SoHoSo', f.SoHoSo);
  return { batchId, senderCode: sender.code, period: f.KyDongBo ?? null, createdAt, recordCount };
}

/** The HoSo items of DanhSachHoSo; anything else in the list fails the batch. */
function recordItems(root: XmlNode): unknown[] {
  const path = 'GoiTinDongBo/DanhSachHoSo';
  const list = asContainer(singleChild(root, 'DanhSachHoSo', 'GoiTinDongBo'));
  if (list === undefined) throw badPayload('MISSING_ELEMENT', { path });
  if (!hasOnlyWhitespaceText(list)) throw badPayload('MIXED_CONTENT', { path });
  for (const name of Object.keys(list)) {
    if (name === 'HoSo' || name === '#text') continue;
    throw badPayload(name.startsWith('@_') ? 'UNEXPECTED_ATTRIBUTE' : 'UNKNOWN_ELEMENT', { path: `${path}/${name}` });
  }
  return (list['HoSo'] ?? []) as unknown[];
}

function readEntry(item: unknown, index: number, opts: RecordReadOptions): ParsedBatchRecord {
  const attrs = readEntryAttributes(asContainer(item) ?? {});
  const read = readRecordElement(item, opts, ['thaoTac', 'phienBan']);
  const issues = [...attrs.issues, ...read.issues];
  return {
    index,
    thaoTac: attrs.thaoTac,
    phienBan: attrs.phienBan,
    personalId: read.personalId,
    ...(issues.length === 0 && read.hoSo !== undefined ? { hoSo: read.hoSo } : {}),
    issues,
  };
}

/** Reads and checks a batch document; per-record problems are returned, not thrown. */
export function parseBatchDocument(bytes: Uint8Array, opts: ParseBatchOptions): ParsedBatch {
  const root = parseSafeXml(bytes, opts, 'GoiTinDongBo', ['phienBan']);
  const version = attribute(root, 'phienBan');
  if (version !== DOCUMENT_VERSION) throw badPayload('WRONG_VERSION', { expected: DOCUMENT_VERSION, found: version ?? null });
  if (!hasOnlyWhitespaceText(root)) throw badPayload('MIXED_CONTENT', { path: 'GoiTinDongBo' });
  const names = childNames(root);
  for (const name of names) {
    if (name !== 'ThongTinGoi' && name !== 'DanhSachHoSo') throw badPayload('UNKNOWN_ELEMENT', { path: `GoiTinDongBo/${name}` });
  }
  if (names[0] === 'DanhSachHoSo' && names.length > 1) throw badPayload('ELEMENT_ORDER', { path: 'GoiTinDongBo/ThongTinGoi' });
  const header = readHeader(root);
  const maxRecords = opts.maxRecords ?? DEFAULT_MAX_RECORDS;
  if (header.recordCount > maxRecords) throw badPayload('TOO_MANY_RECORDS', { declared: header.recordCount, maxRecords });
  const items = recordItems(root);
  if (items.length !== header.recordCount) throw countMismatch(header.recordCount, items.length);
  const recordOpts: RecordReadOptions = { ...opts, provinceCode: opts.provinceCode ?? level1Code(header.senderCode) };
  return { header, records: items.map((item, index) => readEntry(item, index, recordOpts)) };
}

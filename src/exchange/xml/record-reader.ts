// Reads a `HoSo` element (already through safe-parse.ts) into a record, walking RECORD_LAYOUT. Nothing
// here throws for a record's content: structural problems (unknown or duplicated elements, attributes,
// mixed content, a number or boolean that does not read) become issues, then the domain normalises the
// record (NFC, trimmed, empty optionals dropped, QCVN 102:2016 agency codes converted) and validates it
// (validateRecord: schema, personal id against birth date and gender, agency codes, date rules, the
// SO_NOI_VU approval). A missing SO_NOI_VU approval is reported with the national code NOT_APPROVED.
// Only a broken document (an undeclared entity, a character reference to a forbidden character) throws
// BAD_PAYLOAD, from the entity decoder.

import { parseDecimal } from '../../domain/decimal-text.ts';
import { normalizeRecord, THAO_TAC, validateRecord, type HoSo, type RecordIssue, type ThaoTac } from '../../domain/profile.ts';
import { RECORD_LAYOUT, type GroupSpec, type LeafSpec, type ListSpec } from './record-layout.ts';
import type { XmlNode } from './safe-parse.ts';
import { ATTR, asContainer, hasOnlyWhitespaceText, leafText, TEXT, xmlText } from './xml-reader.ts';
import { formatDateTime, parseBoolean, parseInteger } from './xml-text.ts';
import { systemClock } from '../../clock.ts';

/** A §6 per-record rejection: the domain's codes plus NOT_APPROVED. */
export type ExchangeIssueCode = RecordIssue['code'] | 'NOT_APPROVED';

export interface ExchangeIssue {
  /** Dotted path inside the record (`SoYeuLyLich.Luong.HeSoLuong`, `PheDuyet[0].Cap`, `@thaoTac`). */
  readonly path: string;
  readonly code: ExchangeIssueCode;
  readonly reason: string;
}

export interface RecordReadOptions {
  /** Local date 'YYYY-MM-DD' (Asia/Ho_Chi_Minh) for the date rules; default: now in UTC+07:00. */
  readonly today?: string;
  /** When given, MaDonViSuDung must lie under this level-1 code (AGENCY_NOT_IN_PROVINCE). */
  readonly provinceCode?: string;
  /** Default true: a record needs a SO_NOI_VU approval (NOT_APPROVED). */
  readonly requireProvinceApproval?: boolean;
}

export interface RecordReadResult {
  /** The SoDinhDanh text as found (entity-decoded, NFC), to name the record in a rejection. */
  readonly personalId: string | undefined;
  /** The normalised record, only when there is no issue. */
  readonly hoSo?: HoSo;
  readonly issues: readonly ExchangeIssue[];
}

export function localToday(): string {
  return formatDateTime(systemClock.now(), 420).slice(0, 10);
}

type Issues = ExchangeIssue[];

const join = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);

function leafValue(spec: LeafSpec, raw: unknown, path: string, issues: Issues): unknown {
  const leaf = leafText(raw);
  if (!leaf.ok) {
    issues.push({ path, code: 'INVALID_VALUE', reason: leaf.reason });
    return undefined;
  }
  const text = leaf.text.trim();
  if (text === '') return undefined; // an empty element counts as absent
  let value: unknown;
  switch (spec.type) {
    case 'text':
      return leaf.text;
    case 'integer':
      value = parseInteger(text);
      break;
    case 'decimal':
      try {
        value = parseDecimal(text, spec.name);
      } catch {
        value = undefined;
      }
      break;
    case 'boolean':
      value = parseBoolean(text);
      break;
  }
  if (value === undefined) issues.push({ path, code: 'INVALID_VALUE', reason: 'TYPE' });
  return value;
}

function listValue(spec: ListSpec, raw: unknown, path: string, issues: Issues): unknown[] | undefined {
  const node = asContainer(raw);
  if (node === undefined || !hasOnlyWhitespaceText(node)) {
    issues.push({ path, code: 'INVALID_VALUE', reason: node === undefined ? 'TYPE' : 'MIXED_CONTENT' });
    return undefined;
  }
  const out: unknown[] = [];
  for (const key of Object.keys(node)) {
    if (key === TEXT) continue;
    if (key !== spec.item.name) {
      issues.push({ path: `${path}.${key.startsWith(ATTR) ? `@${key.slice(ATTR.length)}` : key}`, code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' });
      continue;
    }
    const items = node[key] as unknown[];
    for (const item of items) out.push(groupValue(spec.item, item, `${path}[${out.length}]`, issues, []));
  }
  return out;
}

function groupValue(spec: GroupSpec, raw: unknown, path: string, issues: Issues, attributes: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const node = asContainer(raw);
  if (node === undefined) {
    issues.push({ path, code: 'INVALID_VALUE', reason: 'TYPE' });
    return out;
  }
  if (!hasOnlyWhitespaceText(node)) issues.push({ path, code: 'INVALID_VALUE', reason: 'MIXED_CONTENT' });
  let lastPosition = -1; // keys come in document order of first appearance
  for (const key of Object.keys(node)) {
    if (key === TEXT) continue;
    if (key.startsWith(ATTR)) {
      const name = key.slice(ATTR.length);
      if (!attributes.includes(name)) issues.push({ path: join(path, `@${name}`), code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' });
      continue;
    }
    const at = join(path, key);
    const child = spec.byName.get(key);
    const occurrences = node[key] as unknown[];
    if (child === undefined) {
      issues.push({ path: at, code: 'INVALID_VALUE', reason: 'UNKNOWN_FIELD' });
      continue;
    }
    if (occurrences.length !== 1) {
      issues.push({ path: at, code: 'INVALID_VALUE', reason: 'DUPLICATE' });
      continue;
    }
    const position = spec.position.get(key) ?? 0;
    if (position < lastPosition) issues.push({ path: at, code: 'INVALID_VALUE', reason: 'ORDER' });
    lastPosition = Math.max(lastPosition, position);
    const value =
      child.kind === 'leaf' ? leafValue(child, occurrences[0], at, issues)
      : child.kind === 'list' ? listValue(child, occurrences[0], at, issues)
      : groupValue(child, occurrences[0], at, issues, []);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** No SO_NOI_VU level, or no PheDuyet at all when approval is required: the national code NOT_APPROVED. */
function domainIssue(issue: RecordIssue, approvalRequired: boolean): ExchangeIssue {
  const noApproval =
    issue.reason === 'NO_PROVINCE_APPROVAL' || (approvalRequired && issue.path === 'PheDuyet' && issue.code === 'MISSING_FIELD');
  return noApproval ? { path: 'PheDuyet', code: 'NOT_APPROVED', reason: 'NO_PROVINCE_APPROVAL' } : issue;
}

/**
 * Reads one `HoSo` element. `attributes` are the attribute names the caller reads itself (`thaoTac`,
 * `phienBan` in a batch, `xmlns` on a record document); any other attribute is an issue.
 */
export function readRecordElement(raw: unknown, opts: RecordReadOptions, attributes: readonly string[] = []): RecordReadResult {
  const issues: Issues = [];
  const structural = groupValue(RECORD_LAYOUT, raw, '', issues, attributes);
  const id = structural['SoDinhDanh'];
  const record = normalizeRecord(structural);
  const validation = validateRecord(record, {
    today: opts.today ?? localToday(),
    ...(opts.provinceCode === undefined ? {} : { provinceCode: opts.provinceCode }),
    ...(opts.requireProvinceApproval === undefined ? {} : { requireProvinceApproval: opts.requireProvinceApproval }),
  });
  for (const issue of validation) issues.push(domainIssue(issue, opts.requireProvinceApproval !== false));
  return {
    personalId: typeof id === 'string' ? id : undefined,
    ...(issues.length === 0 ? { hoSo: record } : {}),
    issues,
  };
}

/** An attribute's text (entity-decoded), or undefined when absent. */
export function attribute(node: XmlNode, name: string): string | undefined {
  const raw = node[`@_${name}`];
  return typeof raw === 'string' ? xmlText(raw) : undefined;
}

/**
 * The `thaoTac` and `phienBan` attributes of a `HoSo` element: in a batch (§6), and on the root of a
 * pulled record document, which is the element as the national side accepted it.
 */
export function readEntryAttributes(node: XmlNode): { thaoTac?: ThaoTac; phienBan?: number; issues: ExchangeIssue[] } {
  const issues: ExchangeIssue[] = [];
  const op = attribute(node, 'thaoTac');
  const version = attribute(node, 'phienBan');
  const out: { thaoTac?: ThaoTac; phienBan?: number } = {};
  if (op === undefined) issues.push({ path: '@thaoTac', code: 'MISSING_FIELD', reason: 'REQUIRED' });
  else if ((THAO_TAC as readonly string[]).includes(op)) out.thaoTac = op as ThaoTac;
  else issues.push({ path: '@thaoTac', code: 'INVALID_VALUE', reason: 'ENUM' });
  const n = version === undefined ? undefined : parseInteger(version);
  if (version === undefined) issues.push({ path: '@phienBan', code: 'MISSING_FIELD', reason: 'REQUIRED' });
  else if (n !== undefined && n >= 1) out.phienBan = n;
  else issues.push({ path: '@phienBan', code: 'INVALID_VALUE', reason: 'FORMAT' });
  return { ...out, issues };
}

// The approval manifest (biên bản phê duyệt): the exact bytes an agency head or Sở Nội vụ signs.
// It lists every approved change by personal id, change id and the SHA-256 of the change's canonical
// content, so an approval covers precisely that content: a change edited later no longer matches.
// Canonical form: UTF-8 XML in the exchange namespace, no insignificant white space, items sorted by
// change id, fixed element order. Building it twice from the same input gives the same bytes.
import { createHash } from 'node:crypto';
import type { CapPheDuyetLevel } from './profile-enums.ts';

export interface ManifestItem {
  personalId: string;
  changeId: string;
  contentSha256: string;
}

export interface ManifestInput {
  level: CapPheDuyetLevel;
  agencyCode: string;
  period: string;
  /** ISO 8601 with offset, Vietnam time. */
  createdAt: string;
  items: ManifestItem[];
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const el = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

export function buildApprovalManifest(input: ManifestInput): Buffer {
  const items = [...input.items].sort((a, b) => (a.changeId < b.changeId ? -1 : a.changeId > b.changeId ? 1 : 0));
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<BienBanPheDuyet xmlns="urn:vn:gov:cbccvc:dongbo:1" phienBan="1.0">',
    el('Cap', input.level), el('MaDonVi', input.agencyCode), el('KyPheDuyet', input.period),
    el('ThoiGianLap', input.createdAt), el('SoThayDoi', String(items.length)),
    '<DanhSach>',
    ...items.map((i) => `<ThayDoi>${el('SoDinhDanh', i.personalId)}${el('MaThayDoi', i.changeId)}${el('MaBam', i.contentSha256)}</ThayDoi>`),
    '</DanhSach>',
    '</BienBanPheDuyet>',
  ];
  return Buffer.from(parts.join(''), 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Which listed changes no longer stand as they were when the manifest was made
 * (edited, returned, or already approved by someone else): any such change makes the manifest stale.
 */
export function staleItems(items: ManifestItem[], current: Map<string, { contentSha256: string; eligible: boolean }>): ManifestItem[] {
  return items.filter((i) => {
    const now = current.get(i.changeId);
    return !now || !now.eligible || now.contentSha256 !== i.contentSha256;
  });
}

export interface ParsedManifest extends ManifestInput {
  readonly sha256: string;
}

const MANIFEST_SHAPE = new RegExp(
  '^<\\?xml version="1\\.0" encoding="UTF-8"\\?><BienBanPheDuyet xmlns="urn:vn:gov:cbccvc:dongbo:1" phienBan="1\\.0">'
  + '<Cap>(CO_QUAN|SO_NOI_VU)</Cap><MaDonVi>([^<]{1,60})</MaDonVi><KyPheDuyet>([0-9]{4}-(?:0[1-9]|1[0-2]))</KyPheDuyet>'
  + '<ThoiGianLap>([^<]{1,40})</ThoiGianLap><SoThayDoi>([0-9]{1,7})</SoThayDoi><DanhSach>((?:<ThayDoi>.*?</ThayDoi>)*)</DanhSach></BienBanPheDuyet>$', 's');
const ITEM_SHAPE = /<ThayDoi><SoDinhDanh>([^<]{1,40})<\/SoDinhDanh><MaThayDoi>([^<]{1,80})<\/MaThayDoi><MaBam>([0-9a-f]{64})<\/MaBam><\/ThayDoi>/gy;
const unescapeXml = (s: string) => s.replace(/&#([0-9]{2,3});/g, (_m, code: string) => String.fromCharCode(Number(code)));

/**
 * Reads a manifest this gateway made (the signer agent shows it before signing). Strict: the bytes must
 * be exactly what buildApprovalManifest gives for what was read, so nothing can hide in the document.
 * Anything else is undefined.
 */
export function parseApprovalManifest(bytes: Uint8Array): ParsedManifest | undefined {
  if (bytes.byteLength > 64 * 1024 * 1024) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const m = MANIFEST_SHAPE.exec(text);
  if (!m) return undefined;
  const items: ManifestItem[] = [];
  const list = m[6] ?? '';
  ITEM_SHAPE.lastIndex = 0;
  for (let item = ITEM_SHAPE.exec(list); item; item = ITEM_SHAPE.exec(list)) {
    items.push({ personalId: unescapeXml(item[1]!), changeId: unescapeXml(item[2]!), contentSha256: item[3]! });
    if (ITEM_SHAPE.lastIndex === list.length) break;
  }
  const input: ManifestInput = {
    level: m[1] as CapPheDuyetLevel, agencyCode: unescapeXml(m[2]!), period: m[3]!, createdAt: unescapeXml(m[4]!), items,
  };
  if (Number(m[5]) !== items.length || !buildApprovalManifest(input).equals(Buffer.from(bytes))) return undefined;
  return { ...input, sha256: sha256Hex(bytes) };
}

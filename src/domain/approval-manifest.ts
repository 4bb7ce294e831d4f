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

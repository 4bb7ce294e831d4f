// The reference pipeline's XML: the same bytes as the gateway's batch document (NATIONAL_API.md §6), by
// the plainest string building that still gets them right — element order from the one record layout,
// `& < > " ' CR` escaped, numbers in their wire form — and nothing else: no validation, no NFC pass
// (stored text is NFC already), no content hash, no approval checks. It is the floor the gateway is
// compared with, not a second implementation to use.
import { RECORD_LAYOUT, type FieldSpec, type GroupSpec } from '../exchange/xml/record-layout.ts';
import { EXCHANGE_NAMESPACE } from '../exchange/xml/safe-parse.ts';
import { formatDecimal } from '../domain/decimal-text.ts';
import { escapeXml, formatDateTime } from '../exchange/xml/xml-text.ts';

type Obj = Record<string, unknown>;

function group(spec: GroupSpec, value: Obj): string {
  let out = '';
  for (const child of spec.children) {
    const v = value[child.name];
    if (v !== undefined && v !== null) out += field(child, v);
  }
  return out;
}

function field(spec: FieldSpec, v: unknown): string {
  if (spec.kind === 'group') {
    const inner = group(spec, v as Obj);
    return inner === '' ? '' : spec.open + inner + spec.close;
  }
  if (spec.kind === 'list') {
    let items = '';
    for (const item of v as Obj[]) {
      const inner = group(spec.item, item);
      if (inner !== '') items += spec.item.open + inner + spec.item.close;
    }
    return items === '' ? '' : spec.open + items + spec.close;
  }
  let text: string;
  if (spec.type === 'text') {
    text = escapeXml(v as string);
    if (text === '') return '';
  } else if (spec.type === 'decimal') text = formatDecimal(v as number, spec.name);
  else text = String(v);
  return spec.open + text + spec.close;
}

export interface ReferenceRow {
  id: string;
  personalId: string;
  kind: string;
  category: string;
  status: string;
  managingAgencyCode: string;
  employingAgencyCode: string;
  effectiveDate: Date | null;
  profile: unknown;
  targetVersion: number;
  approvals: Array<{ level: string; agencyCode: string; signingTime: string; signerSerial: string; manifestSha256: string }> | null;
}

/** One `HoSo` element, as the gateway writes it into a batch. */
export function referenceRecordXml(r: ReferenceRow): string {
  const last = (level: string) => r.approvals?.filter((a) => a.level === level).at(-1);
  const pheDuyet = [last('CO_QUAN'), last('SO_NOI_VU')].filter((a) => a !== undefined).map((a) => ({
    Cap: a.level, MaDonVi: a.agencyCode, ThoiGian: formatDateTime(new Date(a.signingTime)), SoHieuChungThu: a.signerSerial, MaBamBienBan: a.manifestSha256,
  }));
  const hoSo: Obj = {
    SoDinhDanh: r.personalId, MaDonViQuanLy: r.managingAgencyCode, MaDonViSuDung: r.employingAgencyCode, PhanLoai: r.category, TrangThai: r.status,
    NgayHieuLuc: r.effectiveDate ? r.effectiveDate.toISOString().slice(0, 10) : undefined, SoYeuLyLich: r.profile, PheDuyet: pheDuyet,
  };
  return `<HoSo thaoTac="${r.kind}" phienBan="${r.targetVersion}">${group(RECORD_LAYOUT, hoSo)}</HoSo>`;
}

export function referenceBatchXml(h: { batchId: string; senderCode: string; period: string | null; createdAt: string }, records: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<GoiTinDongBo xmlns="${EXCHANGE_NAMESPACE}" phienBan="1.0">` +
    `<ThongTinGoi><MaGoi>${h.batchId}</MaGoi><MaDonViGui>${h.senderCode}</MaDonViGui>` +
    (h.period === null ? '' : `<KyDongBo>${h.period}</KyDongBo>`) +
    `<ThoiGianTao>${h.createdAt}</ThoiGianTao><SoHoSo>${records.length}</SoHoSo></ThongTinGoi><DanhSachHoSo>` +
    records.join('') + '</DanhSachHoSo></GoiTinDongBo>\n';
}

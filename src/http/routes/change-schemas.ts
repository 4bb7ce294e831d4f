// Request and response schemas shared by the person and change routes.
import Type from 'typebox';
import type { ChangeRow } from '../../store/changes.ts';
import { isoDate } from '../schemas.ts';

const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const Category = literals(['CAN_BO', 'CONG_CHUC', 'VIEN_CHUC', 'NGUOI_LAO_DONG']);
export const PersonStatus = literals(['DANG_CONG_TAC', 'NGHI_HUU', 'THOI_VIEC', 'TU_TRAN', 'CHUYEN_RA_NGOAI_TINH', 'CHUYEN_KHOI_DANG']);
export const ChangeStateSchema = literals(['DRAFT', 'SUBMITTED', 'VERIFIED', 'AGENCY_APPROVED', 'PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'RETURNED', 'REJECTED_BY_NATIONAL']);

export const AttachmentBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  mediaType: Type.String({ minLength: 1, maxLength: 100 }),
  contentBase64: Type.String({ minLength: 1 }),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
}, { additionalProperties: false });

export const ChangeSummary = Type.Object({
  id: Type.String(), personalId: Type.String(), kind: Type.String(), state: Type.String(), agencyCode: Type.String(),
  period: Type.Union([Type.String(), Type.Null()]), contentSha256: Type.String(), baseVersion: Type.Integer(),
  effectiveDate: Type.Union([Type.String(), Type.Null()]), returnReason: Type.Union([Type.String(), Type.Null()]),
  rejectionCode: Type.Union([Type.String(), Type.Null()]), rejectionMessage: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(), updatedAt: Type.String(),
});

export function toChangeSummary(c: ChangeRow) {
  return {
    id: c.id, personalId: c.personalId, kind: c.kind, state: c.state, agencyCode: c.agencyCode, period: c.period,
    contentSha256: c.contentSha256, baseVersion: c.baseVersion, effectiveDate: isoDate(c.effectiveDate),
    returnReason: c.returnReason, rejectionCode: c.rejectionCode, rejectionMessage: c.rejectionMessage,
    createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
  };
}

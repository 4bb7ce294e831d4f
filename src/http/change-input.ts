// Turns a request's profile and attachments into what the store writes: the profile normalised (NFC)
// and validated by the domain rules, the identifiers checked, the canonical content hashed, the
// attachments decoded and checked. Bad input fails here, before anything is written.
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import type { AttachmentInput, ChangeContent } from '../store/changes.ts';
import type { PersonCategory, PersonStatus } from '../generated/prisma/client.ts';
import { assertValidProfile, checkRecordConsistency, contentSha256, normalizeProfile, type SoYeuLyLich } from '../domain/profile.ts';
import { assertPersonalIdFormat } from '../domain/personal-id.ts';
import { matchesDeclaredType } from '../domain/file-signature.ts';

export const allowedMediaTypes = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const;

export interface AttachmentBody { name: string; mediaType: string; contentBase64: string; sha256?: string }

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeAttachments(list: AttachmentBody[] | undefined, maxBytes: number): AttachmentInput[] {
  return (list ?? []).map((a, index) => {
    if (!(allowedMediaTypes as readonly string[]).includes(a.mediaType)) {
      throw new GatewayError('ATTACHMENT_INVALID', { index, reason: 'MEDIA_TYPE', allowed: allowedMediaTypes });
    }
    const text = a.contentBase64.replace(/\s+/g, '');
    if (text.length % 4 !== 0 || !base64Pattern.test(text)) throw new GatewayError('ATTACHMENT_INVALID', { index, reason: 'BASE64' });
    // Checked before decoding, so an oversized file costs nothing.
    if (Math.floor(text.length / 4) * 3 > maxBytes + 2) throw new GatewayError('ATTACHMENT_TOO_LARGE', { index, maxBytes });
    const bytes = new Uint8Array(Buffer.from(text, 'base64'));
    if (bytes.length === 0) throw new GatewayError('ATTACHMENT_INVALID', { index, reason: 'EMPTY' });
    if (bytes.length > maxBytes) throw new GatewayError('ATTACHMENT_TOO_LARGE', { index, maxBytes, size: bytes.length });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (a.sha256 && a.sha256.toLowerCase() !== sha256) throw new GatewayError('ATTACHMENT_INVALID', { index, reason: 'SHA256_MISMATCH' });
    if (!matchesDeclaredType(a.mediaType, bytes)) throw new GatewayError('ATTACHMENT_INVALID', { index, reason: 'CONTENT_NOT_MEDIA_TYPE', mediaType: a.mediaType });
    return { name: a.name.normalize('NFC').trim(), mediaType: a.mediaType, size: bytes.length, sha256, bytes };
  });
}

export interface ContentInput {
  personalId: string;
  category: PersonCategory;
  status: PersonStatus;
  managingAgencyCode: string;
  employingAgencyCode: string;
  effectiveDate: string | null;
  profile: unknown;
}

export interface PreparedContent extends ChangeContent {
  fullName: string;
  gradeCode: string | null;
  normalized: SoYeuLyLich;
}

export function prepareContent(input: ContentInput, today: string): PreparedContent {
  assertPersonalIdFormat(input.personalId);
  const normalized = normalizeProfile(input.profile);
  assertValidProfile(normalized, { today });
  checkRecordConsistency(input.personalId, normalized);
  const effectiveDate = input.effectiveDate ? new Date(`${input.effectiveDate}T00:00:00Z`) : null;
  const hash = contentSha256({
    SoDinhDanh: input.personalId,
    MaDonViQuanLy: input.managingAgencyCode,
    MaDonViSuDung: input.employingAgencyCode,
    PhanLoai: input.category,
    TrangThai: input.status,
    NgayHieuLuc: input.effectiveDate ?? undefined,
    SoYeuLyLich: normalized,
  });
  return {
    category: input.category, status: input.status,
    managingAgencyCode: input.managingAgencyCode, employingAgencyCode: input.employingAgencyCode,
    effectiveDate, profile: normalized as never, contentSha256: hash,
    fullName: normalized.HoTen, gradeCode: normalized.Luong?.MaNgach ?? null, normalized,
  };
}

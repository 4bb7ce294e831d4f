// The printable, signed CV of one person (GET /persons/{id}/so-yeu-ly-lich.pdf): the person's current
// approved profile laid out as the TT 06/2023 form and signed as a PDF with the Sở Nội vụ organisation
// key (time-stamped when TSA_URL is set). A record still in its first review (version 0) has no approved
// profile to print: NOT_YET_APPROVED. Every print is audited, as a signed export is.
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';
import type { Db } from '../store/db.ts';
import { getAgency } from '../store/agencies.ts';
import { auditRead, type PersonRow } from '../store/changes.ts';
import { exportSigner } from '../reports/record-export.ts';
import { loadCvFonts } from '../reports/cv-fonts.ts';
import { signedCvPdf } from '../reports/cv-signature.ts';
import type { CvFonts } from '../reports/cv-pdf.ts';
import type { SoYeuLyLich } from '../domain/profile-schema.ts';

export interface PrintableCvDeps {
  db: Db;
  signing: SigningSetup | undefined;
  fontDir: string;
  provinceCode: string;
  now: () => Date;
}

const fontCache = new Map<string, CvFonts>();

export async function printableCv(deps: PrintableCvDeps, principal: Principal, person: PersonRow): Promise<{ pdf: Uint8Array; fileName: string }> {
  const signer = exportSigner(deps.signing);
  if (person.version === 0) throw new GatewayError('NOT_YET_APPROVED', { reason: 'NEVER_APPROVED', version: 0 });
  let fonts = fontCache.get(deps.fontDir);
  if (!fonts) fontCache.set(deps.fontDir, (fonts = loadCvFonts(deps.fontDir)));
  const [managing, employing, province] = await Promise.all([
    getAgency(deps.db, person.managingAgencyCode), getAgency(deps.db, person.employingAgencyCode), getAgency(deps.db, deps.provinceCode),
  ]);
  const now = deps.now();
  const pdf = await signedCvPdf({
    personalId: person.personalId, category: person.category, status: person.status, version: person.version,
    managingAgency: { code: person.managingAgencyCode, name: managing?.name ?? null },
    employingAgency: { code: person.employingAgencyCode, name: employing?.name ?? null },
    profile: person.profile as unknown as SoYeuLyLich,
  }, {
    fonts, signer, now, signerName: `Sở Nội vụ – ${province?.name ?? deps.provinceCode}`, location: province?.name ?? deps.provinceCode,
    ...(deps.signing?.tsaUrl ? { tsa: deps.signing.tsaUrl } : {}),
  });
  await auditRead(deps.db, principal, { type: 'person', id: person.personalId, agencyCode: person.employingAgencyCode }, { print: 'so-yeu-ly-lich.pdf', version: person.version, bytes: pdf.length });
  return { pdf, fileName: `so-yeu-ly-lich-${person.personalId}-v${person.version}.pdf` };
}

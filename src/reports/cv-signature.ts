// The printable CV signed as a PDF (PAdES baseline B, and T when a TSA is configured): a signature field
// with subfilter ETSI.CAdES.detached over the byte range, the CMS made by the gateway's own CAdES signer
// (signing-certificate-v2 among the signed attributes, the chain embedded) with the organisation key.
// RSA keys sign with PKCS#1 v1.5 here: RSASSA-PSS, which the national exchange uses, is not verified by
// every PDF reader. pdfsig (poppler) verifies the result in the tests; a changed byte breaks it.
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf, Signer } from '@signpdf/signpdf';
import { signDetached } from '../pki/sign-cms.ts';
import { RSA_PKCS1_SHA256 } from '../pki/algorithms.ts';
import type { SigningIdentity } from '../pki/signing-identity.ts';
import type { TsaEndpoint } from '../pki/timestamp-client.ts';
import { cvPdfDocument, type CvFonts, type CvRecord } from './cv-pdf.ts';

export const PDF_MEDIA_TYPE = 'application/pdf';

/** Room for the CMS: a 3072-bit chain of three certificates and a time-stamp token fit in well under this. */
const SIGNATURE_BYTES = 24_576;

class GatewaySigner extends Signer {
  constructor(private readonly identity: SigningIdentity, private readonly tsa: TsaEndpoint | undefined) {
    super();
  }

  override async sign(pdf: Buffer, signingTime?: Date): Promise<Buffer> {
    const cms = await signDetached(pdf, this.identity, {
      ...(signingTime ? { signingTime } : {}),
      ...(this.tsa ? { tsa: this.tsa } : {}),
      ...(this.identity.key.kind === 'RSA' ? { signatureAlgorithm: RSA_PKCS1_SHA256 } : {}),
    });
    return Buffer.from(cms);
  }
}

export interface SignedCvOptions {
  fonts: CvFonts;
  signer: SigningIdentity;
  /** Signer's name and place as the signature panel shows them. */
  signerName: string;
  location: string;
  now: Date;
  /** The TSA (its URL, or an in-process transport): the signature gets a time-stamp token (PAdES-T). */
  tsa?: TsaEndpoint;
}

/** The CV of `record` as a signed PDF. */
export async function signedCvPdf(record: CvRecord, o: SignedCvOptions): Promise<Uint8Array> {
  const doc = await cvPdfDocument(record, { fonts: o.fonts, created: o.now });
  pdflibAddPlaceholder({
    pdfDoc: doc, reason: 'Xác nhận bản in sơ yếu lý lịch từ Cơ sở dữ liệu cán bộ, công chức, viên chức', contactInfo: '',
    name: o.signerName, location: o.location, signingTime: o.now, signatureLength: SIGNATURE_BYTES, subFilter: 'ETSI.CAdES.detached', appName: 'csdl-gateway',
  });
  // Object streams off: the placeholder must be found as plain text in the file.
  const unsigned = await doc.save({ useObjectStreams: false });
  return new Uint8Array(await new SignPdf().sign(Buffer.from(unsigned), new GatewaySigner(o.signer, o.tsa), o.now));
}

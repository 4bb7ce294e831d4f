// The simulator's two signature services, loaded once at start: verifying the province's batch
// signatures against its trust anchors and CRLs (NATIONAL_API.md §3, §4), and signing as the national
// side (pulled records §5, transfer requests §7). Both delegate to pki/.
import { parseCertificates, type Certificate } from '../pki/certificates.ts';
import { parseCrls, type Crl } from '../pki/crl.ts';
import { signDetached } from '../pki/sign-cms.ts';
import { loadSigningIdentity, type SigningIdentity } from '../pki/signing-identity.ts';
import { verifyDetached } from '../pki/verify-cms.ts';

export type PkiInput = string | Uint8Array;

/** PEM text (one or more blocks) or DER bytes. */
export type SignerSource =
  | SigningIdentity
  | { readonly key: PkiInput; readonly cert: PkiInput; readonly chain?: PkiInput; readonly passphrase?: string };

export interface NationalSigner {
  sign(data: Uint8Array): Promise<Buffer>;
}

export interface ProvinceVerifier {
  /** Resolves when `cms` is a valid signature over `data`; throws GatewayError with the PKI code otherwise. */
  verify(data: Uint8Array, cms: Uint8Array): Promise<void>;
}

function isIdentity(source: SignerSource): source is SigningIdentity {
  return 'certificate' in source && 'key' in source && typeof (source as SigningIdentity).key === 'object' && !(source.key instanceof Uint8Array);
}

export async function createNationalSigner(source: SignerSource): Promise<NationalSigner> {
  const identity = isIdentity(source)
    ? source
    : await loadSigningIdentity({
      keyPem: source.key, certificatePem: source.cert,
      ...(source.chain !== undefined ? { chainPem: source.chain } : {}),
      ...(source.passphrase !== undefined ? { passphrase: source.passphrase } : {}),
    });
  return {
    async sign(data) {
      return Buffer.from(await signDetached(data, identity));
    },
  };
}

export interface VerifierOptions {
  readonly trustAnchors: readonly PkiInput[];
  readonly crls?: readonly PkiInput[];
  /** The verifier's clock (signatures from the future are refused). */
  readonly now?: () => Date;
}

export function createProvinceVerifier(options: VerifierOptions): ProvinceVerifier {
  const trustAnchors: Certificate[] = options.trustAnchors.flatMap((input) => parseCertificates(input));
  const crls: Crl[] = (options.crls ?? []).flatMap((input) => parseCrls(input));
  return {
    async verify(data, cms) {
      await verifyDetached(data, cms, { trustAnchors, crls, ...(options.now ? { now: options.now() } : {}) });
    },
  };
}

// A signer as the server holds it: private key + its certificate + the intermediates to embed.
// Loaded once at startup from a PKCS#12 file (password from the caller) or from PEM files.
import { createPublicKey } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import { bytesEqual } from './der.ts';
import { isSelfIssued, parseCertificates, publicKeyDer, sameCertificate, sameName, type Certificate } from './certificates.ts';
import { importPkcs8, importPrivateKeyPem, type SigningKey } from './keys.ts';
import { readPkcs12 } from './pkcs12.ts';
import { openDeviceKey, type DeviceKeySource } from './pkcs11.ts';

export interface SigningIdentity {
  readonly key: SigningKey;
  readonly certificate: Certificate;
  /** Intermediate CA certificates embedded next to the signer's (never the root). */
  readonly chain: Certificate[];
}

export type IdentitySource =
  | { readonly pkcs12: Uint8Array; readonly password: string }
  /** A key on a PKCS#11 token or HSM; the certificate is the one on the token that holds its public key. */
  | { readonly pkcs11: DeviceKeySource; readonly chainPem?: string | Uint8Array }
  | {
    readonly keyPem: string | Uint8Array;
    /** The signer's certificate; may be a bundle that also holds the chain. */
    readonly certificatePem: string | Uint8Array;
    readonly chainPem?: string | Uint8Array;
    /** For an encrypted PKCS#8 key. */
    readonly passphrase?: string;
  };

export async function loadSigningIdentity(source: IdentitySource): Promise<SigningIdentity> {
  if ('pkcs11' in source) {
    const { key, certificates } = await openDeviceKey(source.pkcs11);
    try {
      // A token may hold other signers' certificates too: only the key's own and its issuers are kept.
      const candidates = [...certificates.map((c) => c.certificate), ...(source.chainPem === undefined ? [] : parseCertificates(source.chainPem))];
      const own = assembleIdentity(key, candidates).certificate;
      return assembleIdentity(key, [own, ...issuersOf(own, candidates)]);
    } catch (err) {
      key.close();
      throw err;
    }
  }
  if ('pkcs12' in source) {
    const contents = readPkcs12(source.pkcs12, source.password);
    const key = await importPkcs8(contents.privateKeyPkcs8);
    const certs = contents.certificates.flatMap((der) => parseCertificates(der));
    return assembleIdentity(key, certs);
  }
  const key = await importPrivateKeyPem(source.keyPem, source.passphrase);
  const certs = [
    ...parseCertificates(source.certificatePem),
    ...(source.chainPem === undefined ? [] : parseCertificates(source.chainPem)),
  ];
  return assembleIdentity(key, certs);
}

/** Pairs a key with the certificate that holds its public key; the others become the chain. */
export function assembleIdentity(key: SigningKey, certificates: Certificate[]): SigningIdentity {
  const wanted = normalizedSpki(key.publicKeyDer);
  const certificate = certificates.find((cert) => {
    const spki = normalizedSpki(publicKeyDer(cert));
    return spki !== undefined && wanted !== undefined && bytesEqual(spki, wanted);
  });
  if (!certificate) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'no-certificate-for-key' });
  const chain: Certificate[] = [];
  for (const cert of certificates) {
    if (sameCertificate(cert, certificate) || isSelfIssued(cert) || chain.some((known) => sameCertificate(known, cert))) continue;
    chain.push(cert);
  }
  return { key, certificate, chain };
}

/** The certificates above `cert` among `candidates`, following issuer names (no root). */
function issuersOf(cert: Certificate, candidates: Certificate[]): Certificate[] {
  const chain: Certificate[] = [];
  let current = cert;
  for (;;) {
    const issuer = candidates.find((c) => !isSelfIssued(current) && sameName(c.subject, current.issuer) && !chain.some((known) => sameCertificate(known, c)));
    if (!issuer || isSelfIssued(issuer)) return chain;
    chain.push(issuer);
    current = issuer;
  }
}

/** SPKI re-encoded by OpenSSL, so that two encodings of one key compare equal. */
function normalizedSpki(spki: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }));
  } catch {
    return undefined;
  }
}

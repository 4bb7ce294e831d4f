// The signing material of a deployment, loaded once at start-up from the configuration: trust anchors,
// CRLs, OCSP and TSA endpoints for verifying, and the Sở Nội vụ organisation key for signing.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { GatewayError } from '../errors.ts';
import { parseCertificates, type Certificate } from '../pki/certificates.ts';
import { parseCrls, type Crl } from '../pki/crl.ts';
import { loadSigningIdentity, type SigningIdentity } from '../pki/signing-identity.ts';
import { assertTrustAnchors } from '../pki/trust-anchors.ts';
import { isDeviceKey } from '../pki/keys.ts';
import type { PersistentDeviceKey } from '../pki/pkcs11.ts';
import type { VerifyOptions } from '../pki/verify-cms.ts';

export interface SigningSetup {
  trustAnchors: Certificate[];
  intermediates: Certificate[];
  crls: Crl[];
  ocspUrl?: string;
  tsaUrl?: string;
  /** The organisation signer, when this deployment signs server-side. */
  orgSigner?: SigningIdentity;
  sessionMinutes: number;
}

function readAll<T>(files: string[], parse: (bytes: Uint8Array) => T[], variable: string): T[] {
  return files.flatMap((file) => {
    try {
      return parse(readFileSync(file));
    } catch (err) {
      throw new GatewayError('CONFIG_INVALID', { variable, file, reason: (err as Error).message });
    }
  });
}

/** The organisation key on an HSM, from SIGNER_PKCS11_*; the PIN from the environment or a file. */
export async function loadHsmSigner(config: Config): Promise<SigningIdentity> {
  const variable = 'SIGNER_PKCS11_MODULE';
  if (config.signerP12File || config.signerKeyFile) throw new GatewayError('CONFIG_INVALID', { variable, reason: 'one organisation key: SIGNER_PKCS11_MODULE or SIGNER_P12_FILE or SIGNER_KEY_FILE' });
  if (!config.signerPkcs11KeyLabel && !config.signerPkcs11KeyId) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_PKCS11_KEY_LABEL', reason: 'required with SIGNER_PKCS11_MODULE' });
  if (!config.signerPkcs11Slot && !config.signerPkcs11TokenLabel) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_PKCS11_TOKEN_LABEL', reason: 'SIGNER_PKCS11_SLOT or SIGNER_PKCS11_TOKEN_LABEL is required' });
  if (config.signerPkcs11Slot && !/^[0-9]+$/.test(config.signerPkcs11Slot)) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_PKCS11_SLOT', reason: 'expected a slot number' });
  let pin = config.signerPkcs11Pin;
  if (!pin && config.signerPkcs11PinFile) {
    try {
      pin = readFileSync(config.signerPkcs11PinFile, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_PKCS11_PIN_FILE', reason: (err as Error).message });
    }
  }
  if (!pin) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_PKCS11_PIN', reason: 'SIGNER_PKCS11_PIN or SIGNER_PKCS11_PIN_FILE is required' });
  return loadSigningIdentity({
    pkcs11: {
      modulePath: config.signerPkcs11Module, pin,
      ...(config.signerPkcs11Slot ? { slot: BigInt(config.signerPkcs11Slot) } : { tokenLabel: config.signerPkcs11TokenLabel }),
      ...(config.signerPkcs11KeyLabel ? { keyLabel: config.signerPkcs11KeyLabel } : {}),
      ...(config.signerPkcs11KeyId ? { keyId: config.signerPkcs11KeyId } : {}),
    },
    ...(config.signerPkcs11ChainFile ? { chainPem: readFileSync(config.signerPkcs11ChainFile) } : {}),
  });
}

export async function loadSigningSetup(config: Config): Promise<SigningSetup> {
  let orgSigner: SigningIdentity | undefined;
  if (config.signerPkcs11Module) {
    orgSigner = await loadHsmSigner(config);
  } else if (config.signerP12File) {
    if (!config.signerP12Password) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_P12_PASSWORD', reason: 'required with SIGNER_P12_FILE' });
    orgSigner = await loadSigningIdentity({ pkcs12: readFileSync(config.signerP12File), password: config.signerP12Password });
  } else if (config.signerKeyFile || config.signerCertFile) {
    if (!config.signerKeyFile || !config.signerCertFile) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_KEY_FILE', reason: 'SIGNER_KEY_FILE and SIGNER_CERT_FILE go together' });
    orgSigner = await loadSigningIdentity({ keyPem: readFileSync(config.signerKeyFile), certificatePem: readFileSync(config.signerCertFile) });
  }
  const trustAnchors = readAll(config.trustAnchorFiles, (b) => parseCertificates(b), 'TRUST_ANCHORS');
  assertTrustAnchors(trustAnchors, 'TRUST_ANCHORS', config.trustAnchorPinning);
  return {
    trustAnchors,
    intermediates: readAll(config.intermediateFiles, (b) => parseCertificates(b), 'INTERMEDIATES'),
    crls: readAll(config.crlFiles, (b) => parseCrls(b), 'CRL_FILES'),
    ...(config.ocspUrl ? { ocspUrl: config.ocspUrl } : {}),
    ...(config.tsaUrl ? { tsaUrl: config.tsaUrl } : {}),
    ...(orgSigner ? { orgSigner } : {}),
    sessionMinutes: config.signingSessionMinutes,
  };
}

/** How approval signatures are verified: revocation data is required wherever some is configured. */
export function approvalVerifyOptions(setup: SigningSetup): VerifyOptions {
  if (setup.trustAnchors.length === 0) throw new GatewayError('CONFIG_INVALID', { variable: 'TRUST_ANCHORS', reason: 'no trust anchor configured' });
  return {
    trustAnchors: setup.trustAnchors,
    intermediates: setup.intermediates,
    crls: setup.crls,
    ...(setup.ocspUrl ? { ocsp: { url: setup.ocspUrl } } : {}),
    requireRevocation: setup.crls.length > 0 || setup.ocspUrl !== undefined,
    requireTimestamp: setup.tsaUrl !== undefined,
  };
}

/** Logs the organisation key out of its HSM, if it lives on one (at shutdown). */
export function closeSigningSetup(setup: Pick<SigningSetup, 'orgSigner'>): void {
  const key = setup.orgSigner?.key;
  if (key && isDeviceKey(key) && 'close' in key && typeof key.close === 'function') (key as PersistentDeviceKey).close();
}

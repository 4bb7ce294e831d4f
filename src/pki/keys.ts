// Private signing keys: PEM (PKCS#8, "RSA PRIVATE KEY", "EC PRIVATE KEY", encrypted PKCS#8) or PKCS#8
// DER, imported into WebCrypto as non-extractable keys. A WebCrypto key is bound to one algorithm,
// so an RSA key is imported twice: RSA-PSS for CMS signatures and PKCS#1 v1.5 for certificates,
// CRLs and OCSP answers (the demo CA) and for tokens that only sign v1.5.
import { createPrivateKey, createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import {
  describePublicKey, ECDSA_SHA256, isAcceptedKey, RSA_PKCS1_SHA256, RSA_PSS_SHA256, signBytes, type SignatureAlgorithm,
  type SignatureScheme,
} from './algorithms.ts';
import { asText, pemBlocks } from './pem.ts';

type CryptoKey = webcrypto.CryptoKey;

/**
 * A private key the gateway signs with: either held in memory as WebCrypto keys (files, PKCS#12), or
 * on a device (PKCS#11 token or HSM) that signs on request and never gives the key out. Code that signs
 * calls signWithKey() and never needs to know which.
 */
export type SigningKey = SoftwareSigningKey | DeviceSigningKey;

interface SigningKeyBase {
  readonly kind: 'RSA' | 'EC';
  /** RSA modulus length or EC field size. */
  readonly sizeBits: number;
  /** SubjectPublicKeyInfo DER of the matching public key (compared with certificates). */
  readonly publicKeyDer: Uint8Array;
}

/** A key loaded from a file, imported into WebCrypto as non-extractable keys. */
export interface SoftwareSigningKey extends SigningKeyBase {
  /** RSA: RSA-PSS with SHA-256. EC: ECDSA. */
  readonly signingKey: CryptoKey;
  /** RSA only: the same key for RSASSA-PKCS1-v1_5. */
  readonly pkcs1Key?: CryptoKey;
}

/** A key that lives on a device: it signs through `sign` and its bytes are never in this process. */
export interface DeviceSigningKey extends SigningKeyBase {
  /** Where the key lives, for logs and errors (e.g. "pkcs11:token=HSM;object=org-signer"). */
  readonly device: string;
  /** The schemes the device was found able to sign with. */
  readonly schemes: readonly SignatureScheme[];
  /**
   * Signs `data` (the whole message, hashed by the device or by the caller as the device needs) and
   * returns the value as CMS and X.509 carry it: ECDSA DER-encoded, RSA as is. Device failures are
   * GatewayErrors (PKCS11_*), never half results.
   */
  sign(algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array>;
}

export function isDeviceKey(key: SigningKey): key is DeviceSigningKey {
  return 'sign' in key && typeof key.sign === 'function';
}

const WEBCRYPTO_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Imports a private key given in PEM; `passphrase` opens an encrypted PKCS#8 key. */
export async function importPrivateKeyPem(pem: string | Uint8Array, passphrase?: string): Promise<SoftwareSigningKey> {
  const text = asText(pem);
  if (!pemBlocks(text).some((block) => block.label.endsWith('PRIVATE KEY'))) {
    throw new GatewayError('KEY_LOAD_FAILED', { reason: 'no-private-key' });
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(passphrase === undefined ? { key: text } : { key: text, passphrase });
  } catch (err) {
    throw new GatewayError('KEY_LOAD_FAILED', { reason: 'unreadable-private-key' }, { cause: err });
  }
  return importKeyObject(keyObject);
}

/** Imports an unencrypted PKCS#8 PrivateKeyInfo (DER). */
export async function importPkcs8(der: Uint8Array): Promise<SoftwareSigningKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new GatewayError('KEY_LOAD_FAILED', { reason: 'unreadable-private-key' }, { cause: err });
  }
  return importKeyObject(keyObject);
}

async function importKeyObject(keyObject: KeyObject): Promise<SoftwareSigningKey> {
  const publicKeyDer = new Uint8Array(createPublicKey(keyObject).export({ type: 'spki', format: 'der' }));
  const description = describePublicKey(publicKeyDer);
  if (!isAcceptedKey(description)) {
    throw new GatewayError('KEY_LOAD_FAILED', { reason: 'key-type-or-size-not-accepted', key: description ?? null });
  }
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const subtle = webcrypto.subtle;
  try {
    if (description.kind === 'EC') {
      const namedCurve = WEBCRYPTO_CURVES[description.curve ?? ''] ?? '';
      const signingKey = await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve }, false, ['sign']);
      return { kind: 'EC', sizeBits: description.sizeBits, signingKey, publicKeyDer };
    }
    const [signingKey, pkcs1Key] = await Promise.all([
      subtle.importKey('pkcs8', pkcs8, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']),
      subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']),
    ]);
    return { kind: 'RSA', sizeBits: description.sizeBits, signingKey, pkcs1Key, publicKeyDer };
  } finally {
    pkcs8.fill(0);
  }
}

/** What we sign CMS with: RSASSA-PSS/SHA-256 (salt 32) for RSA keys, ECDSA/SHA-256 for EC keys. */
export function defaultSignatureAlgorithm(key: Pick<SigningKey, 'kind'>): SignatureAlgorithm {
  return key.kind === 'RSA' ? RSA_PSS_SHA256 : ECDSA_SHA256;
}

/** What a CA key signs certificates, CRLs and OCSP answers with: sha256WithRSAEncryption or ecdsa-with-SHA256. */
export function caSignatureAlgorithm(key: Pick<SigningKey, 'kind'>): SignatureAlgorithm {
  return key.kind === 'RSA' ? RSA_PKCS1_SHA256 : ECDSA_SHA256;
}

/** Signs `data` with `key`, in memory or on its device (ECDSA values DER-encoded). */
export async function signWithKey(key: SigningKey, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array> {
  if (isDeviceKey(key)) {
    if (!key.schemes.includes(algorithm.scheme)) {
      throw new GatewayError('KEY_LOAD_FAILED', { reason: 'scheme-not-available-for-key', scheme: algorithm.scheme, kind: key.kind, device: key.device });
    }
    return key.sign(algorithm, data);
  }
  return signBytes(cryptoKeyFor(key, algorithm.scheme), algorithm, data);
}

/** The WebCrypto key for a scheme; a scheme the key cannot do throws KEY_LOAD_FAILED. */
export function cryptoKeyFor(key: SoftwareSigningKey, scheme: SignatureScheme): CryptoKey {
  const found = scheme === 'RSASSA-PKCS1-v1_5' ? key.pkcs1Key
    : scheme === 'RSASSA-PSS' ? (key.kind === 'RSA' ? key.signingKey : undefined)
    : key.kind === 'EC' ? key.signingKey : undefined;
  if (!found) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'scheme-not-available-for-key', scheme, kind: key.kind });
  return found;
}

export type KeySpec = 'RSA-2048' | 'RSA-3072' | 'EC-P256';

/** A fresh key pair (demo PKI and tests), with its PKCS#8 PEM for writing to a file. */
export async function generateSigningKey(spec: KeySpec): Promise<{ key: SoftwareSigningKey; pkcs8Pem: string }> {
  const { privateKey } = await new Promise<{ privateKey: KeyObject }>((resolve, reject) => {
    const done = (err: Error | null, _publicKey: KeyObject, key: KeyObject) => (err ? reject(err) : resolve({ privateKey: key }));
    if (spec === 'EC-P256') generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
    else generateKeyPair('rsa', { modulusLength: spec === 'RSA-3072' ? 3072 : 2048 }, done);
  });
  const pkcs8Pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key: await importKeyObject(privateKey), pkcs8Pem };
}

// Which digest and signature algorithms we produce and accept (NATIONAL_API.md §3), their ASN.1
// identifiers, and the two primitives everything else signs and verifies with (PKI.js engine on
// Node's WebCrypto). Payloads are hashed with node:crypto, which is about twice as fast as subtle.
import { createHash, createPublicKey, type webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pkiEngine } from './engine.ts';
import { toArrayBuffer } from './der.ts';
import {
  OID_EC_PUBLIC_KEY, OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ECDSA_SHA512, OID_MGF1, OID_P256, OID_P384, OID_P521, OID_RSA_ENCRYPTION,
  OID_RSASSA_PSS, OID_SHA256, OID_SHA256_WITH_RSA, OID_SHA384, OID_SHA384_WITH_RSA, OID_SHA512, OID_SHA512_WITH_RSA,
} from './oids.ts';

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type SignatureScheme = 'RSASSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'ECDSA';

export interface SignatureAlgorithm {
  readonly scheme: SignatureScheme;
  readonly hash: HashName;
  /** RSASSA-PSS only. */
  readonly saltLength?: number;
}

/** What we produce for RSA keys: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (NATIONAL_API.md §3). */
export const RSA_PSS_SHA256: SignatureAlgorithm = { scheme: 'RSASSA-PSS', hash: 'SHA-256', saltLength: 32 };
export const ECDSA_SHA256: SignatureAlgorithm = { scheme: 'ECDSA', hash: 'SHA-256' };
export const RSA_PKCS1_SHA256: SignatureAlgorithm = { scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** Smallest RSA modulus accepted, on input and output (NATIONAL_API.md §3). */
export const MIN_RSA_BITS = 2048;
const ACCEPTED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

const HASH_OIDS: Record<HashName, string> = { 'SHA-256': OID_SHA256, 'SHA-384': OID_SHA384, 'SHA-512': OID_SHA512 };
const NODE_HASH: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const RSA_SIG_OIDS: Record<HashName, string> = {
  'SHA-256': OID_SHA256_WITH_RSA, 'SHA-384': OID_SHA384_WITH_RSA, 'SHA-512': OID_SHA512_WITH_RSA,
};
const ECDSA_SIG_OIDS: Record<HashName, string> = {
  'SHA-256': OID_ECDSA_SHA256, 'SHA-384': OID_ECDSA_SHA384, 'SHA-512': OID_ECDSA_SHA512,
};

const HASH_LENGTHS: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** Output length in bytes. */
export function hashLength(hash: HashName): number {
  return HASH_LENGTHS[hash];
}

/** The accepted hash for an OID, or undefined (SHA-1, MD5 and the unknown are refused). */
export function hashFromOid(oid: string): HashName | undefined {
  return (Object.keys(HASH_OIDS) as HashName[]).find((name) => HASH_OIDS[name] === oid);
}

export function hashAlgorithmIdentifier(hash: HashName): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: HASH_OIDS[hash], algorithmParams: new asn1js.Null() });
}

/** Hash of in-memory bytes with node:crypto (1.7 GB/s; WebCrypto copies its input and is half as fast). */
export function digestBytes(hash: HashName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(NODE_HASH[hash]).update(data).digest());
}

export function signatureAlgorithmIdentifier(algorithm: SignatureAlgorithm): pkijs.AlgorithmIdentifier {
  switch (algorithm.scheme) {
    case 'RSASSA-PSS': {
      const hashId = hashAlgorithmIdentifier(algorithm.hash);
      const params = new pkijs.RSASSAPSSParams({
        hashAlgorithm: hashId,
        maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_MGF1, algorithmParams: hashId.toSchema() }),
        saltLength: algorithm.saltLength ?? 32,
      });
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID_RSASSA_PSS, algorithmParams: params.toSchema() });
    }
    case 'RSASSA-PKCS1-v1_5':
      return new pkijs.AlgorithmIdentifier({ algorithmId: RSA_SIG_OIDS[algorithm.hash], algorithmParams: new asn1js.Null() });
    case 'ECDSA':
      return new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_SIG_OIDS[algorithm.hash] });
  }
}

/**
 * Reads a signature AlgorithmIdentifier (of a SignerInfo, certificate, CRL or OCSP answer).
 * `digest` is the SignerInfo's digest algorithm, needed where the identifier names only the key
 * type (rsaEncryption, id-ecPublicKey). Returns undefined for anything we do not accept.
 */
export function parseSignatureAlgorithm(id: pkijs.AlgorithmIdentifier, digest?: HashName): SignatureAlgorithm | undefined {
  const oid = id.algorithmId;
  const pick = (table: Record<HashName, string>) => (Object.keys(table) as HashName[]).find((h) => table[h] === oid);
  const rsaHash = pick(RSA_SIG_OIDS);
  if (rsaHash) return digest && digest !== rsaHash ? undefined : { scheme: 'RSASSA-PKCS1-v1_5', hash: rsaHash };
  const ecHash = pick(ECDSA_SIG_OIDS);
  if (ecHash) return digest && digest !== ecHash ? undefined : { scheme: 'ECDSA', hash: ecHash };
  if (oid === OID_RSA_ENCRYPTION) return digest ? { scheme: 'RSASSA-PKCS1-v1_5', hash: digest } : undefined;
  if (oid === OID_EC_PUBLIC_KEY) return digest ? { scheme: 'ECDSA', hash: digest } : undefined;
  if (oid === OID_RSASSA_PSS) return parsePssParams(id, digest);
  return undefined;
}

function parsePssParams(id: pkijs.AlgorithmIdentifier, digest?: HashName): SignatureAlgorithm | undefined {
  if (!id.algorithmParams) return undefined;
  let params: pkijs.RSASSAPSSParams;
  try {
    params = new pkijs.RSASSAPSSParams({ schema: id.algorithmParams });
  } catch {
    return undefined;
  }
  const hash = hashFromOid(params.hashAlgorithm.algorithmId);
  if (!hash || (digest && digest !== hash) || params.trailerField !== 1) return undefined;
  if (params.maskGenAlgorithm.algorithmId !== OID_MGF1) return undefined;
  let mgfHash: HashName | undefined;
  try {
    mgfHash = hashFromOid(new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId);
  } catch {
    return undefined;
  }
  // WebCrypto (and most HSMs) only do MGF1 with the message hash; a salt under 20 bytes is not PSS as specified.
  if (mgfHash !== hash || params.saltLength < 20) return undefined;
  return { scheme: 'RSASSA-PSS', hash, saltLength: params.saltLength };
}

/** The only RSASSA-PSS parameters a document signature may use (NATIONAL_API.md §3): SHA-256, MGF1-SHA-256, salt 32. */
export const DOCUMENT_PSS = { hash: 'SHA-256', saltLength: 32 } as const;

/**
 * Why a document signature's algorithm breaks §3's RSASSA-PSS parameters, or undefined when it does
 * not (or is not PSS). Certificates, CRLs and time-stamp tokens are not documents: their PSS
 * parameters are the issuer's choice and are not checked here.
 */
export function documentPssProblem(algorithm: SignatureAlgorithm): { reason: string; hash: HashName; saltLength: number | undefined } | undefined {
  if (algorithm.scheme !== 'RSASSA-PSS') return undefined;
  const found = { hash: algorithm.hash, saltLength: algorithm.saltLength };
  if (algorithm.hash !== DOCUMENT_PSS.hash) return { reason: 'pss-hash-not-accepted', ...found };
  if (algorithm.saltLength !== DOCUMENT_PSS.saltLength) return { reason: 'pss-salt-length-not-accepted', ...found };
  return undefined;
}

export interface PublicKeyDescription {
  readonly kind: 'RSA' | 'EC';
  /** RSA modulus length, or the curve's field size. */
  readonly sizeBits: number;
  /** OpenSSL curve name, EC only. */
  readonly curve?: string;
}

/** Key type and size of a SubjectPublicKeyInfo; undefined for key types we do not handle. */
export function describePublicKey(spkiDer: Uint8Array): PublicKeyDescription | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'rsa') return { kind: 'RSA', sizeBits: details.modulusLength ?? 0 };
    if (key.asymmetricKeyType === 'ec') {
      const curve = details.namedCurve ?? '';
      return { kind: 'EC', sizeBits: curve === 'secp521r1' ? 521 : curve === 'secp384r1' ? 384 : 256, curve };
    }
  } catch {
    // falls through: not a key we can read
  }
  return undefined;
}

const CURVES_BY_OID: Record<string, { curve: string; sizeBits: number }> = {
  [OID_P256]: { curve: 'prime256v1', sizeBits: 256 },
  [OID_P384]: { curve: 'secp384r1', sizeBits: 384 },
  [OID_P521]: { curve: 'secp521r1', sizeBits: 521 },
};

/**
 * describePublicKey for a parsed SubjectPublicKeyInfo, read from PKI.js's parsed fields (no
 * re-encoding): it runs for every certificate of every verification.
 */
export function describeKeyInfo(publicKey: pkijs.PublicKeyInfo): PublicKeyDescription | undefined {
  const oid = publicKey.algorithm.algorithmId;
  if (oid === OID_RSA_ENCRYPTION && publicKey.parsedKey instanceof pkijs.RSAPublicKey) {
    let modulus = publicKey.parsedKey.modulus.valueBlock.valueHexView;
    while (modulus.byteLength > 1 && modulus[0] === 0) modulus = modulus.subarray(1);
    return { kind: 'RSA', sizeBits: (modulus.byteLength - 1) * 8 + (modulus[0] ?? 0).toString(2).length };
  }
  const params: unknown = publicKey.algorithm.algorithmParams;
  if (oid === OID_EC_PUBLIC_KEY && params instanceof asn1js.ObjectIdentifier) {
    const known = CURVES_BY_OID[params.valueBlock.toString()];
    return known ? { kind: 'EC', ...known } : { kind: 'EC', sizeBits: 0, curve: params.valueBlock.toString() };
  }
  return undefined;
}

/** RSA of at least 2048 bits, or ECDSA on P-256/P-384/P-521 (NATIONAL_API.md §3). */
export function isAcceptedKey(key: PublicKeyDescription | undefined): key is PublicKeyDescription {
  if (!key) return false;
  return key.kind === 'RSA' ? key.sizeBits >= MIN_RSA_BITS : ACCEPTED_CURVES.has(key.curve ?? '');
}

export function schemeFitsKey(scheme: SignatureScheme, key: PublicKeyDescription): boolean {
  return scheme === 'ECDSA' ? key.kind === 'EC' : key.kind === 'RSA';
}

/** Signs with a WebCrypto key; ECDSA values come back DER-encoded, as CMS and X.509 want them. */
export async function signBytes(key: webcrypto.CryptoKey, algorithm: SignatureAlgorithm, data: Uint8Array): Promise<Uint8Array> {
  const params: webcrypto.Algorithm & Record<string, unknown> =
    algorithm.scheme === 'RSASSA-PSS' ? { name: 'RSA-PSS', saltLength: algorithm.saltLength ?? 32 }
    : algorithm.scheme === 'ECDSA' ? { name: 'ECDSA', hash: { name: algorithm.hash } }
    : { name: 'RSASSA-PKCS1-v1_5' };
  const signature = await pkiEngine().signWithPrivateKey(toArrayBuffer(data), key, { algorithm: params });
  return new Uint8Array(signature);
}

/**
 * Verifies `signature` over `data` with a certificate's public key. False for a wrong signature, a
 * malformed one, a key of the wrong type for the scheme, or a key we do not accept.
 */
export async function verifyBytes(
  publicKey: pkijs.PublicKeyInfo, algorithm: SignatureAlgorithm, data: Uint8Array, signature: Uint8Array,
): Promise<boolean> {
  const key = describeKeyInfo(publicKey);
  if (!isAcceptedKey(key) || !schemeFitsKey(algorithm.scheme, key)) return false;
  try {
    return await pkiEngine().verifyWithPublicKey(
      toArrayBuffer(data), new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
      publicKey, signatureAlgorithmIdentifier(algorithm), algorithm.hash,
    );
  } catch {
    return false;
  }
}

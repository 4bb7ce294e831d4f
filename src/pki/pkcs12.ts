// PKCS#12 (.p12/.pfx) files, the usual way a CA hands out an organisation's signing key. The only
// module that uses node-forge: PKI.js can parse PFX but needs much more code for the password-based
// decryption of both the legacy (SHA-1/3DES) and PBES2 variants that CAs and OpenSSL produce.
import forge from 'node-forge';
import { GatewayError } from '../errors.ts';

export interface Pkcs12Contents {
  /** PKCS#8 PrivateKeyInfo DER of the one private key in the file. */
  readonly privateKeyPkcs8: Uint8Array;
  /** Every certificate in the file, DER, in file order. */
  readonly certificates: Uint8Array[];
}

function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('binary');
}

function fromBinary(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'binary'));
}

/**
 * forge checks the MAC with the password as a BMPString (as OpenSSL does) but derives PBES2 keys
 * from the JavaScript string's char codes, where OpenSSL uses its UTF-8 bytes. For a non-ASCII
 * password whose MAC has just verified, decryption is run again with the UTF-8 bytes, on the same
 * bytes minus the (already checked) MacData.
 */
function openPfx(der: Uint8Array, password: string): forge.pkcs12.Pkcs12Pfx {
  try {
    return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(toBinary(der)), true, password);
  } catch (err) {
    const macFailed = /MAC/.test(String(err));
    if (macFailed || /^[\x20-\x7e]*$/.test(password)) throw err;
    const withoutMac = forge.asn1.fromDer(toBinary(der));
    (withoutMac.value as forge.asn1.Asn1[]).splice(2);
    return forge.pkcs12.pkcs12FromAsn1(withoutMac, true, Buffer.from(password, 'utf8').toString('binary'));
  }
}

/** Opens a PKCS#12 file. A wrong password, no key or several keys throw KEY_LOAD_FAILED. */
export function readPkcs12(der: Uint8Array, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = openPfx(der, password);
  } catch (err) {
    const wrongPassword = /password/i.test(String(err));
    throw new GatewayError('KEY_LOAD_FAILED', { reason: wrongPassword ? 'pkcs12-password' : 'pkcs12-malformed' }, { cause: err });
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? '' })[forge.pki.oids.pkcs8ShroudedKeyBag ?? ''] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag ?? '' })[forge.pki.oids.keyBag ?? ''] ?? []),
  ];
  if (keyBags.length !== 1) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'pkcs12-key-count', keys: keyBags.length });
  const bag = keyBags[0] as forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };
  // forge decodes RSA keys itself and leaves any other key type (EC) as the PrivateKeyInfo ASN.1.
  const keyInfo = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as forge.pki.rsa.PrivateKey))
    : bag.asn1;
  if (!keyInfo) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'pkcs12-key-unreadable' });
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag ?? '' })[forge.pki.oids.certBag ?? ''] ?? [];
  const certificates = certBags.flatMap((certBag) => {
    const asn1 = (certBag as { asn1?: forge.asn1.Asn1 }).asn1
      ?? (certBag.cert ? forge.pki.certificateToAsn1(certBag.cert) : undefined);
    return asn1 ? [fromBinary(forge.asn1.toDer(asn1).getBytes())] : [];
  });
  return { privateKeyPkcs8: fromBinary(forge.asn1.toDer(keyInfo).getBytes()), certificates };
}

/**
 * Writes a PKCS#12 file (AES-256-CBC, PBKDF2-HMAC-SHA-256, SHA-1 MAC: what forge can write and
 * OpenSSL 3 reads). RSA keys only (a forge limitation); used to make the demo PKI.
 */
export function writePkcs12(options: {
  privateKeyPkcs8: Uint8Array;
  certificates: Uint8Array[];
  password: string;
  friendlyName?: string;
}): Uint8Array {
  const keyAsn1 = forge.asn1.fromDer(toBinary(options.privateKeyPkcs8));
  const key = forge.pki.privateKeyFromAsn1(keyAsn1);
  const certs = options.certificates.map((der) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(toBinary(der))));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, options.password, {
    algorithm: 'aes256',
    count: 10_000,
    friendlyName: options.friendlyName,
    prfAlgorithm: 'sha256',
  } as Parameters<typeof forge.pkcs12.toPkcs12Asn1>[3]);
  return fromBinary(forge.asn1.toDer(asn1).getBytes());
}

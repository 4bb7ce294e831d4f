// The ESS signing-certificate attributes, which bind a signature to one certificate (so that a
// certificate swapped into the SignedData afterwards is noticed). Build/parse pair.
//
//   SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies ... OPTIONAL }   (RFC 5035)
//   ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {id-sha256},
//                              certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
//   SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies ... OPTIONAL }       (RFC 2634)
//   ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }
//   IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
// Version 1 is read only: RFC 3161 time-stamps from OpenSSL-based TSAs still carry it.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestBytes, hashFromOid, type HashName } from './algorithms.ts';
import { bytesEqual, encodeDer, toArrayBuffer } from './der.ts';
import { certificateDer, integerHex, nameDer, serialNumberHex, type Certificate } from './certificates.ts';

export interface EssCertId {
  readonly hash: HashName | 'SHA-1';
  readonly certHash: Uint8Array;
  readonly issuerSerial?: {
    /** DER of each directoryName in `issuer`. */
    readonly issuerNames: Uint8Array[];
    readonly serialNumber: string;
  };
}

const DIRECTORY_NAME = 4;

/** The SigningCertificateV2 attribute value for `cert`: SHA-256 hash (the DER default, so omitted) and issuerSerial. */
export function encodeSigningCertificateV2(cert: Certificate): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: DIRECTORY_NAME, value: cert.issuer })] }).toSchema(),
      new asn1js.Integer({ valueHex: cert.serialNumber.valueBlock.valueHexView.slice() }),
    ],
  });
  const certId = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(digestBytes('SHA-256', certificateDer(cert))) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] });
}

/** Reads a SigningCertificate (v1) or SigningCertificateV2 value; undefined when malformed. */
export function decodeSigningCertificate(value: unknown, version: 1 | 2): EssCertId[] | undefined {
  if (!(value instanceof asn1js.Sequence)) return undefined;
  const [certs] = value.valueBlock.value;
  if (!(certs instanceof asn1js.Sequence) || certs.valueBlock.value.length === 0) return undefined;
  const ids: EssCertId[] = [];
  for (const item of certs.valueBlock.value) {
    const id = decodeCertId(item, version);
    if (!id) return undefined;
    ids.push(id);
  }
  return ids;
}

function decodeCertId(item: asn1js.AsnType, version: 1 | 2): EssCertId | undefined {
  if (!(item instanceof asn1js.Sequence)) return undefined;
  const parts = [...item.valueBlock.value];
  let hash: HashName | 'SHA-1' | undefined = version === 1 ? 'SHA-1' : 'SHA-256';
  if (version === 2 && parts[0] instanceof asn1js.Sequence) {
    try {
      hash = hashFromOid(new pkijs.AlgorithmIdentifier({ schema: parts.shift() }).algorithmId);
    } catch {
      return undefined;
    }
  }
  const certHash = parts.shift();
  if (!hash || !(certHash instanceof asn1js.OctetString)) return undefined;
  const issuerSerialSchema = parts.shift();
  if (issuerSerialSchema === undefined) return { hash, certHash: certHash.valueBlock.valueHexView.slice() };
  const issuerSerial = decodeIssuerSerial(issuerSerialSchema);
  return issuerSerial ? { hash, certHash: certHash.valueBlock.valueHexView.slice(), issuerSerial } : undefined;
}

function decodeIssuerSerial(schema: asn1js.AsnType): EssCertId['issuerSerial'] {
  if (!(schema instanceof asn1js.Sequence)) return undefined;
  const [names, serial] = schema.valueBlock.value;
  if (!(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) return undefined;
  try {
    const generalNames = new pkijs.GeneralNames({ schema: names });
    const issuerNames = generalNames.names
      .filter((name) => name.type === DIRECTORY_NAME)
      .map((name) => encodeDer(name.value as pkijs.RelativeDistinguishedNames));
    return { issuerNames, serialNumber: integerHex(serial) };
  } catch {
    return undefined;
  }
}

/** True when the ESS certificate identifier designates `cert` (hash, and issuer/serial when present). */
export function essCertIdMatches(id: EssCertId, cert: Certificate): boolean {
  const der = certificateDer(cert);
  const actual = id.hash === 'SHA-1' ? new Uint8Array(createHash('sha1').update(der).digest()) : digestBytes(id.hash, der);
  if (!bytesEqual(actual, id.certHash)) return false;
  if (!id.issuerSerial) return true;
  const issuer = nameDer(cert.issuer);
  return id.issuerSerial.serialNumber === serialNumberHex(cert)
    && id.issuerSerial.issuerNames.some((name) => bytesEqual(name, issuer));
}

// A minimal OCSP responder (RFC 6960) for tests, the demo and the national simulator: it answers for
// the certificates of one CA, signed by that CA or by a delegated responder certificate.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { FastifyPluginAsync } from 'fastify';
import { signatureAlgorithmIdentifier } from './algorithms.ts';
import { decodePki, encodeDer, toArrayBuffer } from './der.ts';
import { integerHex, sameCertificate, type Certificate } from './certificates.ts';
import { caSignatureAlgorithm, signWithKey, type SigningKey } from './keys.ts';
import type { CrlReason } from './crl.ts';
import { certIdFor, certIdHashOf, type OcspTransport } from './ocsp.ts';
import { OID_OCSP_BASIC, OID_OCSP_NONCE } from './oids.ts';
import { systemClock } from '../clock.ts';

export type OcspCertStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly revokedAt: Date; readonly reason?: CrlReason }
  | { readonly status: 'unknown' };

export interface OcspResponderOptions {
  /** The CA whose certificates this responder answers for. */
  readonly issuer: Certificate;
  /** The CA itself, or a certificate it issued with id-kp-OCSPSigning. */
  readonly responderCertificate: Certificate;
  readonly responderKey: SigningKey;
  /** Status of a serial number (hex, as `serialNumberHex` prints it). */
  readonly statusOf: (serialNumber: string) => OcspCertStatus | Promise<OcspCertStatus>;
  readonly now?: () => Date;
  /** nextUpdate − thisUpdate (default one hour). */
  readonly validityMs?: number;
}

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
const MALFORMED_REQUEST = 1;
const UNAUTHORIZED = 6;

export function createOcspResponder(options: OcspResponderOptions): OcspTransport {
  const now = options.now ?? systemClock.now;
  const validityMs = options.validityMs ?? 3_600_000;
  const delegated = !sameCertificate(options.issuer, options.responderCertificate);
  return async (requestDer) => {
    let request: pkijs.OCSPRequest;
    try {
      request = decodePki(requestDer, (schema) => new pkijs.OCSPRequest({ schema }), 'BAD_REQUEST', 'ocsp-request');
    } catch {
      return statusOnly(MALFORMED_REQUEST);
    }
    const thisUpdate = now();
    const responses: pkijs.SingleResponse[] = [];
    for (const item of request.tbsRequest.requestList) {
      const hash = certIdHashOf(item.reqCert);
      if (!hash || !item.reqCert.isEqual(certIdFor(item.reqCert.serialNumber, options.issuer, hash))) return statusOnly(UNAUTHORIZED);
      const status = await options.statusOf(integerHex(item.reqCert.serialNumber));
      responses.push(new pkijs.SingleResponse({
        certID: item.reqCert,
        certStatus: encodeStatus(status),
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + validityMs),
      }));
    }
    const nonce = request.tbsRequest.requestExtensions?.find((ext) => ext.extnID === OID_OCSP_NONCE);
    const basic = new pkijs.BasicOCSPResponse({
      tbsResponseData: new pkijs.ResponseData({
        responderID: options.responderCertificate.subject,
        producedAt: thisUpdate,
        responses,
        ...(nonce ? { responseExtensions: [nonce] } : {}),
      }),
      ...(delegated ? { certs: [options.responderCertificate] } : {}),
    });
    const algorithm = caSignatureAlgorithm(options.responderKey);
    basic.signatureAlgorithm = signatureAlgorithmIdentifier(algorithm);
    basic.tbsResponseData.tbsView = new Uint8Array(basic.tbsResponseData.toSchema(true).toBER(false));
    const signature = await signWithKey(options.responderKey, algorithm, basic.tbsResponseData.tbsView);
    basic.signature = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
    return encodeDer(new pkijs.OCSPResponse({
      responseStatus: new asn1js.Enumerated({ value: 0 }),
      responseBytes: new pkijs.ResponseBytes({
        responseType: OID_OCSP_BASIC,
        response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
      }),
    }));
  };
}

function statusOnly(status: number): Uint8Array {
  return encodeDer(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) }));
}

/** CertStatus ::= CHOICE { good [0] NULL, revoked [1] RevokedInfo, unknown [2] NULL } (implicit tags). */
function encodeStatus(status: OcspCertStatus): asn1js.BaseBlock {
  if (status.status === 'revoked') {
    const reason = status.reason === undefined ? [] : [new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: status.reason })],
    })];
    return new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 1 },
      value: [new asn1js.GeneralizedTime({ valueDate: status.revokedAt }), ...reason],
    });
  }
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: status.status === 'good' ? 0 : 2 } });
}

export interface OcspRoutesOptions {
  readonly responder: OcspTransport;
  /** Route path (default /ocsp). */
  readonly path?: string;
}

/** POST {path} with application/ocsp-request → application/ocsp-response (RFC 6960 appendix A.1). */
export const ocspRoutes: FastifyPluginAsync<OcspRoutesOptions> = async (app, options) => {
  app.removeAllContentTypeParsers(); // this plugin's routes take DER only: anything else is 415
  app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, body);
  });
  app.post(options.path ?? '/ocsp', async (request, reply) => {
    const answer = await options.responder(new Uint8Array(request.body as Buffer));
    return reply.header('content-type', 'application/ocsp-response').send(Buffer.from(answer));
  });
};

// A small RFC 3161 time-stamping authority: DER TimeStampReq in, DER TimeStampResp out, and the
// Fastify plugin (POST /tsa) that the national simulator, the demo and the tests mount. It signs
// TSTInfo as a CMS SignedData with the same SignerInfo code as document signatures, including the
// ESS signingCertificateV2 attribute that RFC 5816 asks of a TSA.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { FastifyPluginAsync } from 'fastify';
import { digestBytes, hashFromOid, hashLength } from './algorithms.ts';
import { decodeDer, decodePki, encodeDer } from './der.ts';
import { randomSerialHex, serialNumberBytes, type Certificate } from './certificates.ts';
import { defaultSignatureAlgorithm, signWithKey, type SigningKey } from './keys.ts';
import { OID_TST_INFO } from './oids.ts';
import { buildSignedAttributes, signedAttributesDer } from './signed-attributes.ts';
import { buildSignerInfo, encodeSignedData } from './signed-data.ts';
import { systemClock } from '../clock.ts';

/** Policy OID of the demo TSA, in the 2.999 arc that X.660 reserves for examples. */
export const DEMO_TSA_POLICY = '2.999.3161.1';

export interface TsaOptions {
  /** The TSA certificate (extendedKeyUsage id-kp-timeStamping, critical). */
  readonly certificate: Certificate;
  readonly key: SigningKey;
  /** Intermediates sent with the token when the request sets certReq. */
  readonly chain?: readonly Certificate[];
  readonly policy?: string;
  readonly now?: () => Date;
}

export type TsaHandler = (request: Uint8Array) => Promise<Uint8Array>;

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
const FAIL = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15, unacceptedExtension: 16 } as const;
const REJECTION = 2;

export function createTsaHandler(options: TsaOptions): TsaHandler {
  const policy = options.policy ?? DEMO_TSA_POLICY;
  const now = options.now ?? systemClock.now;
  const algorithm = defaultSignatureAlgorithm(options.key);
  return async (requestDer) => {
    let request: pkijs.TimeStampReq;
    try {
      request = decodePki(requestDer, (schema) => new pkijs.TimeStampReq({ schema }), 'BAD_REQUEST', 'time-stamp-request');
    } catch {
      return rejection(FAIL.badDataFormat);
    }
    const hash = hashFromOid(request.messageImprint.hashAlgorithm.algorithmId);
    const imprint = request.messageImprint.hashedMessage.valueBlock.valueHexView;
    if (request.version !== 1) return rejection(FAIL.badRequest);
    if (!hash || imprint.byteLength !== hashLength(hash)) return rejection(FAIL.badAlg);
    if (request.reqPolicy !== undefined && request.reqPolicy !== policy) return rejection(FAIL.unacceptedPolicy);
    if (request.extensions?.length) return rejection(FAIL.unacceptedExtension);

    const genTime = new Date(Math.floor(now().getTime() / 1000) * 1000);
    const tstInfo = encodeDer(new pkijs.TSTInfo({
      version: 1,
      policy,
      messageImprint: request.messageImprint,
      serialNumber: new asn1js.Integer({ valueHex: serialNumberBytes(randomSerialHex()) }),
      genTime,
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(request.nonce ? { nonce: request.nonce } : {}),
    }));
    const signedAttributes = buildSignedAttributes({
      contentType: OID_TST_INFO,
      messageDigest: digestBytes('SHA-256', tstInfo),
      signingTime: genTime,
      signerCertificate: options.certificate,
    });
    const signature = await signWithKey(options.key, algorithm, signedAttributesDer(signedAttributes));
    const token = encodeSignedData({
      eContentType: OID_TST_INFO,
      eContent: tstInfo,
      digestAlgorithm: 'SHA-256',
      certificates: request.certReq ? [options.certificate, ...(options.chain ?? [])] : [],
      signerInfo: buildSignerInfo({
        signerCertificate: options.certificate, digestAlgorithm: 'SHA-256', signedAttributes, signatureAlgorithm: algorithm, signature,
      }),
    });
    return encodeDer(new asn1js.Sequence({
      value: [new pkijs.PKIStatusInfo({ status: 0 }).toSchema(), decodeDer(token, 'INTERNAL_ERROR', 'time-stamp-token')],
    }));
  };
}

function rejection(failBit: number): Uint8Array {
  const bytes = new Uint8Array((failBit >> 3) + 1);
  bytes[failBit >> 3] = 0x80 >> (failBit & 7);
  const failInfo = new asn1js.BitString({ unusedBits: 7 - (failBit & 7), valueHex: bytes.buffer });
  return encodeDer(new asn1js.Sequence({
    value: [new pkijs.PKIStatusInfo({ status: REJECTION, failInfo }).toSchema()],
  }));
}

export type TsaRoutesOptions = ({ readonly handler: TsaHandler } | TsaOptions) & {
  /** Route path (default /tsa). */
  readonly path?: string;
};

/** POST {path} with application/timestamp-query → application/timestamp-reply (RFC 3161 §3.4). */
export const tsaRoutes: FastifyPluginAsync<TsaRoutesOptions> = async (app, options) => {
  const handler = 'handler' in options ? options.handler : createTsaHandler(options);
  app.removeAllContentTypeParsers(); // this plugin's routes take DER only: anything else is 415
  app.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    done(null, body);
  });
  app.post(options.path ?? '/tsa', async (request, reply) => {
    const answer = await handler(new Uint8Array(request.body as Buffer));
    return reply.header('content-type', 'application/timestamp-reply').send(Buffer.from(answer));
  });
};

// RFC 3161 client: ask a time-stamping authority for a token over an imprint (for CAdES-T, the hash
// of the signature value). Transport failures and refusals are TSA_UNAVAILABLE; an answer that does
// not fit the request (other imprint, other nonce, garbage) is TIMESTAMP_INVALID.
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GatewayError } from '../errors.ts';
import { hashAlgorithmIdentifier, hashFromOid, type HashName } from './algorithms.ts';
import { postDer, type DerHttpOptions } from './der-http.ts';
import { bytesEqual, decodeDer, encodeDer, fromSchema, toArrayBuffer } from './der.ts';
import { decodeSignedData } from './signed-data.ts';
import { readTstInfo } from './timestamp-token.ts';

/** Sends a DER TimeStampReq and returns the DER TimeStampResp (HTTP, or an in-process TSA in tests). */
export type TimestampTransport = (request: Uint8Array) => Promise<Uint8Array>;
/** A TSA URL (HTTP POST application/timestamp-query) or a transport function. */
export type TsaEndpoint = string | TimestampTransport;

export interface TimestampRequestOptions extends DerHttpOptions {
  /** Hash algorithm of `imprint` (default SHA-256). */
  readonly hash?: HashName;
}

export interface ObtainedTimestamp {
  /** The TimeStampToken: ContentInfo(SignedData) DER, as the TSA sent it. */
  readonly token: Uint8Array;
  readonly genTime: Date;
}

/** PKIStatus values that carry a token (RFC 3161 §2.4.2). */
const GRANTED = new Set([0, 1]);

/** A DER TimeStampReq (v1, certReq true, 8-byte nonce). */
export function buildTimestampRequest(imprint: Uint8Array, hash: HashName, nonce: Uint8Array): Uint8Array {
  return encodeDer(new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: hashAlgorithmIdentifier(hash),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(imprint) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  }));
}

export async function requestTimestamp(tsa: TsaEndpoint, imprint: Uint8Array, options: TimestampRequestOptions = {}): Promise<ObtainedTimestamp> {
  const hash = options.hash ?? 'SHA-256';
  const nonce = new Uint8Array(randomBytes(8));
  nonce[0] = ((nonce[0] ?? 0) & 0x7f) || 0x01; // a positive INTEGER without a leading zero byte
  const request = buildTimestampRequest(imprint, hash, nonce);
  let answer: Uint8Array;
  if (typeof tsa === 'string') {
    answer = await postDer(tsa, 'application/timestamp-query', request, 'TSA_UNAVAILABLE', options);
  } else {
    try {
      answer = await tsa(request);
    } catch (err) {
      throw new GatewayError('TSA_UNAVAILABLE', { reason: 'transport-failed' }, { cause: err });
    }
  }
  return readTimestampResponse(answer, { imprint, hash, nonce });
}

/** Checks a TimeStampResp against the request it answers; returns the token and its time. */
export function readTimestampResponse(
  answer: Uint8Array, expected: { imprint: Uint8Array; hash: HashName; nonce?: Uint8Array },
): ObtainedTimestamp {
  const outer = decodeDer(answer, 'TIMESTAMP_INVALID', 'time-stamp-response');
  const response = fromSchema((schema) => new pkijs.TimeStampResp({ schema }), outer, 'TIMESTAMP_INVALID', 'time-stamp-response');
  const status = response.status.status;
  if (!GRANTED.has(status)) {
    const text = response.status.statusStrings?.map((item) => item.valueBlock.value).join('; ');
    throw new GatewayError('TSA_UNAVAILABLE', { reason: 'refused', status, ...(text ? { text } : {}) });
  }
  // The token's bytes exactly as sent: re-encoding a parsed token could alter what the TSA signed.
  const tokenElement = outer instanceof asn1js.Sequence ? outer.valueBlock.value[1] : undefined;
  if (!tokenElement) throw new GatewayError('TIMESTAMP_INVALID', { reason: 'granted-without-token' });
  const token = tokenElement.valueBeforeDecodeView.slice();
  const tstInfo = readTstInfo(decodeSignedData(token, 'TIMESTAMP_INVALID'));
  const imprint = tstInfo.messageImprint;
  if (hashFromOid(imprint.hashAlgorithm.algorithmId) !== expected.hash
    || !bytesEqual(imprint.hashedMessage.valueBlock.valueHexView, expected.imprint)) {
    throw new GatewayError('TIMESTAMP_INVALID', { reason: 'imprint-mismatch' });
  }
  if (expected.nonce && !(tstInfo.nonce && bytesEqual(tstInfo.nonce.valueBlock.valueHexView, expected.nonce))) {
    throw new GatewayError('TIMESTAMP_INVALID', { reason: 'nonce-mismatch' });
  }
  return { token, genTime: tstInfo.genTime };
}

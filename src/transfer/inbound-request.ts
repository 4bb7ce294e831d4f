// An inbound transfer-data request (NATIONAL_API.md §7) from untrusted JSON to a verified request, in
// this order, each failure with its own code and nothing stored:
//   1. the JSON fields, checked and put in canonical form (MISSING_FIELD, INVALID_VALUE,
//      INVALID_PERSONAL_ID, INVALID_AGENCY_CODE: 422);
//   2. payload and signature, strict base64 (400 BAD_REQUEST);
//   3. the CMS of the national signer over the payload bytes, against NATIONAL_TRUST_ANCHORS
//      (422 BAD_SIGNATURE, the PKI's reason in details);
//   4. the signed YeuCauChuyenDuLieu document (400 BAD_PAYLOAD; a bad field in it: its field code);
//   5. every JSON field equal to the document's, compared in canonical form — a QCVN 102:2016 agency code
//      equals its canonical form, text equals its NFC form (422 FIELDS_MISMATCH naming the fields).
// Whether the receiving agency is ours is the route's question (it needs the database).
import { GatewayError } from '../errors.ts';
import { decodeBase64Strict, type TransferRequestFields } from '../exchange/national-contract.ts';
import { checkTransferRequest, parseTransferRequestDocument, type TransferRequest } from '../exchange/xml/transfer-request-document.ts';
import { verifyNationalSignature, type NationalTrust } from './national-trust.ts';

/** The §7 JSON body: the request's fields beside the signed document that must say the same. */
export interface InboundBody extends TransferRequestFields {
  readonly payload: string;
  readonly signature: string;
}

export interface VerifiedInbound {
  readonly request: TransferRequest;
  readonly payload: Buffer;
  readonly signature: Buffer;
  /** Subject of the national signer's certificate. */
  readonly signer: string;
}

/** The signed document is a few hundred bytes; anything near this is not one. */
export const MAX_REQUEST_DOCUMENT_BYTES = 64 * 1024;

const FIELDS = ['requestId', 'personalId', 'fromAgencyCode', 'toAgencyCode', 'decisionNo', 'effectiveDate'] as const;

function decoded(body: InboundBody, field: 'payload' | 'signature'): Buffer {
  const bytes = decodeBase64Strict(body[field]);
  if (!bytes || bytes.length === 0) throw new GatewayError('BAD_REQUEST', { field, reason: 'NOT_BASE64' });
  return bytes;
}

export async function verifyInboundRequest(body: InboundBody, trust: NationalTrust, now?: Date): Promise<VerifiedInbound> {
  const claimed = checkTransferRequest(body);
  const payload = decoded(body, 'payload');
  const signature = decoded(body, 'signature');
  if (payload.length > MAX_REQUEST_DOCUMENT_BYTES) throw new GatewayError('PAYLOAD_TOO_LARGE', { field: 'payload', maxBytes: MAX_REQUEST_DOCUMENT_BYTES });
  const verified = await verifyNationalSignature(payload, signature, trust, now);
  let signed: TransferRequest;
  try {
    signed = parseTransferRequestDocument(payload, { maxBytes: MAX_REQUEST_DOCUMENT_BYTES });
  } catch (err) {
    // A field error inside the signed document says so, so that it is not mistaken for the JSON's.
    if (err instanceof GatewayError && err.code !== 'BAD_PAYLOAD') throw new GatewayError(err.code, { ...(err.details as object), in: 'payload' });
    throw err;
  }
  const mismatched = FIELDS.filter((f) => claimed[f] !== signed[f]);
  if (mismatched.length > 0) throw new GatewayError('FIELDS_MISMATCH', { fields: mismatched });
  return { request: signed, payload, signature, signer: verified.subject };
}

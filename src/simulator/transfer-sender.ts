// The national side telling a gateway that a person moves into its province (NATIONAL_API.md §7):
// builds the `YeuCauChuyenDuLieu` document, signs it as the national signer, records the request (so
// that its later acknowledgement can be matched) and POSTs it to
// `{gatewayUrl}/api/v1/inbound/transfer-requests`. No bearer token: the call is authenticated by its
// signature (and by mutual TLS where a dispatcher with a client certificate is passed).
import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { TransferRequestFields } from '../exchange/national-contract.ts';
import { buildTransferRequestDocument } from '../exchange/xml/transfer-request-document.ts';
import type { NationalSigner } from './signatures.ts';
import type { SimStorage } from './storage.ts';
import { systemClock } from '../clock.ts';

export const INBOUND_TRANSFER_PATH = '/api/v1/inbound/transfer-requests';

export type TransferRequestInput = Omit<TransferRequestFields, 'requestId'> & { readonly requestId?: string };

export interface SendTransferOptions {
  readonly signer: NationalSigner;
  /** Where to record the request; without it the simulator will not recognise the acknowledgement. */
  readonly storage?: SimStorage;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => Date;
  /** Changes the JSON body after signing (tests: fields that disagree with the document, a broken signature). */
  readonly tamper?: (body: Record<string, unknown>) => Record<string, unknown>;
}

export interface SendTransferResult {
  readonly requestId: string;
  readonly status: number;
  readonly body: unknown;
}

export async function sendTransferRequest(gatewayUrl: string, input: TransferRequestInput, options: SendTransferOptions): Promise<SendTransferResult> {
  const fields: TransferRequestFields = {
    requestId: input.requestId ?? randomUUID(),
    personalId: input.personalId,
    fromAgencyCode: input.fromAgencyCode,
    toAgencyCode: input.toAgencyCode,
    decisionNo: input.decisionNo,
    effectiveDate: input.effectiveDate,
  };
  const payload = buildTransferRequestDocument(fields);
  const signature = await options.signer.sign(payload);
  const url = gatewayUrl.replace(/\/+$/, '') + INBOUND_TRANSFER_PATH;
  await options.storage?.saveTransfer(fields, gatewayUrl, (options.now ?? systemClock.now)());
  const body = { ...fields, payload: Buffer.from(payload).toString('base64'), signature: signature.toString('base64') };
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(options.tamper ? options.tamper(body) : body),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // keep the raw text
  }
  return { requestId: fields.requestId, status: res.statusCode, body: parsed };
}

// Raw HTTP calls to the simulator for its own tests (the gateway's client is tested separately):
// exactly the bytes and headers a test wants, nothing added.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { BatchSubmission } from '../../../src/exchange/national-contract.ts';
import { CLIENT, SENDER } from './harness.ts';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export async function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawAnswer> {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers ?? {}, body: init.body ?? null });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.statusCode, headers: res.headers, body };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export async function fetchToken(base: string, id: string = CLIENT.clientId, secret: string = CLIENT.clientSecret): Promise<string> {
  const r = await raw(`${base}/token`, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token as string;
}

export function apiHeaders(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'x-sender-code': SENDER, 'x-request-id': randomUUID(), ...extra };
}

export function envelope(b: BatchSubmission, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    batchId: b.batchId, senderCode: b.senderCode, period: b.period, recordCount: b.recordCount, payloadSha256: b.payloadSha256,
    payload: b.payload.toString('base64'), signature: b.signature.toString('base64'), ...overrides,
  });
}

export async function postBatch(base: string, token: string, b: BatchSubmission, opts: { overrides?: Record<string, unknown>; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  return raw(`${base}/batches`, {
    method: 'POST',
    headers: apiHeaders(token, { 'content-type': 'application/json', 'idempotency-key': b.batchId, ...opts.headers }),
    body: envelope(b, opts.overrides),
  });
}

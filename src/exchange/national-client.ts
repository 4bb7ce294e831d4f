// The gateway's HTTP client of the national platform (NATIONAL_API.md §2, §4, §5, §7). Transport only:
// each call is one HTTP attempt (plus, at most once, the same call again after renewing a refused
// token, as §2 requires) and returns a classified outcome (national-errors.ts). Retrying is the
// caller's business: push-with-retry.ts for the CLI, the BullMQ backoff strategy for the workers.
//
// Every call carries `Authorization: Bearer`, `X-Sender-Code` and a new `X-Request-Id` per HTTP
// attempt. The sender gate (sender-gate.ts, in Redis) keeps §4's obligations across every process of
// the province: a call holds one of the sender's `maxInFlight` slots for its whole exchange, the token
// request it may need included (it runs inside the slot of the call that needs it, so it is counted
// and can never deadlock behind the limit); no HTTP attempt starts before the sender's "not before",
// and a Retry-After on any answer, the token endpoint's included, raises it for all of them.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { GatewayError } from '../errors.ts';
import {
  ackProblem, batchEnvelopeBody, BATCH_ID_PATTERN, MAX_BATCH_BODY_BYTES, PERSONAL_ID_PATTERN, readNationalRecord,
  receiptProblem, type AckAnswer, type BatchSubmission, type NationalRecord, type Receipt, type StreamedBody, type TransferAck,
} from './national-contract.ts';
import {
  classifyAnswer, classifyTokenAnswer, classifyTransportError, malformedAnswer,
  type NationalFailure, type NationalOutcome, type NotFoundCode,
} from './national-errors.ts';
import { DEFAULT_MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-policy.ts';
import type { GateRefusal, SenderGate } from './sender-gate.ts';
import { createTokenCache, type IssuedToken } from './token-cache.ts';
import { systemMs } from '../clock.ts';

const headerText = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Client certificate for mutual TLS, and the CA that issued the platform's server certificate. */
export interface MutualTlsOptions {
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly passphrase?: string;
  readonly ca?: string | Buffer | Array<string | Buffer>;
  readonly servername?: string;
}

export interface NationalClientOptions {
  /** NATIONAL_BASE_URL, e.g. https://ndxp.example/csdl-cbccvc/v1 */
  readonly baseUrl: string;
  /** NATIONAL_TOKEN_URL */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The province's sender agency code (X-Sender-Code). */
  readonly senderCode: string;
  /** NATIONAL_MAX_IN_FLIGHT (default 4): the connection pool's size; the gate holds the limit itself. */
  readonly maxInFlight?: number;
  /** The sender's slots and "not before", shared by every process (sender-gate.ts); closed by `close()`. */
  readonly gate: SenderGate;
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  /** Largest answer read (default 64 MiB: a record of up to 32 MiB, base64-encoded). */
  readonly maxResponseBytes?: number;
  /** Largest POST /batches body sent (default 32 MiB, §4); a larger one is refused without sending. */
  readonly maxBodyBytes?: number;
  readonly tls?: MutualTlsOptions;
  readonly tokenRenewFraction?: number;
  readonly tokenRenewMarginSeconds?: number;
  readonly now?: () => number;
  readonly newRequestId?: () => string;
  /** Use this dispatcher instead of building one (it is not closed by `close()`). */
  readonly dispatcher?: Dispatcher;
  /** Called after every HTTP attempt (metrics, logs); must not throw. No personal data is passed. */
  readonly onAttempt?: (info: AttemptInfo) => void;
}

export interface AttemptInfo {
  readonly op: 'token' | 'pushBatch' | 'getBatch' | 'getRecord' | 'ackTransfer';
  readonly requestId: string | null;
  readonly status: number | null;
  readonly kind: NationalOutcome['kind'];
  readonly code: string | null;
  readonly durationMs: number;
}

export type PushOutcome = NationalOutcome<Receipt>;
export type GetBatchOutcome = NationalOutcome<Receipt>;
export type RecordOutcome = NationalOutcome<NationalRecord>;
export type AckOutcome = NationalOutcome<AckAnswer>;

export interface NationalClient {
  pushBatch(batch: BatchSubmission): Promise<PushOutcome>;
  getBatch(batchId: string): Promise<GetBatchOutcome>;
  getRecord(personalId: string): Promise<RecordOutcome>;
  ackTransfer(requestId: string, ack: TransferAck): Promise<AckOutcome>;
  /** Token requests made so far. */
  readonly tokenFetches: number;
  close(): Promise<void>;
}

interface Call {
  readonly op: AttemptInfo['op'];
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string | StreamedBody;
  readonly headers?: Record<string, string>;
  readonly notFoundCode?: NotFoundCode;
}

const DEFAULTS = {
  maxInFlight: 4, connectTimeoutMs: 10_000, headersTimeoutMs: 120_000, bodyTimeoutMs: 120_000,
  maxResponseBytes: 64 * 1024 * 1024,
} as const;

/** A call the gate did not let start: nothing was sent, so it is transient. */
function gateFailure(refusal: GateRefusal): NationalFailure {
  return refusal.reason === 'NOT_BEFORE'
    ? { kind: 'transient', code: 'RATE_LIMITED', retryAfterMs: refusal.waitMs, details: { local: true, ...refusal } }
    : { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', details: { local: true, ...refusal } };
}

function refuseLocally(code: 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE', details: Record<string, unknown>): NationalFailure {
  return { kind: 'permanent', code, alert: true, details: { ...details, local: true } };
}

function buildAgent(o: NationalClientOptions, connections: number): Agent {
  const tls = o.tls ?? {};
  return new Agent({
    connections,
    headersTimeout: o.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    bodyTimeout: o.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
    connect: {
      timeout: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: tls.key } : {}),
      ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
    },
  });
}

/** undici's body and headers for one attempt: a streamed body as a new iterable, with its content-length. */
function wire(body: string | StreamedBody | undefined, headers: Record<string, string>): { body: string | Readable | null; headers: Record<string, string> } {
  if (body === undefined || typeof body === 'string') return { body: body ?? null, headers };
  // undici writes an iterable chunk by chunk, each after the socket drains, and checks the byte count
  // against content-length. Its types list only Readable; iterables are documented (docs/api/Dispatcher.md).
  return { body: body.chunks() as unknown as Readable, headers: { ...headers, 'content-length': String(body.length) } };
}

async function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ json: unknown; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      return { json: undefined, tooLarge: true };
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return { json: undefined, tooLarge: false };
  try {
    return { json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, tooLarge: false };
  } catch {
    return { json: undefined, tooLarge: false };
  }
}

export function createNationalClient(o: NationalClientOptions): NationalClient {
  const now = o.now ?? systemMs;
  const newRequestId = o.newRequestId ?? randomUUID;
  const maxInFlight = o.maxInFlight ?? DEFAULTS.maxInFlight;
  const maxResponseBytes = o.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const maxBodyBytes = o.maxBodyBytes ?? MAX_BATCH_BODY_BYTES;
  const owned: Agent[] = [];
  const own = (a: Agent): Agent => (owned.push(a), a);
  const apiDispatcher = o.dispatcher ?? own(buildAgent(o, maxInFlight));
  const tokenDispatcher = o.dispatcher ?? own(buildAgent(o, 1));
  const gate = o.gate;
  const base = o.baseUrl.replace(/\/+$/, '');
  const report = (info: AttemptInfo): void => {
    try {
      o.onAttempt?.(info);
    } catch {
      // a metrics hook must never break a call
    }
  };

  /** One HTTP exchange; transport failures come back classified, never thrown. */
  async function exchange(
    op: AttemptInfo['op'], url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string | StreamedBody },
    dispatcher: Dispatcher, classify: typeof classifyAnswer, notFoundCode?: NotFoundCode,
  ): Promise<NationalOutcome> {
    // The sender's "not before", checked just before the attempt: another process may have raised it.
    let wait: number;
    try {
      wait = await gate.notBeforeWait();
    } catch (err) {
      return gateFailure({ reason: 'COORDINATION_UNAVAILABLE', error: err instanceof Error ? err.message : String(err) });
    }
    if (wait > 0) return gateFailure({ reason: 'NOT_BEFORE', waitMs: wait });
    const started = now();
    const requestId = init.headers['x-request-id'] ?? null;
    let outcome: NationalOutcome;
    try {
      const res = await request(url, { dispatcher, method: init.method, ...wire(init.body, init.headers) });
      // A Retry-After concerns every call of the sender, in every process (§4): share it as soon as the
      // headers are in, before the body is read, so that the other processes' calls stop the sooner.
      const retryAfter = parseRetryAfter(headerText(res.headers['retry-after']), now());
      if (retryAfter !== undefined && retryAfter > 0) {
        await gate.holdOff(Math.min(retryAfter, DEFAULT_MAX_RETRY_AFTER_MS)).catch(() => { /* this call still honours it */ });
      }
      const { json, tooLarge } = await readBody(res.body, maxResponseBytes);
      outcome = tooLarge
        ? malformedAnswer(res.statusCode, 'response too large')
        : classify({ status: res.statusCode, headers: res.headers, body: json, now: now(), ...(notFoundCode ? { notFoundCode } : {}) });
    } catch (err) {
      outcome = classifyTransportError(err);
    }
    const status = 'status' in outcome && outcome.status !== undefined ? outcome.status : null;
    const code = 'code' in outcome ? outcome.code : null;
    report({ op, requestId, status, kind: outcome.kind, code, durationMs: now() - started });
    return outcome;
  }

  async function fetchToken(): Promise<IssuedToken> {
    const basic = Buffer.from(`${o.clientId}:${o.clientSecret}`, 'utf8').toString('base64');
    const outcome = await exchange('token', o.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=client_credentials',
    }, tokenDispatcher, classifyTokenAnswer);
    if (outcome.kind !== 'success' && outcome.kind !== 'replayed') {
      // Asking for a token is safe to repeat: "unknown" is only "not now" here.
      const failure: NationalFailure = outcome.kind === 'unknown' ? { ...outcome, kind: 'transient' } : outcome;
      throw new GatewayError(failure.kind === 'transient' ? failure.code : 'AUTHEN_ERROR', { outcome: failure });
    }
    const t = outcome.value as { access_token?: unknown; token_type?: unknown; expires_in?: unknown } | undefined;
    if (typeof t?.access_token !== 'string' || t.access_token === '' || typeof t.expires_in !== 'number' || t.expires_in <= 0
      || (typeof t.token_type === 'string' && t.token_type.toLowerCase() !== 'bearer')) {
      throw new GatewayError('NATIONAL_REJECTED', { outcome: malformedAnswer(outcome.status, 'token response') });
    }
    return { accessToken: t.access_token, expiresIn: t.expires_in };
  }

  const tokens = createTokenCache({
    fetchToken, now,
    ...(o.tokenRenewFraction !== undefined ? { renewFraction: o.tokenRenewFraction } : {}),
    ...(o.tokenRenewMarginSeconds !== undefined ? { renewMarginSeconds: o.tokenRenewMarginSeconds } : {}),
  });

  async function tokenOr(): Promise<string | NationalFailure> {
    try {
      return await tokens.get();
    } catch (err) {
      const outcome = (err as GatewayError).details as { outcome?: NationalFailure } | undefined;
      return outcome?.outcome ?? { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', details: { token: 'failed' } };
    }
  }

  /** One authorised call; on TOKEN_EXPIRED the token is renewed once and the call made again. */
  async function authorised(call: Call): Promise<NationalOutcome> {
    const slot = await gate.withSlot(async () => {
      const attempt = (token: string): Promise<NationalOutcome> => exchange(call.op, base + call.path, {
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          'x-sender-code': o.senderCode,
          'x-request-id': newRequestId(),
          accept: 'application/json',
          ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...call.headers,
        },
        ...(call.body !== undefined ? { body: call.body } : {}),
      }, apiDispatcher, classifyAnswer, call.notFoundCode);

      const first = await tokenOr();
      if (typeof first !== 'string') return first;
      const outcome = await attempt(first);
      if (outcome.kind !== 'tokenExpired') return outcome;
      tokens.invalidate(first);
      const renewed = await tokenOr();
      return typeof renewed === 'string' ? attempt(renewed) : renewed;
    });
    return slot.ok ? slot.value : gateFailure(slot.refusal);
  }

  /** Narrows a 2xx answer to the contract's shape; anything else passes through. */
  function typed<T>(outcome: NationalOutcome, read: (v: unknown) => T | string): NationalOutcome<T> {
    if (outcome.kind !== 'success' && outcome.kind !== 'replayed') return outcome;
    const value = read(outcome.value);
    return typeof value === 'string' ? malformedAnswer(outcome.status, value) : { ...outcome, value };
  }
  const asReceipt = (v: unknown): Receipt | string => receiptProblem(v) ?? (v as Receipt);
  const asAck = (v: unknown): AckAnswer | string => ackProblem(v) ?? (v as AckAnswer);

  return {
    async pushBatch(batch) {
      if (!BATCH_ID_PATTERN.test(batch.batchId)) return refuseLocally('BAD_REQUEST', { field: 'batchId' });
      const body = batchEnvelopeBody(batch);
      const size = body.length;
      if (size > maxBodyBytes) return refuseLocally('PAYLOAD_TOO_LARGE', { size, limit: maxBodyBytes });
      const outcome = await authorised({
        op: 'pushBatch', method: 'POST', path: '/batches', body, headers: { 'idempotency-key': batch.batchId },
      });
      return typed(outcome, asReceipt);
    },
    async getBatch(batchId) {
      if (!BATCH_ID_PATTERN.test(batchId)) return refuseLocally('BAD_REQUEST', { field: 'batchId' });
      const outcome = await authorised({ op: 'getBatch', method: 'GET', path: `/batches/${batchId}`, notFoundCode: 'NOT_FOUND' });
      return typed(outcome, asReceipt);
    },
    async getRecord(personalId) {
      if (!PERSONAL_ID_PATTERN.test(personalId)) return refuseLocally('BAD_REQUEST', { field: 'personalId' });
      const outcome = await authorised({ op: 'getRecord', method: 'GET', path: `/records/${personalId}`, notFoundCode: 'RECORD_NOT_FOUND' });
      return typed(outcome, readNationalRecord);
    },
    async ackTransfer(requestId, ack) {
      if (requestId === '' || requestId.length > 128) return refuseLocally('BAD_REQUEST', { field: 'requestId' });
      const outcome = await authorised({
        op: 'ackTransfer', method: 'POST', path: `/transfer-requests/${encodeURIComponent(requestId)}/ack`,
        body: JSON.stringify({ status: ack.status, reason: ack.reason ?? null }),
      });
      return typed(outcome, asAck);
    },
    get tokenFetches() {
      return tokens.fetches;
    },
    async close() {
      await Promise.all([...owned.map((a) => a.close()), gate.close()]);
    },
  };
}

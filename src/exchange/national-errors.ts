// Every answer of the national side (NATIONAL_API.md §2, §4, §5, §7) and every transport failure,
// classified once, here, at the edge. The rest of the gateway sees only `NationalOutcome` kinds and our
// own codes: nothing else reads undici's error codes (UND_ERR_*, ECONNRESET…) or national error bodies.
//
//   success        2xx: the answer (a receipt, a record, an acknowledgement)
//   replayed       200 + `Idempotent-Replayed: true`: the first receipt again
//   notFound       404 with the code the call expects (NOT_FOUND for a batch, RECORD_NOT_FOUND)
//   transient      429, 500/502/503/504 (and 408), or no connection could be made: send again later
//   permanent      every other refusal; `alert: true` means an operator must look at it
//   unknown        no answer after the request may have been sent: resolve (GET /batches/{id}) first
//   tokenExpired   401 TOKEN_EXPIRED: renew the token once and repeat the call
import { GatewayError, isErrorCode, type ErrorCode } from '../errors.ts';
import { parseRetryAfter, type RetryOutcome } from './retry-policy.ts';

export type NotFoundCode = 'NOT_FOUND' | 'RECORD_NOT_FOUND';

export type NationalOutcome<T = unknown> =
  | { readonly kind: 'success'; readonly status: number; readonly value: T }
  | { readonly kind: 'replayed'; readonly status: number; readonly value: T }
  | { readonly kind: 'notFound'; readonly status: 404; readonly code: NotFoundCode }
  | {
    readonly kind: 'transient'; readonly code: 'NATIONAL_UNAVAILABLE' | 'RATE_LIMITED';
    readonly status?: number; readonly retryAfterMs?: number; readonly details?: unknown;
  }
  | { readonly kind: 'permanent'; readonly code: ErrorCode; readonly alert: true; readonly status?: number; readonly details?: unknown }
  | { readonly kind: 'unknown'; readonly code: 'NATIONAL_UNAVAILABLE'; readonly details?: unknown }
  | { readonly kind: 'tokenExpired'; readonly status: 401 };

/** An outcome that is not an answer: what a call returns when it did not get what it asked for. */
export type NationalFailure = Exclude<NationalOutcome<never>, { kind: 'success' | 'replayed' }>;

/** The codes each refusal status may carry (§4 table); a code outside its row is kept only in `details`. */
const codesByStatus: Readonly<Record<number, readonly ErrorCode[]>> = {
  400: ['BAD_REQUEST', 'BAD_PAYLOAD'],
  401: ['AUTHEN_ERROR'],
  403: ['IP_DISALLOWED', 'SENDER_NOT_ALLOWED'],
  409: ['IDEMPOTENCY_MISMATCH'],
  413: ['PAYLOAD_TOO_LARGE'],
  422: ['BAD_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_EXPIRED', 'CERT_REVOKED', 'DIGEST_MISMATCH', 'COUNT_MISMATCH'],
};

/** Our code for a refusal whose body code is missing or outside its row. */
const fallbackByStatus: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST', 401: 'AUTHEN_ERROR', 413: 'PAYLOAD_TOO_LARGE',
};

const TRANSIENT_STATUSES = new Set([408, 500, 502, 503, 504]);

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  readonly body: unknown;
  /** When the answer arrived (epoch ms), to read an HTTP-date Retry-After. */
  readonly now: number;
  /** The 404 code that is an answer for this call rather than a refusal. */
  readonly notFoundCode?: NotFoundCode;
}

interface ErrorBody { code?: string; error?: string; message?: string; details?: unknown }

function errorBody(body: unknown): ErrorBody {
  return body !== null && typeof body === 'object' ? (body as ErrorBody) : {};
}

function header(headers: Answer['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function permanent(code: ErrorCode, status: number | undefined, details: unknown): NationalFailure {
  return status === undefined ? { kind: 'permanent', code, alert: true, details } : { kind: 'permanent', code, alert: true, status, details };
}

/** One HTTP answer of a national API call (not the token endpoint: see `classifyTokenAnswer`). */
export function classifyAnswer(a: Answer): NationalOutcome {
  if (a.status >= 200 && a.status < 300) {
    const replayed = header(a.headers, 'idempotent-replayed')?.trim().toLowerCase() === 'true';
    return { kind: replayed ? 'replayed' : 'success', status: a.status, value: a.body };
  }
  const b = errorBody(a.body);
  const national = { status: a.status, nationalCode: b.code ?? b.error ?? null, nationalMessage: b.message ?? null, details: b.details ?? null };
  if (a.status === 401 && b.code === 'TOKEN_EXPIRED') return { kind: 'tokenExpired', status: 401 };
  if (a.status === 404 && a.notFoundCode !== undefined && b.code === a.notFoundCode) {
    return { kind: 'notFound', status: 404, code: a.notFoundCode };
  }
  if (a.status === 429 || TRANSIENT_STATUSES.has(a.status)) {
    const retryAfterMs = parseRetryAfter(header(a.headers, 'retry-after'), a.now);
    const code = a.status === 429 ? 'RATE_LIMITED' : 'NATIONAL_UNAVAILABLE';
    return retryAfterMs === undefined
      ? { kind: 'transient', code, status: a.status, details: national }
      : { kind: 'transient', code, status: a.status, retryAfterMs, details: national };
  }
  const allowed = codesByStatus[a.status] ?? [];
  const code = isErrorCode(b.code) && allowed.includes(b.code) ? b.code : fallbackByStatus[a.status] ?? 'NATIONAL_REJECTED';
  return permanent(code, a.status, national);
}

/** The token endpoint (§2): 401/400 invalid_client and any other refusal are AUTHEN_ERROR. */
export function classifyTokenAnswer(a: Answer): NationalOutcome {
  if (a.status === 429 || TRANSIENT_STATUSES.has(a.status) || (a.status >= 200 && a.status < 300)) return classifyAnswer(a);
  const b = errorBody(a.body);
  return permanent('AUTHEN_ERROR', a.status, { status: a.status, nationalCode: b.error ?? b.code ?? null, endpoint: 'token' });
}

// ── transport failures (undici and node:net) ──────────────────────────────

/** The connection was never made: the request cannot have reached the national side. */
const NOT_SENT = new Set([
  'UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL',
]);

/** Our own mistakes in building a request: retrying cannot help. */
const OUR_BUG = new Set([
  'UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INVALID_RETURN_VALUE',
  'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE',
]);

/** TLS handshake failures happen before any byte of the request is sent. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** Every `code` found on the error, its `cause` chain and AggregateError members (happy-eyeballs connects). */
export function transportErrorCodes(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') out.push(code);
    walk(cause);
    if (Array.isArray(errors)) errors.forEach(walk);
  };
  walk(err);
  return out;
}

/**
 * A request that failed without an HTTP answer. Connect-phase failures are transient (nothing was
 * sent); anything later (reset, socket closed, headers or body timeout, a broken response) is
 * unknown: the request may have been processed.
 */
export function classifyTransportError(err: unknown): NationalFailure {
  const codes = transportErrorCodes(err);
  const details = { transport: codes[0] ?? (err instanceof Error ? err.name : 'UNKNOWN') };
  if (codes.some((c) => OUR_BUG.has(c))) return permanent('INTERNAL_ERROR', undefined, details);
  if (codes.length > 0 && codes.every((c) => NOT_SENT.has(c) || TLS_CODE.test(c))) {
    return { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', details };
  }
  return { kind: 'unknown', code: 'NATIONAL_UNAVAILABLE', details };
}

/** A 2xx answer whose body is not what the contract promises. */
export function malformedAnswer(status: number, reason: string): NationalFailure {
  return permanent('NATIONAL_REJECTED', status, { status, reason: 'MALFORMED_RESPONSE', problem: reason });
}

// ── outcomes as errors ─────────────────────────────────────────────────────

/** The error a caller throws for a failed outcome; `details.outcome` is what the retry policy reads. */
export function outcomeError(outcome: NationalFailure): GatewayError {
  const code: ErrorCode = outcome.kind === 'tokenExpired' ? 'TOKEN_EXPIRED' : outcome.code;
  return new GatewayError(code, { outcome });
}

/** True when no retry can change the outcome (BullMQ: throw UnrecoverableError). */
export function isFinalFailure(outcome: RetryOutcome): boolean {
  return outcome.kind === 'permanent' || outcome.kind === 'tokenExpired' || outcome.kind === 'notFound';
}

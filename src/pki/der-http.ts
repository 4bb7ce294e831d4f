// POST one DER message and read one DER answer (RFC 3161 over HTTP, RFC 6960 appendix A). The one
// place src/pki talks HTTP, so undici's errors are translated to our codes here and nowhere else.
import { request, type Dispatcher } from 'undici';
import { GatewayError, type ErrorCode } from '../errors.ts';

export interface DerHttpOptions {
  /** undici dispatcher, e.g. an Agent with mutual-TLS options. */
  readonly dispatcher?: Dispatcher;
  /** Whole-exchange budget (default 10 s). */
  readonly timeoutMs?: number;
}

/** Answers larger than this are refused: a token or OCSP answer is a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends `body` with `contentType` and returns the answer body. Network errors, timeouts, non-200
 * answers and oversized answers throw `code` (TSA_UNAVAILABLE for a TSA) with the reason in details.
 */
export async function postDer(url: string, contentType: string, body: Uint8Array, code: ErrorCode, options: DerHttpOptions = {}): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: '*/*' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new GatewayError(code, { reason: 'http-status', url, status: response.statusCode });
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Uint8Array).byteLength;
      if (size > MAX_ANSWER_BYTES) {
        response.body.destroy();
        throw new GatewayError(code, { reason: 'answer-too-large', url });
      }
      chunks.push(chunk as Uint8Array);
    }
    return new Uint8Array(Buffer.concat(chunks));
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    const undiciCode = (err as { code?: unknown }).code;
    const name = (err as { name?: unknown }).name;
    throw new GatewayError(code, { reason: 'unreachable', url, error: typeof undiciCode === 'string' ? undiciCode : name }, { cause: err });
  }
}

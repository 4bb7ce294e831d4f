// Decoding untrusted DER with asn1js/PKI.js, and the one adapter that turns their exceptions into our
// error codes (STYLE.md rule 2). Nothing else in src/pki catches a PKI.js parse error.
import * as asn1js from 'asn1js';
import { GatewayError, type ErrorCode } from '../errors.ts';

export interface ParseLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly maxContentLength: number;
}

/** Limits for untrusted input: a signature, certificate, time-stamp or OCSP answer is small and shallow. */
export const MESSAGE_LIMITS: ParseLimits = { maxDepth: 64, maxNodes: 200_000, maxContentLength: 64 * 1024 * 1024 };
/** A CA's CRL may list a few hundred thousand certificates (about seven elements each). */
export const CRL_LIMITS: ParseLimits = { maxDepth: 64, maxNodes: 20_000_000, maxContentLength: 512 * 1024 * 1024 };

/** Decodes exactly one DER element; garbage, truncation or trailing bytes throw `code`. */
export function decodeDer(bytes: Uint8Array, code: ErrorCode, what: string, limits: ParseLimits = MESSAGE_LIMITS): asn1js.AsnType {
  let decoded: ReturnType<typeof asn1js.fromBER>;
  try {
    decoded = asn1js.fromBER(bytes, limits);
  } catch (err) {
    throw new GatewayError(code, { reason: 'malformed', what }, { cause: err });
  }
  if (decoded.offset === -1 || decoded.result.error) {
    // asn1js's own text (decoded.result.error) stays in the log via `cause`, never in an answer: callers
    // get a stable reason only.
    throw new GatewayError(code, { reason: 'malformed', what }, { cause: new Error(decoded.result.error) });
  }
  if (decoded.offset !== bytes.byteLength) {
    throw new GatewayError(code, { reason: 'trailing-bytes', what });
  }
  return decoded.result;
}

/** Builds a PKI.js object from a decoded element; a schema mismatch throws `code`. */
export function fromSchema<T>(make: (schema: asn1js.AsnType) => T, schema: asn1js.AsnType, code: ErrorCode, what: string): T {
  try {
    return make(schema);
  } catch (err) {
    throw new GatewayError(code, { reason: 'unexpected-structure', what }, { cause: err });
  }
}

/** `decodeDer` + `fromSchema` in one step. */
export function decodePki<T>(
  bytes: Uint8Array, make: (schema: asn1js.AsnType) => T, code: ErrorCode, what: string, limits: ParseLimits = MESSAGE_LIMITS,
): T {
  return fromSchema(make, decodeDer(bytes, code, what, limits), code, what);
}

/** The DER encoding of a PKI.js object or asn1js element as a fresh Uint8Array. */
export function encodeDer(value: { toSchema(): asn1js.AsnType } | asn1js.AsnType): Uint8Array {
  const element = 'toSchema' in value && typeof value.toSchema === 'function' ? value.toSchema() : (value as asn1js.AsnType);
  return new Uint8Array(element.toBER(false));
}

export const DER_SEQUENCE = 0x30;
export const DER_SET = 0x31;
/** [0], constructed (EXPLICIT, or IMPLICIT over a SET/SEQUENCE). */
export const DER_CONTEXT_0 = 0xa0;

/** One DER element (tag, definite length, contents) around already-encoded contents. */
export function derElement(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((sum, part) => sum + part.byteLength, 0);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
  const header = length < 0x80 ? [tag, length] : [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  return new Uint8Array(Buffer.concat([Uint8Array.from(header), ...contents]));
}

/**
 * An ArrayBuffer holding exactly these bytes (PKI.js wants ArrayBuffers, not views). Copied through
 * Uint8Array.prototype.slice: a Node Buffer's own slice() is a view on a shared pool, whose .buffer
 * would hand over other bytes too.
 */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

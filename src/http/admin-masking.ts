// ADMIN runs the system and takes no workflow step (DESIGN "The people"): it is not entitled to personal ids.
// One helper masks them in every answer of the API for that role, so that no route can forget: JSON answers
// are walked and every personal id inside a string is masked (001085012345 → 001*******45); text answers
// (CSV) are masked as text; a binary answer (a digitised document, a signed export) cannot be masked and is
// refused (403 FORBIDDEN, reason PERSONAL_DATA).
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';

// Twelve digits standing alone: not inside a longer number, a hash or an identifier (`ab012345678901cd` is kept).
const personalIdInText = /(?<![0-9A-Za-z])([0-9]{3})[0-9]{7}([0-9]{2})(?![0-9A-Za-z])/g;

/** The role that sees personal ids masked. */
export const seesPersonalIds = (principal: Pick<Principal, 'role'> | null): boolean => principal?.role !== 'ADMIN';

export function maskPersonalIdsInText(text: string): string {
  return text.replace(personalIdInText, '$1*******$2');
}

/** A deep copy of a JSON value with every personal id inside its strings (keys included) masked. */
export function maskPersonalData(value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalIdsInText(value);
  if (Array.isArray(value)) return value.map(maskPersonalData);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [maskPersonalIdsInText(k), maskPersonalData(v)]));
  }
  return value;
}

function refuseBinary(reply: FastifyReply, payload: unknown): string {
  if (payload && typeof (payload as { destroy?: unknown }).destroy === 'function') (payload as { destroy(): void }).destroy();
  reply.code(403).removeHeader('content-disposition').removeHeader('x-content-sha256').removeHeader('content-length')
    .header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify(new GatewayError('FORBIDDEN', { role: 'ADMIN', reason: 'PERSONAL_DATA' }).toJSON());
}

export function maskedPayload(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (seesPersonalIds(request.principal) || payload === null || payload === undefined) return payload;
  if (typeof payload !== 'string') return refuseBinary(reply, payload);
  const type = String(reply.getHeader('content-type') ?? '');
  if (type.includes('json')) return JSON.stringify(maskPersonalData(JSON.parse(payload)));
  return maskPersonalIdsInText(payload);
}

/** Registered inside the authenticated API scope, after the auth plugin. */
export const adminMaskingPlugin = fp(async (app) => {
  app.addHook('onSend', async (request, reply, payload) => maskedPayload(request, reply, payload));
}, { name: 'admin-masking', dependencies: ['auth'] });

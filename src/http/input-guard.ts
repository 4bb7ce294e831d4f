// The boundary of the API: before any schema validation (Fastify's preValidation), the body, the query
// string and the path parameters of every route pass the one text rule and the structural limits of
// src/domain/text-rule.ts. A text body (CSV import) is checked for characters only; a binary body
// (Buffer) is left to its route.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { acceptInput, acceptText, type InputLimits } from '../domain/text-rule.ts';

/** Fields that carry base64 or PEM: their routes bound their length (and the body limit does anyway). */
export const ENCODED_FIELDS: ReadonlySet<string> = new Set([
  'contentBase64', 'signatureValueBase64', 'certificatePem', 'chainPem', 'documentBase64', 'signatureBase64', 'payload', 'signature',
]);

/** Limits per object and array: a province has some thousands of agencies, a profile some dozens of rows per table. */
const MAX_KEYS = 1_000;
const MAX_ITEMS = 50_000;

export function inputLimits(config: Pick<Config, 'textMaxLength' | 'inputMaxDepth'>): InputLimits {
  return { maxDepth: config.inputMaxDepth, maxKeys: MAX_KEYS, maxItems: MAX_ITEMS, maxTextLength: config.textMaxLength, unboundedKeys: ENCODED_FIELDS };
}

export function installInputGuard(app: FastifyInstance, config: Pick<Config, 'textMaxLength' | 'inputMaxDepth'>): void {
  const limits = inputLimits(config);
  app.addHook('preValidation', async (request: FastifyRequest) => {
    acceptInput(request.params, limits);
    acceptInput(request.query, limits);
    const body: unknown = request.body;
    if (typeof body === 'string') request.body = acceptText(body, Number.POSITIVE_INFINITY);
    else if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) acceptInput(body, limits);
  });
}

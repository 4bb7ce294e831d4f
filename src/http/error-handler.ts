// One error shape everywhere: {code, message, details}. Foreign errors (Fastify's own, Prisma's)
// are translated here, once; everything else in the code throws GatewayError.
import type { FastifyError, FastifyInstance } from 'fastify';
import { GatewayError, isGatewayError, type ErrorCode } from '../errors.ts';
import { translateStoreError } from '../store/store-errors.ts';

// Each with a stable reason: a library's own wording (or a JSON parser's, which quotes the input) is
// never part of an answer.
const fastifyCodes: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 'INVALID_JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 'EMPTY_BODY'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'BODY_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BAD_REQUEST', 'CONTENT_LENGTH'],
};

export function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  const e = err as FastifyError & { validation?: Array<{ instancePath: string; message?: string; params?: unknown }> };
  if (e.validation) {
    return new GatewayError('VALIDATION_FAILED', {
      in: e.validationContext,
      issues: e.validation.map((v) => ({ path: v.instancePath || '/', message: v.message, params: v.params })),
    });
  }
  const known = e.code ? fastifyCodes[e.code] : undefined;
  if (known) return new GatewayError(known[0], { reason: known[1] });
  if (e instanceof SyntaxError) return new GatewayError('MALFORMED_JSON', { reason: 'INVALID_JSON' });
  return translateStoreError(err) ?? new GatewayError('INTERNAL_ERROR', null, { cause: err });
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const ge = toGatewayError(err);
    if (ge.statusCode >= 500) request.log.error({ err: ge.cause ?? err, code: ge.code }, 'request failed');
    else request.log.info({ code: ge.code }, 'request refused');
    void reply.status(ge.statusCode).send(ge.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(new GatewayError('ROUTE_NOT_FOUND', { method: request.method }).toJSON());
  });
}

// How the simulated national side answers a refusal: `{"code","message","details"}` (NATIONAL_API.md
// §4), the message in Vietnamese from the gateway's catalog when the code is one of ours. Fastify's own
// errors (body too large, bad JSON, schema validation) are translated here, once.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { errorSpec, isErrorCode, isGatewayError } from '../errors.ts';

export interface NationalErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: unknown;
}

const extraMessages: Readonly<Record<string, string>> = {
  SERVICE_UNAVAILABLE: 'Hệ thống quốc gia tạm thời không phục vụ được; vui lòng thử lại sau.',
  INTERNAL_ERROR: 'Lỗi hệ thống quốc gia.',
};

export function nationalError(code: string, details: unknown = null): NationalErrorBody {
  const message = isErrorCode(code) ? errorSpec(code).message : extraMessages[code] ?? 'Hệ thống quốc gia từ chối yêu cầu.';
  return { code, message, details };
}

export function refuse(reply: FastifyReply, status: number, code: string, details: unknown = null, headers: Record<string, string> = {}): FastifyReply {
  return reply.status(status).headers(headers).send(nationalError(code, details));
}

/** Destroys the connection instead of answering (the "no answer" rows of §4). */
export function dropConnection(reply: FastifyReply): FastifyReply {
  reply.hijack();
  reply.raw.socket?.destroy();
  return reply;
}

const fastifyCodes: Readonly<Record<string, [number, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_REQUEST'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_REQUEST'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [400, 'BAD_REQUEST'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST'],
};

export function installNationalErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: unknown[] }, request, reply) => {
    if (isGatewayError(err)) return refuse(reply, err.statusCode, err.code, err.details);
    if (err.validation) {
      return refuse(reply, 400, 'BAD_REQUEST', { in: err.validationContext, issues: err.validation });
    }
    const mapped = err.code ? fastifyCodes[err.code] : undefined;
    if (mapped) return refuse(reply, mapped[0], mapped[1], { reason: err.message });
    if (err instanceof SyntaxError) return refuse(reply, 400, 'BAD_REQUEST', { reason: 'malformed JSON' });
    request.log.error({ err }, 'simulator failure');
    return refuse(reply, 500, 'INTERNAL_ERROR');
  });
  app.setNotFoundHandler((request, reply) => refuse(reply, 404, 'ROUTE_NOT_FOUND', { method: request.method }));
}

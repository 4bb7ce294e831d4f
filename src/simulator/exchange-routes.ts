// The national API proper (NATIONAL_API.md §4, §5, §7): push and look up batches, pull a record, and
// acknowledge a transfer request. Every route goes through call-guard.ts first; the work is done by
// batch-intake.ts and storage.ts; answers go through `answer`, which can drop the connection instead.
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { level1Code } from '../domain/agency-code.ts';
import { PERSONAL_ID_PATTERN } from '../exchange/national-contract.ts';
import { BatchEnvelopeSchema, lookUpBatch, receiveBatch } from './batch-intake.ts';
import { answer, callInfo, guard } from './call-guard.ts';
import { nationalError } from './national-replies.ts';
import type { SimContext } from './sim-context.ts';
import type { StoredRecord } from './storage.ts';

const AckBody = Type.Object({
  status: Type.Union([Type.Literal('IMPORTED'), Type.Literal('REJECTED')]),
  reason: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
}, { additionalProperties: false });

const BatchParams = Type.Object({ batchId: Type.String({ maxLength: 64 }) });
const RecordParams = Type.Object({ personalId: Type.String({ maxLength: 12 }) });
const AckParams = Type.Object({ requestId: Type.String({ minLength: 1, maxLength: 128 }) });

/** The national signature over a stored record, made on first read and kept with the record. */
async function signedRecord(ctx: SimContext, record: StoredRecord): Promise<Buffer> {
  if (record.signature) return record.signature;
  const signature = await ctx.signer.sign(record.document);
  await ctx.storage.saveSignature(record.personalId, record.version, signature);
  return signature;
}

export function exchangeRoutes(ctx: SimContext): FastifyPluginAsync {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.post('/batches', { onRequest: guard(ctx, 'pushBatch'), schema: { body: BatchEnvelopeSchema } }, async (request, reply) => {
      const call = callInfo(request);
      const key = request.headers['idempotency-key'];
      const result = await receiveBatch(ctx, {
        clientId: call.client.clientId, senderCodes: call.client.senderCodes, senderCode: call.senderCode,
      }, request.body, Array.isArray(key) ? key[0] : key);
      return answer(request, reply, result.status, result.body, result.headers);
    });

    app.get('/batches/:batchId', { onRequest: guard(ctx, 'getBatch'), schema: { params: BatchParams } }, async (request, reply) => {
      const { batchId } = request.params;
      const result = await lookUpBatch(ctx, batchId);
      return answer(request, reply, result.status, result.body);
    });

    app.get('/records/:personalId', { onRequest: guard(ctx, 'getRecord'), schema: { params: RecordParams } }, async (request, reply) => {
      const { personalId } = request.params;
      if (!PERSONAL_ID_PATTERN.test(personalId)) return answer(request, reply, 400, nationalError('BAD_REQUEST', { field: 'personalId' }));
      const record = await ctx.storage.findRecord(personalId);
      if (!record) return answer(request, reply, 404, nationalError('RECORD_NOT_FOUND'));
      const signature = await signedRecord(ctx, record);
      return answer(request, reply, 200, {
        personalId: record.personalId, version: record.version, holderCode: record.holderCode,
        updatedAt: record.updatedAt.toISOString(), payload: record.document.toString('base64'), signature: signature.toString('base64'),
      });
    });

    app.post('/transfer-requests/:requestId/ack', {
      onRequest: guard(ctx, 'ackTransfer'), schema: { params: AckParams, body: AckBody },
    }, async (request, reply) => {
      const { requestId } = request.params;
      const body = request.body;
      const transfer = await ctx.storage.findTransfer(requestId);
      if (!transfer) return answer(request, reply, 404, nationalError('NOT_FOUND', { requestId }));
      if (level1Code(transfer.toAgencyCode) !== level1Code(callInfo(request).senderCode)) {
        return answer(request, reply, 403, nationalError('SENDER_NOT_ALLOWED', { requestId }));
      }
      const result = await ctx.storage.ackTransfer(requestId, body.status, body.reason ?? null, ctx.now());
      if (result.kind === 'unknown') return answer(request, reply, 404, nationalError('NOT_FOUND', { requestId }));
      if (result.kind === 'conflict') {
        return answer(request, reply, 409, nationalError('IDEMPOTENCY_MISMATCH', { requestId, acknowledged: result.transfer.ackStatus }));
      }
      return answer(request, reply, 200, { requestId, status: result.transfer.ackStatus, reason: result.transfer.ackReason });
    });
  };
}

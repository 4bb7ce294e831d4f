// Batches for Sở Nội vụ operators: their state, attempts, last error and receipt, the records with
// rejection reasons, and the re-run of a failed batch (same batchId, same bytes, audited and linked).
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { GatewayError } from '../../errors.ts';
import { batchRecords, getBatch, listBatches, rerunBatch } from '../../store/batches.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';
import { rejectionGuidance } from '../../domain/rejection-guidance.ts';
import { buildBatches } from '../../sync/batch-builder.ts';
import type { SigningSetup } from '../../approval/signing-setup.ts';

const BatchParams = Type.Object({ batchId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) });
const ListQuery = Type.Object({
  state: Type.Optional(Type.Union(['BUILT', 'SENDING', 'UNKNOWN', 'ACCEPTED', 'PARTIAL', 'FAILED'].map((s) => Type.Literal(s)))),
  period: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

const BuildBody = Type.Object({ period: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }), Type.Null()])) }, { additionalProperties: false });

export const batchRoutes: FastifyPluginAsync<{ retryDeadlineMs: number; signing: SigningSetup }> = async (app, { retryDeadlineMs, signing }) => {
  const { db, config } = app.deps;

  app.post('/build', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['batches'], summary: 'Month-end by hand: build and sign the batches of everything PROVINCE_APPROVED (the worker pushes them)',
      body: BuildBody, response: { 201: Type.Object({ batches: Type.Array(Type.Object({ batchId: Type.String(), records: Type.Integer(), bytes: Type.Integer() })),
        refused: Type.Array(Type.Object({ changeId: Type.String(), reason: Type.String() })) }), ...errorResponses } },
  }, async (request, reply) => {
    if (!signing.orgSigner) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_P12_FILE', reason: 'batches are signed with the Sở Nội vụ key' });
    const period = (request.body as { period?: string | null } | undefined)?.period ?? null;
    const result = await buildBatches(period, {
      db, logger: request.log as never, signer: signing.orgSigner, senderCode: config.senderCode, maxRecords: config.batchMaxRecords,
      maxBytes: config.batchMaxBytes, deadlineMs: retryDeadlineMs, actor: principalOf(request), ...(signing.tsaUrl ? { tsaUrl: signing.tsaUrl } : {}),
      ...(config.auditCheckpointDir ? { checkpointDir: config.auditCheckpointDir } : {}),
    });
    return reply.status(201).send(result);
  });
  const operators = requireRole('PROVINCE_OPERATOR', 'ADMIN');

  app.get('/', {
    preHandler: operators,
    schema: { tags: ['batches'], querystring: ListQuery, response: { 200: Type.Object({ batches: Type.Array(Type.Unknown()) }), ...errorResponses } },
  }, async (request) => {
    const q = request.query as { state?: string; period?: string; limit?: number };
    return { batches: await listBatches(db, { ...q, limit: q.limit ?? 100 }) };
  });

  app.get('/:batchId', {
    preHandler: operators,
    schema: { tags: ['batches'], summary: 'A batch with its receipt and every record’s outcome', params: BatchParams,
      response: { 200: Type.Object({ batch: Type.Unknown(), records: Type.Array(Type.Unknown()) }), ...errorResponses } },
  }, async (request) => {
    const { batchId } = request.params as { batchId: string };
    const batch = await getBatch(db, batchId);
    if (!batch) throw new GatewayError('BATCH_NOT_FOUND', { batchId });
    const { payload, signature, ...rest } = batch;
    // Each rejection says what to do about it (src/domain/rejection-guidance.ts).
    const records = (await batchRecords(db, batchId)).map((r) => (r.outcome === 'REJECTED' ? { ...r, guidance: rejectionGuidance(r.code ?? '') } : r));
    // ADMIN is not entitled to personal ids: admin-masking.ts masks them in the answer.
    return { batch: { ...rest, payloadBytes: payload.length, signatureBytes: signature.length }, records };
  });

  app.post('/:batchId/rerun', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['batches'], summary: 'Send a FAILED batch again: same batchId and bytes; the re-run is audited and linked', params: BatchParams,
      response: { 202: Type.Object({ batchId: Type.String(), state: Type.String() }), ...errorResponses } },
  }, async (request, reply) => {
    const { batchId } = request.params as { batchId: string };
    await rerunBatch(db, principalOf(request), batchId, new Date(app.deps.clock.now().getTime() + retryDeadlineMs));
    return reply.status(202).send({ batchId, state: 'BUILT' });
  });
};

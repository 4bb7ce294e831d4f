// Profile changes through their review: list, read, edit while a draft or returned, submit,
// verify (unit HR officer), return with a reason. Approval by signature is in approvals.ts.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withheldFromRequester } from '../../domain/pull-scope.ts';
import { GatewayError } from '../../errors.ts';
import { canonicalAgencyCode } from '../../domain/agency-code.ts';
import { localDate } from '../../domain/working-days.ts';
import type { LifecycleEvent } from '../../domain/change-lifecycle.ts';
import { getChange, getAttachment, listChanges, auditRead } from '../../store/changes.ts';
import { assertVisible, editChange, takeStep } from '../../services/change-workflow.ts';
import { anyRole, officers, principalOf, requireRole } from '../auth-plugin.ts';
import { assertInScope } from '../agency-scope.ts';
import { errorResponses, isoDate } from '../schemas.ts';
import { attachmentDisposition } from '../content-disposition.ts';
import { decodeAttachments, prepareContent, type AttachmentBody as AttachmentInputBody } from '../change-input.ts';
import { AttachmentBody, ChangeStateSchema, ChangeSummary, toChangeSummary } from './change-schemas.ts';
import type { ChangeState } from '../../generated/prisma/client.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const AttachmentParams = Type.Object({ id: Type.String({ format: 'uuid' }), attachmentId: Type.String({ format: 'uuid' }) });
const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const OptionalReasonBody = Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }), Type.Null()]);
const EditBody = Type.Object({
  profile: Type.Optional(Type.Object({}, { additionalProperties: true })),
  effectiveDate: Type.Optional(Type.String({ format: 'date' })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 20 })),
}, { additionalProperties: false });
const ListQuery = Type.Object({
  state: Type.Optional(ChangeStateSchema),
  period: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })),
  agency: Type.Optional(Type.String({ maxLength: 60 })),
  personalId: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  after: Type.Optional(Type.String({ format: 'uuid' })),
}, { additionalProperties: false });

const ChangeDetail = Type.Object({
  change: ChangeSummary,
  profile: Type.Unknown(),
  category: Type.String(), status: Type.String(), managingAgencyCode: Type.String(), employingAgencyCode: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  attachments: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), mediaType: Type.String(), size: Type.Integer(), sha256: Type.String() })),
  events: Type.Array(Type.Object({ fromState: Type.Union([Type.String(), Type.Null()]), toState: Type.String(), actor: Type.String(),
    reason: Type.Union([Type.String(), Type.Null()]), at: Type.String() })),
});

export const changeRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;

  async function loadVisible(request: FastifyRequest) {
    const { id } = request.params as { id: string };
    const change = await getChange(db, id);
    if (!change) throw new GatewayError('CHANGE_NOT_FOUND', { id });
    assertVisible(principalOf(request), change);
    // A pulled record is not shown to its requester before the receiving agency verified it.
    if (withheldFromRequester(change, principalOf(request).subject)) throw new GatewayError('FORBIDDEN', { reason: 'PULL_NOT_YET_VERIFIED', state: change.state });
    return change;
  }

  /** One lifecycle step: the use case checks lifecycle and duties, the store writes it atomically. */
  async function step(request: FastifyRequest, event: LifecycleEvent, reason?: string) {
    const { id } = request.params as { id: string };
    return toChangeSummary(await takeStep({ db }, principalOf(request), id, event, reason));
  }

  app.get('/', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['changes'], summary: 'Changes in the caller’s scope, by state, month and agency', querystring: ListQuery,
      response: { 200: Type.Object({ changes: Type.Array(Type.Unknown()), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const q = request.query as { state?: ChangeState; period?: string; agency?: string; personalId?: string; limit?: number; after?: string };
    const agencyRoot = q.agency ? canonicalAgencyCode(q.agency) : principal.agencyCode;
    if (principal.role === 'STAFF') {
      if (!principal.personalId || (q.personalId && q.personalId !== principal.personalId)) throw new GatewayError('FORBIDDEN');
    }
    assertInScope(principal, agencyRoot);
    const limit = q.limit ?? 100;
    const personalId = principal.role === 'STAFF' ? principal.personalId : q.personalId;
    const rows = await listChanges(db, { agencyRoot, state: q.state, period: q.period, personalId, limit, after: q.after });
    return { changes: rows.map((c) => ({ ...c, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() })),
      next: rows.length === limit ? rows[rows.length - 1]!.id : null };
  });

  app.get('/:id', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['changes'], params: IdParams, response: { 200: ChangeDetail, ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const change = await loadVisible(request);
    if (principal.personalId !== change.personalId && config.readAuditEnabled) {
      await auditRead(db, principal, { type: 'change', id: change.id, agencyCode: change.agencyCode });
    }
    return {
      change: toChangeSummary(change), profile: change.profile, category: change.category, status: change.status,
      managingAgencyCode: change.managingAgencyCode, employingAgencyCode: change.employingAgencyCode, reason: change.reason,
      attachments: change.attachments,
      events: change.events.map((e) => ({ fromState: e.fromState, toState: e.toState, actor: e.actor, reason: e.reason, at: e.at.toISOString() })),
    };
  });

  app.get('/:id/attachments/:attachmentId', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['changes'], summary: 'Download a digitised document', params: AttachmentParams },
  }, async (request, reply) => {
    const change = await loadVisible(request);
    const { attachmentId } = request.params as { attachmentId: string };
    const attachment = await getAttachment(db, change.id, attachmentId);
    if (!attachment?.bytes) throw new GatewayError('NOT_FOUND', { attachmentId });
    await auditRead(db, principalOf(request), { type: 'attachment', id: attachmentId, agencyCode: change.agencyCode });
    return reply.type(attachment.mediaType).header('content-disposition', attachmentDisposition(attachment.name))
      .header('x-content-sha256', attachment.sha256).send(Buffer.from(attachment.bytes));
  });

  app.put('/:id', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['changes'], summary: 'Edit a draft or returned change (it keeps its state until submitted)',
      params: IdParams, body: EditBody, response: { 200: ChangeSummary, ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const body = request.body as { profile?: unknown; effectiveDate?: string; reason?: string; attachments?: AttachmentInputBody[] };
    const attachments = decodeAttachments(body.attachments, config.maxAttachmentBytes);
    const { id } = request.params as { id: string };
    const updated = await editChange({ db }, principal, id, {
      content: (current) => {
        const { fullName: _f, gradeCode: _g, normalized: _n, ...patch } = prepareContent({
          personalId: current.personalId, category: current.category, status: current.status,
          managingAgencyCode: current.managingAgencyCode, employingAgencyCode: current.employingAgencyCode,
          effectiveDate: body.effectiveDate ?? isoDate(current.effectiveDate), profile: body.profile ?? current.profile,
        }, localDate(app.deps.clock.now()));
        return patch;
      },
      ...(body.reason !== undefined ? { reason: body.reason } : {}), attachments,
    });
    return toChangeSummary(updated);
  });

  app.post('/:id/submit', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['changes'], params: IdParams, body: OptionalReasonBody, response: { 200: ChangeSummary, ...errorResponses } },
  }, async (request) => step(request, 'SUBMIT', (request.body as { reason?: string } | null)?.reason));

  app.post('/:id/verify', {
    preHandler: requireRole(...officers),
    schema: { tags: ['changes'], summary: 'The unit HR officer has checked the change against the paper file',
      params: IdParams, body: OptionalReasonBody, response: { 200: ChangeSummary, ...errorResponses } },
  }, async (request) => step(request, 'VERIFY', (request.body as { reason?: string } | null)?.reason));

  app.post('/:id/return', {
    preHandler: requireRole(...officers),
    schema: { tags: ['changes'], summary: 'Send the change back with a reason', params: IdParams, body: ReasonBody,
      response: { 200: ChangeSummary, ...errorResponses } },
  }, async (request) => step(request, 'RETURN', (request.body as { reason: string }).reason.normalize('NFC')));
};

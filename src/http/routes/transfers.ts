// Transfers (DESIGN rule 4). Records coming into the province: an agency asks Sở Nội vụ to pull a record
// from the national database (POST /transfers/pull, NATIONAL_API.md §5), and everyone follows the
// requests for their agencies (GET /transfers, GET /transfers/{requestId}); operators re-run a failed
// one. Inbound requests of the national side arrive through routes/inbound.ts. Moves inside the
// province: POST /persons/{personalId}/transfer (src/transfer/in-province-transfer.ts).
// The receiving agency's UNIT_OFFICER or AGENCY_HEAD acts within their scope; PROVINCE_OPERATOR anywhere.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { GatewayError } from '../../errors.ts';
import type { Principal, Role } from '../../auth/principal.ts';
import { canonicalAgencyCode, level1Code } from '../../domain/agency-code.ts';
import { assertPersonalIdFormat } from '../../domain/personal-id.ts';
import { localDate } from '../../domain/working-days.ts';
import { REQUEST_ID } from '../../exchange/xml/transfer-request-document.ts';
import { assertAgencyActive, getAgency } from '../../store/agencies.ts';
import { createChange, getPerson, openChangeOf } from '../../store/changes.ts';
import { createTransfer, getTransfer, listTransfers, queuedTransferOf, rerunTransfer, type TransferRow } from '../../store/transfers.ts';
import { pullRefusal } from '../../domain/pull-scope.ts';
import { planInProvinceTransfer } from '../../transfer/in-province-transfer.ts';
import { TRANSFER_STATES, type TransferState } from '../../transfer/transfer-states.ts';
import { canSeePerson, inScope, assertInScope } from '../agency-scope.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { decodeAttachments, prepareContent } from '../change-input.ts';
import { errorResponses, isoDate } from '../schemas.ts';
import { AttachmentBody, ChangeSummary, toChangeSummary } from './change-schemas.ts';

const transferRoles: Role[] = ['UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR'];
const Date_ = Type.String({ format: 'date' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const PullBody = Type.Object({
  personalId: Type.String({ maxLength: 20 }),
  toAgencyCode: Type.String({ maxLength: 60 }),
  decisionNo: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  effectiveDate: Type.Optional(Date_),
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
}, { additionalProperties: false });

const ListQuery = Type.Object({
  state: Type.Optional(Type.Union(TRANSFER_STATES.map((s) => Type.Literal(s)))),
  personalId: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

const RequestParams = Type.Object({ requestId: Type.String({ minLength: 1, maxLength: 128 }) });
const PersonalIdParams = Type.Object({ personalId: Type.String({ minLength: 1, maxLength: 20 }) });

const MoveBody = Type.Object({
  toAgencyCode: Type.String({ maxLength: 60 }),
  managingAgencyCode: Type.Optional(Type.String({ maxLength: 60 })),
  effectiveDate: Date_,
  decisionNo: Type.String({ minLength: 1, maxLength: 100 }),
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 20 })),
}, { additionalProperties: false });

const TransferView = Type.Object({
  requestId: Type.String(), source: Type.String(), personalId: Type.String(), state: Type.String(),
  fromAgencyCode: nullable(Type.String()), toAgencyCode: Type.String(), decisionNo: nullable(Type.String()),
  effectiveDate: nullable(Type.String()), reason: nullable(Type.String()),
  outcomeCode: nullable(Type.String()), outcomeMessage: nullable(Type.String()), changeId: nullable(Type.String()),
  nationalVersion: nullable(Type.Integer()), holderCode: nullable(Type.String()),
  ackState: nullable(Type.String()), ackedAt: nullable(Type.String()), attempts: Type.Integer(), lastErrorCode: nullable(Type.String()),
  requestedBy: nullable(Type.String()), createdAt: Type.String(), updatedAt: Type.String(),
});

type TransferFields = Omit<TransferRow, 'payload' | 'signature'>;

function toTransferView(t: TransferFields) {
  return {
    requestId: t.requestId, source: t.source, personalId: t.personalId, state: t.state,
    fromAgencyCode: t.fromAgencyCode, toAgencyCode: t.toAgencyCode, decisionNo: t.decisionNo, effectiveDate: isoDate(t.effectiveDate),
    reason: t.reason, outcomeCode: t.outcomeCode, outcomeMessage: t.outcomeMessage, changeId: t.changeId,
    nationalVersion: t.nationalVersion, holderCode: t.holderCode, ackState: t.ackState, ackedAt: t.ackedAt?.toISOString() ?? null,
    attempts: t.attempts, lastErrorCode: t.lastErrorCode, requestedBy: t.requestedBy,
    createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString(),
  };
}

const seesAll = (p: Principal): boolean => p.role === 'PROVINCE_OPERATOR';

export const transferRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const deadlineMs = config.retryDeadlineHours * 3_600_000;

  /** A request the caller may see; out of scope and missing look the same. */
  async function loadVisible(request: FastifyRequest): Promise<TransferRow> {
    const { requestId } = request.params as { requestId: string };
    const principal = principalOf(request);
    const t = REQUEST_ID.test(requestId) ? await getTransfer(db, requestId) : null;
    if (!t || !(seesAll(principal) || inScope(principal, t.toAgencyCode))) throw new GatewayError('TRANSFER_NOT_FOUND', { requestId });
    return t;
  }

  app.post('/pull', {
    preHandler: requireRole(...transferRoles),
    schema: { tags: ['transfers'], summary: 'Ask Sở Nội vụ to pull a record from the national database into the receiving agency',
      body: PullBody, response: { 202: TransferView, ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body as { personalId: string; toAgencyCode: string; decisionNo?: string; effectiveDate?: string; reason: string };
    assertPersonalIdFormat(body.personalId);
    const toAgencyCode = canonicalAgencyCode(body.toAgencyCode);
    if (level1Code(toAgencyCode) !== config.provinceCode) throw new GatewayError('AGENCY_NOT_IN_PROVINCE', { field: 'toAgencyCode', code: toAgencyCode });
    if (!seesAll(principal)) assertInScope(principal, toAgencyCode);
    assertAgencyActive(await getAgency(db, toAgencyCode), toAgencyCode, app.deps.clock.now());
    const queued = await queuedTransferOf(db, body.personalId);
    if (queued) throw new GatewayError('TRANSFER_IN_PROGRESS', { requestId: queued.requestId });
    // Someone the province employs moves by an in-province transfer, never by a pull (pull-scope.ts).
    const refusal = pullRefusal(await getPerson(db, body.personalId));
    if (refusal) throw new GatewayError(refusal, { personalId: body.personalId, use: 'POST /api/v1/persons/{personalId}/transfer' });
    const open = await openChangeOf(db, body.personalId);
    if (open) throw new GatewayError('CHANGE_PENDING', { changeId: open.id, state: open.state });
    const { transfer } = await createTransfer(db, principal, {
      requestId: `PULL-${randomUUID()}`, source: 'PULL', personalId: body.personalId, fromAgencyCode: null, toAgencyCode,
      decisionNo: body.decisionNo?.normalize('NFC').trim() ?? null,
      effectiveDate: body.effectiveDate ? new Date(`${body.effectiveDate}T00:00:00Z`) : null,
      reason: body.reason.normalize('NFC').trim(), requestedBy: principal.subject,
    }, app.deps.clock.now().getTime() + deadlineMs);
    return reply.status(202).send(toTransferView(transfer));
  });

  app.get('/', {
    preHandler: requireRole(...transferRoles),
    schema: { tags: ['transfers'], summary: 'Transfer requests into the caller’s agencies, newest first', querystring: ListQuery,
      response: { 200: Type.Object({ transfers: Type.Array(TransferView) }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const q = request.query as { state?: TransferState; personalId?: string; limit?: number };
    const rows = await listTransfers(db, {
      ...(seesAll(principal) ? {} : { agencyRoot: principal.agencyCode }),
      ...(q.state ? { state: q.state } : {}), ...(q.personalId ? { personalId: q.personalId } : {}), limit: q.limit ?? 100,
    });
    return { transfers: rows.map(toTransferView) };
  });

  app.get('/:requestId', {
    preHandler: requireRole(...transferRoles),
    schema: { tags: ['transfers'], summary: 'One transfer request, with why it was rejected or failed', params: RequestParams,
      response: { 200: TransferView, ...errorResponses } },
  }, async (request) => toTransferView(await loadVisible(request)));

  app.post('/:requestId/rerun', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['transfers'], summary: 'Re-run a failed pull or a failed acknowledgement (operator)', params: RequestParams,
      response: { 200: TransferView, ...errorResponses } },
  }, async (request) => {
    const t = await loadVisible(request);
    return toTransferView(await rerunTransfer(db, principalOf(request), t.requestId, app.deps.clock.now().getTime() + deadlineMs));
  });
};

/** POST /persons/{personalId}/transfer: registered under /persons beside routes/persons.ts. */
export const personTransferRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;

  app.post('/:personalId/transfer', {
    preHandler: requireRole(...transferRoles),
    schema: { tags: ['persons'], summary: 'Move a record to another agency of the province (the superior agency; an update going through review)',
      params: PersonalIdParams, body: MoveBody, response: { 201: ChangeSummary, ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { personalId } = request.params as { personalId: string };
    assertPersonalIdFormat(personalId);
    const body = request.body as { toAgencyCode: string; managingAgencyCode?: string; effectiveDate: string; decisionNo: string; reason: string; attachments?: [] };
    const person = await getPerson(db, personalId);
    if (!person || !(seesAll(principal) || canSeePerson(principal, person))) throw new GatewayError('PERSON_NOT_FOUND');
    const placement = planInProvinceTransfer(person, body, config.provinceCode);
    if (!seesAll(principal)) assertInScope(principal, person.employingAgencyCode, placement.employingAgencyCode, placement.managingAgencyCode);
    const now = app.deps.clock.now();
    for (const code of new Set([placement.employingAgencyCode, placement.managingAgencyCode])) assertAgencyActive(await getAgency(db, code), code, now);
    const { fullName: _f, gradeCode: _g, normalized: _n, ...content } = prepareContent({
      personalId, category: person.category, status: person.status, ...placement, effectiveDate: body.effectiveDate, profile: person.profile,
    }, localDate(now));
    const reason = `${body.reason} (${body.decisionNo}; ${person.employingAgencyCode} → ${placement.employingAgencyCode})`.normalize('NFC').trim();
    const change = await createChange(db, principal, {
      ...content, personalId, kind: 'CAP_NHAT', state: 'SUBMITTED', reason, source: 'TRANSFER',
      attachments: decodeAttachments(body.attachments, config.maxAttachmentBytes),
    });
    return reply.status(201).send(toChangeSummary(change));
  });
};

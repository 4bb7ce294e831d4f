// Persons: enter a new record, read records in scope, submit changes and status changes.
// A person is never deleted: leaving is a status change, and the record stays with its history.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { withheldFromRequester } from '../../domain/pull-scope.ts';
import { GatewayError } from '../../errors.ts';
import { canonicalAgencyCode } from '../../domain/agency-code.ts';
import { localDate } from '../../domain/working-days.ts';
import { assertPersonalIdFormat } from '../../domain/personal-id.ts';
import { assertAgencyActive, getAgency } from '../../store/agencies.ts';
import { auditRead, getChange, getPerson, listPersons, openChangeOf, type ChangeRow } from '../../store/changes.ts';
import { enterNewRecord, proposeChange } from '../../services/change-workflow.ts';
import { anyRole, officers, principalOf, requireRole } from '../auth-plugin.ts';
import { assertInScope, canSeePerson } from '../agency-scope.ts';
import { errorResponses } from '../schemas.ts';
import { decodeAttachments, prepareContent } from '../change-input.ts';
import { AttachmentBody, ChangeSummary, Category, PersonStatus, toChangeSummary } from './change-schemas.ts';
import type { PersonCategory, PersonStatus as Status } from '../../generated/prisma/client.ts';

const PersonalIdParams = Type.Object({ personalId: Type.String({ minLength: 1, maxLength: 20 }) });
const Date_ = Type.String({ format: 'date' });

const NewRecordBody = Type.Object({
  personalId: Type.String({ maxLength: 20 }),
  category: Category,
  managingAgencyCode: Type.String({ maxLength: 60 }),
  employingAgencyCode: Type.String({ maxLength: 60 }),
  effectiveDate: Type.Optional(Date_),
  profile: Type.Object({}, { additionalProperties: true }),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 20 })),
  draft: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const UpdateBody = Type.Object({
  profile: Type.Object({}, { additionalProperties: true }),
  effectiveDate: Type.Optional(Date_),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 20 })),
  draft: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const StatusBody = Type.Object({
  status: Type.Union(['NGHI_HUU', 'THOI_VIEC', 'TU_TRAN', 'CHUYEN_RA_NGOAI_TINH', 'CHUYEN_KHOI_DANG'].map((s) => Type.Literal(s))),
  effectiveDate: Date_,
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
  decisionNo: Type.Optional(Type.String({ maxLength: 100 })),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 20 })),
}, { additionalProperties: false });

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
  status: Type.Optional(PersonStatus),
}, { additionalProperties: false });

const PersonSummary = Type.Object({
  personalId: Type.String(), fullName: Type.String(), category: Type.String(), status: Type.String(),
  employingAgencyCode: Type.String(), managingAgencyCode: Type.String(), version: Type.Integer(), gradeCode: Type.Union([Type.String(), Type.Null()]),
});
const PersonRecord = Type.Object({
  personalId: Type.String(), category: Type.String(), status: Type.String(),
  managingAgencyCode: Type.String(), employingAgencyCode: Type.String(),
  version: Type.Integer(), syncedVersion: Type.Integer(), approved: Type.Boolean(),
  profile: Type.Unknown(),
  openChange: Type.Union([Type.Object({ id: Type.String(), state: Type.String(), kind: Type.String() }), Type.Null()]),
});

function canonicalPersonalId(request: FastifyRequest): string {
  const { personalId } = request.params as { personalId: string };
  assertPersonalIdFormat(personalId);
  return personalId;
}

export const personRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const today = () => localDate(app.deps.clock.now());

  /** The agency must exist and be open today; the caller must hold it in scope. */
  async function checkAgencies(request: FastifyRequest, ...raw: string[]): Promise<string[]> {
    const codes = raw.map((c) => canonicalAgencyCode(c));
    assertInScope(principalOf(request), ...codes);
    for (const code of new Set(codes)) assertAgencyActive(await getAgency(db, code), code, app.deps.clock.now());
    return codes;
  }

  app.post('/', {
    preHandler: requireRole(...officers),
    schema: { tags: ['persons'], summary: 'Enter a new record (thêm mới): the person and their first change',
      body: NewRecordBody, response: { 201: ChangeSummary, ...errorResponses } },
  }, async (request, reply) => {
    const body = request.body as { personalId: string; category: PersonCategory; managingAgencyCode: string; employingAgencyCode: string;
      effectiveDate?: string; profile: unknown; attachments?: []; draft?: boolean };
    const [managing, employing] = await checkAgencies(request, body.managingAgencyCode, body.employingAgencyCode);
    const content = prepareContent({ personalId: body.personalId, category: body.category, status: 'DANG_CONG_TAC',
      managingAgencyCode: managing!, employingAgencyCode: employing!, effectiveDate: body.effectiveDate ?? null, profile: body.profile }, today());
    const attachments = decodeAttachments(body.attachments, config.maxAttachmentBytes);
    const change = await enterNewRecord({ db }, principalOf(request), {
      ...content, personalId: body.personalId, kind: 'THEM_MOI', draft: body.draft === true, attachments,
    }, content.fullName);
    return reply.status(201).send(toChangeSummary(change));
  });

  app.get('/', {
    preHandler: requireRole(...officers),
    schema: { tags: ['persons'], summary: 'Records in the caller’s scope (summaries, by personal id)', querystring: ListQuery,
      response: { 200: Type.Object({ persons: Type.Array(PersonSummary), next: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const q = request.query as { limit?: number; after?: string; status?: Status };
    const limit = q.limit ?? 100;
    const persons = await listPersons(db, { agencyRoot: principal.agencyCode, limit, after: q.after, status: q.status });
    await auditRead(db, principal, { type: 'person-list', id: principal.agencyCode, agencyCode: principal.agencyCode }, { count: persons.length, after: q.after ?? null });
    return { persons, next: persons.length === limit ? persons[persons.length - 1]!.personalId : null };
  });

  app.get('/:personalId', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['persons'], summary: 'One record (a read of another person’s record is audited)', params: PersonalIdParams,
      response: { 200: PersonRecord, ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const personalId = canonicalPersonalId(request);
    const person = await getPerson(db, personalId);
    // Out of scope and missing look the same, so ids cannot be probed.
    if (!person || !canSeePerson(principal, person)) throw new GatewayError('PERSON_NOT_FOUND');
    const openChange = await openChangeOf(db, personalId);
    // A record new to the province by a pull holds the pulled profile: not for its requester before it is verified.
    if (person.version === 0 && openChange) {
      const change = await getChange(db, openChange.id);
      if (change && withheldFromRequester(change, principal.subject)) throw new GatewayError('FORBIDDEN', { reason: 'PULL_NOT_YET_VERIFIED', state: change.state });
    }
    if (principal.personalId !== personalId && config.readAuditEnabled) {
      await auditRead(db, principal, { type: 'person', id: personalId, agencyCode: person.employingAgencyCode });
    }
    return { ...person, approved: person.version > 0, openChange };
  });

  app.post('/:personalId/changes', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['persons'], summary: 'Submit a change (cập nhật) to a record, with its supporting documents',
      params: PersonalIdParams, body: UpdateBody, response: { 201: ChangeSummary, ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const personalId = canonicalPersonalId(request);
    const person = await getPerson(db, personalId);
    if (!person || !canSeePerson(principal, person)) throw new GatewayError('PERSON_NOT_FOUND');
    if (person.version === 0) throw new GatewayError('CHANGE_PENDING', { reason: 'the new record is not approved yet' });
    const body = request.body as { profile: unknown; effectiveDate?: string; reason?: string; attachments?: []; draft?: boolean };
    const content = prepareContent({ personalId, category: person.category, status: person.status,
      managingAgencyCode: person.managingAgencyCode, employingAgencyCode: person.employingAgencyCode,
      effectiveDate: body.effectiveDate ?? null, profile: body.profile }, today());
    const change = await proposeChange({ db }, principal, {
      ...content, personalId, kind: 'CAP_NHAT', draft: body.draft === true, reason: body.reason?.normalize('NFC') ?? null,
      attachments: decodeAttachments(body.attachments, config.maxAttachmentBytes),
    });
    return reply.status(201).send(toChangeSummary(change));
  });

  app.post('/:personalId/status', {
    preHandler: requireRole(...officers),
    schema: { tags: ['persons'], summary: 'A status change: retirement, resignation, death, moving out of the province, to the Party bloc',
      params: PersonalIdParams, body: StatusBody, response: { 201: ChangeSummary, ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const personalId = canonicalPersonalId(request);
    const person = await getPerson(db, personalId);
    if (!person || !canSeePerson(principal, person)) throw new GatewayError('PERSON_NOT_FOUND');
    assertInScope(principal, person.employingAgencyCode);
    const body = request.body as { status: Status; effectiveDate: string; reason: string; decisionNo?: string; attachments?: [] };
    if (person.status === body.status) throw new GatewayError('STATUS_UNCHANGED', { status: body.status });
    if (person.version === 0) throw new GatewayError('CHANGE_PENDING', { reason: 'the new record is not approved yet' });
    const content = prepareContent({ personalId, category: person.category, status: body.status,
      managingAgencyCode: person.managingAgencyCode, employingAgencyCode: person.employingAgencyCode,
      effectiveDate: body.effectiveDate, profile: person.profile }, today());
    const reason = [body.reason, body.decisionNo ? `(${body.decisionNo})` : ''].join(' ').normalize('NFC').trim();
    const change: ChangeRow = await proposeChange({ db }, principal, {
      ...content, personalId, kind: 'CHUYEN_TRANG_THAI', reason,
      attachments: decodeAttachments(body.attachments, config.maxAttachmentBytes),
    });
    return reply.status(201).send(toChangeSummary(change));
  });

  app.delete('/:personalId', {
    schema: { tags: ['persons'], summary: 'Refused: records are never deleted', params: PersonalIdParams, response: errorResponses },
  }, async () => {
    throw new GatewayError('PERSON_NOT_DELETABLE');
  });
};

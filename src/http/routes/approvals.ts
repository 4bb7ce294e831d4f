// Signed approvals: two-step sessions for USB tokens / remote signing, server-side approval with the
// organisation key, delegations, window overrides, and the stored evidence for offline re-verification.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { GatewayError } from '../../errors.ts';
import { canonicalAgencyCode } from '../../domain/agency-code.ts';
import { periodOf } from '../../domain/working-days.ts';
import { approveWithOrganisationKey, completeSigningSession, startSigningSession, type ApprovalDeps } from '../../approval/approval-service.ts';
import { createDelegation, createWindowOverride, getApproval, listApprovals } from '../../store/approvals.ts';
import { toPem } from '../../pki/pem.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { assertInScope } from '../agency-scope.ts';
import { errorResponses } from '../schemas.ts';
import type { ApprovalLevel } from '../../generated/prisma/client.ts';

const Period = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' });
const Level = Type.Union([Type.Literal('CO_QUAN'), Type.Literal('SO_NOI_VU')]);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const StartBody = Type.Object({
  level: Level,
  agencyCode: Type.Optional(Type.String({ maxLength: 60 })),
  period: Type.Optional(Period),
  certificatePem: Type.String({ minLength: 100, maxLength: 20_000 }),
}, { additionalProperties: false });
const CompleteBody = Type.Object({
  signatureValueBase64: Type.String({ minLength: 8, maxLength: 4096, pattern: '^[A-Za-z0-9+/=\\s]+$' }),
  chainPem: Type.Optional(Type.String({ maxLength: 50_000 })),
}, { additionalProperties: false });
const ProvinceBody = Type.Object({ period: Type.Optional(Period) }, { additionalProperties: false });
const Recorded = Type.Object({ approvalId: Type.String(), count: Type.Integer() });
const DelegationBody = Type.Object({
  agencyCode: Type.String({ maxLength: 60 }),
  delegateSubject: Type.String({ minLength: 1, maxLength: 200 }),
  validFrom: Type.String({ format: 'date-time' }),
  validTo: Type.String({ format: 'date-time' }),
  decisionNo: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });
const OverrideBody = Type.Object({
  agencyCode: Type.String({ maxLength: 60 }),
  period: Period,
  reason: Type.String({ minLength: 5, maxLength: 2000 }),
  validUntil: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

export const approvalRoutes: FastifyPluginAsync<{ approvals: ApprovalDeps }> = async (app, { approvals }) => {
  const { db } = app.deps;

  app.post('/sessions', {
    preHandler: requireRole('AGENCY_HEAD', 'UNIT_OFFICER', 'PROVINCE_OPERATOR'),
    schema: { tags: ['approvals'], summary: 'Two-step signing, step 1: the manifest and the signed attributes to sign with the token',
      body: StartBody, response: { 201: Type.Object({
        sessionId: Type.String(), manifestBase64: Type.String(), manifestSha256: Type.String(), signedAttributesBase64: Type.String(),
        digestToSignHex: Type.String(), algorithm: Type.Unknown(), count: Type.Integer(), expiresAt: Type.String() }), ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body as { level: ApprovalLevel; agencyCode?: string; period?: string; certificatePem: string };
    const agencyCode = body.level === 'SO_NOI_VU' ? approvals.senderCode : canonicalAgencyCode(body.agencyCode ?? principal.agencyCode);
    if (body.level === 'CO_QUAN') assertInScope(principal, agencyCode);
    const s = await startSigningSession(approvals, principal, { level: body.level, agencyCode, period: body.period ?? periodOf(approvals.clock.now()) }, body.certificatePem);
    const { digestInfo, ...algorithm } = s.algorithm;
    return reply.status(201).send({
      sessionId: s.sessionId, manifestBase64: b64(s.manifest), manifestSha256: s.manifestSha256, signedAttributesBase64: b64(s.signedAttributes),
      digestToSignHex: Buffer.from(s.digestToSign).toString('hex'),
      algorithm: { ...algorithm, ...(digestInfo ? { digestInfoBase64: b64(digestInfo) } : {}) }, count: s.count, expiresAt: s.expiresAt.toISOString(),
    });
  });

  app.post('/sessions/:id/complete', {
    preHandler: requireRole('AGENCY_HEAD', 'UNIT_OFFICER', 'PROVINCE_OPERATOR'),
    schema: { tags: ['approvals'], summary: 'Two-step signing, step 2: the signature value from the token; the gateway assembles and verifies the CMS',
      params: IdParams, body: CompleteBody, response: { 201: Recorded, ...errorResponses } },
  }, async (request, reply) => {
    const body = request.body as { signatureValueBase64: string; chainPem?: string };
    const signatureValue = new Uint8Array(Buffer.from(body.signatureValueBase64, 'base64'));
    const result = await completeSigningSession(approvals, principalOf(request), (request.params as { id: string }).id,
      { signatureValue, ...(body.chainPem ? { chainPem: body.chainPem } : {}) });
    return reply.status(201).send(result);
  });

  app.post('/province', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['approvals'], summary: 'Sở Nội vụ approves the month’s agency-approved changes with the organisation key',
      body: ProvinceBody, response: { 201: Recorded, ...errorResponses } },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as { period?: string };
    const result = await approveWithOrganisationKey(approvals, principalOf(request),
      { level: 'SO_NOI_VU', agencyCode: approvals.senderCode, period: body.period ?? periodOf(approvals.clock.now()) });
    return reply.status(201).send(result);
  });

  app.get('/', {
    preHandler: requireRole('AGENCY_HEAD', 'UNIT_OFFICER', 'PROVINCE_OPERATOR', 'ADMIN'),
    schema: { tags: ['approvals'], querystring: Type.Object({ period: Type.Optional(Period) }, { additionalProperties: false }),
      response: { 200: Type.Object({ approvals: Type.Array(Type.Unknown()) }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const rows = await listApprovals(db, { agencyRoot: principal.agencyCode, period: (request.query as { period?: string }).period, limit: 200 });
    return { approvals: rows.map(({ _count, ...a }) => ({ ...a, count: _count.items })) };
  });

  app.get('/:id', {
    preHandler: requireRole('AGENCY_HEAD', 'UNIT_OFFICER', 'PROVINCE_OPERATOR', 'ADMIN'),
    schema: { tags: ['approvals'], summary: 'An approval with everything needed to re-verify it offline', params: IdParams,
      response: { 200: Type.Object({
        id: Type.String(), level: Type.String(), agencyCode: Type.String(), period: Type.String(), approvedBy: Type.String(),
        manifestBase64: Type.String(), manifestSha256: Type.String(), cmsBase64: Type.String(), signerCertificatePem: Type.String(),
        signerSubject: Type.String(), signerSerial: Type.String(), signingTime: Type.String(),
        timeStampTokenBase64: Type.Union([Type.String(), Type.Null()]), revocationEvidence: Type.Unknown(),
        windowOverride: Type.Boolean(), overrideReason: Type.Union([Type.String(), Type.Null()]), delegationId: Type.Union([Type.String(), Type.Null()]),
        items: Type.Array(Type.Object({ changeId: Type.String(), contentSha256: Type.String() })) }), ...errorResponses } },
  }, async (request) => {
    const a = await getApproval(db, (request.params as { id: string }).id);
    if (!a) throw new GatewayError('NOT_FOUND');
    assertInScope(principalOf(request), a.agencyCode);
    return {
      id: a.id, level: a.level, agencyCode: a.agencyCode, period: a.period, approvedBy: a.approvedBy,
      manifestBase64: b64(a.manifest), manifestSha256: a.manifestSha256, cmsBase64: b64(a.cms),
      signerCertificatePem: toPem('CERTIFICATE', a.signerCertificate), signerSubject: a.signerSubject, signerSerial: a.signerSerial,
      signingTime: a.signingTime.toISOString(), timeStampTokenBase64: a.timeStampToken ? b64(a.timeStampToken) : null,
      revocationEvidence: a.revocationEvidence, windowOverride: a.windowOverride, overrideReason: a.overrideReason, delegationId: a.delegationId,
      items: a.items.map((i) => ({ changeId: i.changeId, contentSha256: i.contentSha256 })),
    };
  });

  app.post('/delegations', {
    preHandler: requireRole('AGENCY_HEAD', 'ADMIN'),
    schema: { tags: ['approvals'], summary: 'Record a deputy’s authority to approve for the agency head (ủy quyền)', body: DelegationBody,
      response: { 201: Type.Object({ id: Type.String() }), ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body as { agencyCode: string; delegateSubject: string; validFrom: string; validTo: string; decisionNo?: string };
    const agencyCode = canonicalAgencyCode(body.agencyCode);
    if (principal.role === 'AGENCY_HEAD' && principal.agencyCode !== agencyCode) throw new GatewayError('OUT_OF_SCOPE', { agencyCode });
    assertInScope(principal, agencyCode);
    const validFrom = new Date(body.validFrom);
    const validTo = new Date(body.validTo);
    if (!(validTo > validFrom)) throw new GatewayError('INVALID_VALUE', { field: 'validTo', reason: 'must be after validFrom' });
    const row = await createDelegation(db, principal, { agencyCode, delegateSubject: body.delegateSubject, validFrom, validTo, decisionNo: body.decisionNo ?? null });
    return reply.status(201).send({ id: row.id });
  });

  app.post('/window-overrides', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['approvals'], summary: 'Allow an agency to approve outside the last-5-days window (audited)', body: OverrideBody,
      response: { 201: Type.Object({ id: Type.String() }), ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body as { agencyCode: string; period: string; reason: string; validUntil: string };
    const agencyCode = canonicalAgencyCode(body.agencyCode);
    assertInScope(principal, agencyCode);
    const row = await createWindowOverride(db, principal, { agencyCode, period: body.period, reason: body.reason.normalize('NFC'), validUntil: new Date(body.validUntil) });
    return reply.status(201).send({ id: row.id });
  });
};

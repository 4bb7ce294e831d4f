// Approver certificates (issue 15): Sở Nội vụ registers, lists and revokes the signing certificates of each SSO
// subject; two-step approvals are signed only with one of them. Rules: src/domain/approver-certificate-rules.ts.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { listCertificates, registerCertificate, revokeCertificate, type ApproverCertificateDeps } from '../../services/approver-certificates.ts';
import type { ApproverCertificateRow } from '../../store/approver-certificates.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const SubjectParams = Type.Object({ subject: Type.String({ minLength: 1, maxLength: 200 }) });
const OneParams = Type.Object({ subject: Type.String({ minLength: 1, maxLength: 200 }), fingerprint: Type.String({ minLength: 1, maxLength: 100 }) });
const View = Type.Object({
  subject: Type.String(), fingerprint: Type.String(), serialNumber: Type.String(), issuer: Type.String(), certificateSubject: Type.String(),
  registeredBy: Type.String(), registeredAt: Type.String(), revokedBy: nullable(Type.String()), revokedAt: nullable(Type.String()), reason: nullable(Type.String()),
});
const toView = ({ id: _id, ...c }: ApproverCertificateRow) => ({
  ...c, registeredAt: c.registeredAt.toISOString(), revokedAt: c.revokedAt?.toISOString() ?? null,
});

// Every signed-in role reaches the rule table, so a head registering for himself gets its separation-of-duties answer.
const anyone = requireRole('STAFF', 'UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR', 'ADMIN');

export const approverCertificateRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const deps: ApproverCertificateDeps = { db, soNoiVuCode: config.senderCode };
  const subjectOf = (request: { params: unknown }) => (request.params as { subject: string }).subject;

  app.post('/:subject/certificates', {
    preHandler: anyone,
    schema: { tags: ['approvers'], summary: 'Register a signing certificate (PEM) for an approver (Sở Nội vụ)', params: SubjectParams,
      body: Type.Object({ certificatePem: Type.String({ minLength: 100, maxLength: 20_000 }) }, { additionalProperties: false }),
      response: { 201: View, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(toView(await registerCertificate(deps, principalOf(request), subjectOf(request),
    (request.body as { certificatePem: string }).certificatePem))));

  app.get('/:subject/certificates', {
    preHandler: anyone,
    schema: { tags: ['approvers'], summary: 'Signing certificates registered for an approver (Sở Nội vụ, or the approver)', params: SubjectParams,
      response: { 200: Type.Object({ certificates: Type.Array(View) }), ...errorResponses } },
  }, async (request) => ({ certificates: (await listCertificates(deps, principalOf(request), subjectOf(request))).map(toView) }));

  app.delete('/:subject/certificates/:fingerprint', {
    preHandler: anyone,
    schema: { tags: ['approvers'], summary: 'Revoke an approver’s signing certificate (Sở Nội vụ), with a reason', params: OneParams,
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: View, ...errorResponses } },
  }, async (request) => {
    const p = request.params as { subject: string; fingerprint: string };
    return toView(await revokeCertificate(deps, principalOf(request), p.subject, p.fingerprint, (request.body as { reason: string }).reason));
  });
};

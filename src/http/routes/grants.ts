// Grants (issue 13): Sở Nội vụ grants, limits, extends and revokes access; agency heads request grants for
// their subtree. Routes parse and call the use cases of src/services/grants.ts; the rules are the table of
// src/domain/grant-rules.ts; every change is audited with the grant.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { canonicalAgencyCode, isWithinSubtree } from '../../domain/agency-code.ts';
import { GRANT_ROLES, GRANT_STATES, type GrantSettings } from '../../domain/grant-rules.ts';
import { GatewayError } from '../../errors.ts';
import { approveGrantRequest, extendGrant, grantAccess, limitGrant, revokeGrant, type GrantDeps } from '../../services/grants.ts';
import { getGrant, listGrants, type GrantRow } from '../../store/grants.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';

const Reason = Type.String({ minLength: 1, maxLength: 2000 });
const Instant = Type.String({ format: 'date-time' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const GrantBody = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  role: Type.Union(GRANT_ROLES.map((r) => Type.Literal(r))),
  agencyCode: Type.String({ minLength: 1, maxLength: 60 }),
  personalId: Type.Optional(Type.String({ maxLength: 20 })),
  validFrom: Type.Optional(Instant),
  validTo: Type.Optional(Instant),
  reason: Reason,
}, { additionalProperties: false });

const GrantView = Type.Object({
  id: Type.String(), subject: Type.String(), role: Type.String(), agencyCode: Type.String(), personalId: nullable(Type.String()),
  state: Type.String(), validFrom: Type.String(), validTo: nullable(Type.String()), reason: Type.String(), requestedBy: Type.String(),
  grantedBy: nullable(Type.String()), revokedBy: nullable(Type.String()), revokeReason: nullable(Type.String()),
  createdAt: Type.String(), updatedAt: Type.String(),
});

const toView = (g: GrantRow) => ({
  ...g, validFrom: g.validFrom.toISOString(), validTo: g.validTo?.toISOString() ?? null,
  createdAt: g.createdAt.toISOString(), updatedAt: g.updatedAt.toISOString(),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object({
  agency: Type.Optional(Type.String({ maxLength: 60 })),
  subject: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.Union(GRANT_STATES.map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, { additionalProperties: false });

const managers = requireRole('PROVINCE_OPERATOR', 'ADMIN');
const one = { params: IdParams, response: { 200: GrantView, ...errorResponses } };

export const grantRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const settings: GrantSettings = { soNoiVuCode: config.senderCode || config.provinceCode, provinceCode: config.provinceCode };
  const clock = app.deps.clock;
  const deps: GrantDeps = { db, clock, settings };

  app.post('/', {
    preHandler: requireRole('PROVINCE_OPERATOR', 'ADMIN', 'AGENCY_HEAD'),
    schema: { tags: ['grants'], summary: 'Grant access (Sở Nội vụ; ADMIN for Sở Nội vụ itself), or request it for one’s subtree (agency head)',
      body: GrantBody, response: { 201: GrantView, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(toView(await grantAccess(deps, principalOf(request), request.body as never))));

  app.get('/', {
    preHandler: requireRole('PROVINCE_OPERATOR', 'ADMIN', 'AGENCY_HEAD'),
    schema: { tags: ['grants'], summary: 'Grants of agencies in the caller’s scope', querystring: ListQuery,
      response: { 200: Type.Object({ grants: Type.Array(GrantView) }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const q = request.query as { agency?: string; subject?: string; state?: string; limit?: number };
    // Sở Nội vụ's operators see the province; others (ADMIN included) their own agency's subtree.
    const scope = principal.role === 'PROVINCE_OPERATOR' && isWithinSubtree(principal.agencyCode, settings.soNoiVuCode) ? settings.provinceCode : principal.agencyCode;
    const agencyRoot = q.agency ? canonicalAgencyCode(q.agency) : scope;
    if (!isWithinSubtree(agencyRoot, scope)) throw new GatewayError('OUT_OF_SCOPE', { agencyCode: agencyRoot, scope });
    return { grants: (await listGrants(db, { agencyRoot, subject: q.subject, state: q.state, limit: q.limit ?? 200 })).map(toView) };
  });

  app.get('/:id', { preHandler: requireRole('PROVINCE_OPERATOR', 'ADMIN', 'AGENCY_HEAD'), schema: { tags: ['grants'], ...one } }, async (request) => {
    const principal = principalOf(request);
    const g = await getGrant(db, (request.params as { id: string }).id);
    const scope = principal.role === 'PROVINCE_OPERATOR' && isWithinSubtree(principal.agencyCode, settings.soNoiVuCode) ? settings.provinceCode : principal.agencyCode;
    if (!g || !isWithinSubtree(g.agencyCode, scope)) throw new GatewayError('GRANT_NOT_FOUND');
    return toView(g);
  });

  app.post('/:id/approve', { preHandler: managers, schema: { tags: ['grants'], summary: 'Grant what an agency head requested', body: Type.Object({ reason: Reason }, { additionalProperties: false }), ...one } },
    async (request) => toView(await approveGrantRequest(deps, principalOf(request), (request.params as { id: string }).id, (request.body as { reason: string }).reason)));

  app.post('/:id/limit', {
    preHandler: managers,
    schema: { tags: ['grants'], summary: 'Limit a grant: an earlier end, or a narrower agency', ...one,
      body: Type.Object({ validTo: Type.Optional(Instant), agencyCode: Type.Optional(Type.String({ maxLength: 60 })), reason: Reason }, { additionalProperties: false }) },
  }, async (request) => {
    const b = request.body as { validTo?: string; agencyCode?: string; reason: string };
    return toView(await limitGrant(deps, principalOf(request), (request.params as { id: string }).id, b, b.reason));
  });

  app.post('/:id/extend', {
    preHandler: managers,
    schema: { tags: ['grants'], summary: 'Extend a grant: a later end, or none', ...one,
      body: Type.Object({ validTo: nullable(Instant), reason: Reason }, { additionalProperties: false }) },
  }, async (request) => {
    const b = request.body as { validTo: string | null; reason: string };
    return toView(await extendGrant(deps, principalOf(request), (request.params as { id: string }).id, b.validTo, b.reason));
  });

  app.post('/:id/revoke', {
    preHandler: managers,
    schema: { tags: ['grants'], summary: 'Revoke a grant: it stops working on the next request', ...one, body: Type.Object({ reason: Reason }, { additionalProperties: false }) },
  }, async (request) => toView(await revokeGrant(deps, principalOf(request), (request.params as { id: string }).id, (request.body as { reason: string }).reason)));
};

// The way out of a STALE_VERSION rejection for Sở Nội vụ operators (src/services/stale-resolution.ts):
//   GET  /changes/{id}/national  pull the national version, verified, and what differs from the change;
//   POST /changes/{id}/rebase    {nationalVersion}: a new SUBMITTED change on that version, which then
//                                goes through the normal workflow and gets the next phienBan.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { GatewayError } from '../../errors.ts';
import { compareWithNational, rebaseOnNational, type StaleResolutionDeps } from '../../services/stale-resolution.ts';
import { getChange } from '../../store/changes.ts';
import { loadNationalTrust } from '../../transfer/national-trust.ts';
import { MAX_RECORD_BYTES } from '../../transfer/transfer-jobs.ts';
import { inScope } from '../agency-scope.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';
import { ChangeSummary, toChangeSummary } from './change-schemas.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const RebaseBody = Type.Object({ nationalVersion: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Comparison = Type.Object({
  changeId: Type.String(), personalId: Type.String(),
  national: Type.Object({ version: Type.Integer(), holderCode: Type.String(), updatedAt: Type.String(), thaoTac: Type.String(),
    documentSha256: Type.String(), signer: Type.String() }),
  provincial: Type.Object({ kind: Type.String(), baseVersion: Type.Integer(), targetVersion: Type.Union([Type.Integer(), Type.Null()]),
    rejectionMessage: Type.Union([Type.String(), Type.Null()]) }),
  nextVersion: Type.Integer(),
  differences: Type.Array(Type.Object({ path: Type.String(), national: Type.Unknown(), provincial: Type.Unknown() })),
});

export const rebaseRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  let trust: StaleResolutionDeps['trust'] | undefined;
  const deps = (): StaleResolutionDeps => {
    const client = app.deps.national;
    if (!client) throw new GatewayError('CONFIG_INVALID', { variable: 'NATIONAL_BASE_URL', reason: 'no national client configured' });
    trust ??= app.deps.nationalTrust ?? loadNationalTrust(config);
    return { db, client, trust, maxRecordBytes: MAX_RECORD_BYTES, now: () => app.deps.clock.now() };
  };
  /** The change exists and lies in the operator's scope (else it does not exist for them). */
  async function inScopeChange(request: FastifyRequest): Promise<string> {
    const { id } = request.params as { id: string };
    const change = await getChange(db, id);
    // Outside the operator's subtree the change does not exist for them (as in changes.ts).
    if (!change || !inScope(principalOf(request), change.agencyCode)) throw new GatewayError('CHANGE_NOT_FOUND', { id });
    return id;
  }

  app.get('/:id/national', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['changes'], summary: 'STALE_VERSION: the national version of the record, verified, and what differs from the rejected change',
      params: IdParams, response: { 200: Comparison, ...errorResponses } },
  }, async (request) => compareWithNational(deps(), principalOf(request), await inScopeChange(request)));

  app.post('/:id/rebase', {
    preHandler: requireRole('PROVINCE_OPERATOR'),
    schema: { tags: ['changes'], summary: 'STALE_VERSION: a new change with the same content on the national version (next phienBan), through the normal workflow',
      params: IdParams, body: RebaseBody, response: { 201: Type.Object({ change: ChangeSummary, comparison: Comparison }), ...errorResponses } },
  }, async (request, reply) => {
    const id = await inScopeChange(request);
    const { nationalVersion } = request.body as { nationalVersion: number };
    const { change, comparison } = await rebaseOnNational(deps(), principalOf(request), id, nationalVersion);
    return reply.status(201).send({ change: toChangeSummary(change), comparison });
  });
};

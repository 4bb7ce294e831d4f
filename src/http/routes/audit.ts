// The audit log, for Sở Nội vụ operators and administrators: read it, and check its hash chain.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { listAudit } from '../../store/audit-log.ts';
import { trailCheckOptions, verifyAuditTrail } from '../../services/audit-checkpoints.ts';
import type { SigningSetup } from '../../approval/signing-setup.ts';
import { systemClock } from '../../clock.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';

const AuditQuery = Type.Object({
  entityType: Type.Optional(Type.String({ maxLength: 40 })),
  entityId: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, { additionalProperties: false });

const AuditRow = Type.Object({
  seq: Type.String(), at: Type.String(), actor: Type.String(), role: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(), entityType: Type.String(), entityId: Type.Union([Type.String(), Type.Null()]),
  agencyCode: Type.Union([Type.String(), Type.Null()]), details: Type.Unknown(), hash: Type.String(),
});

const AuditTrail = Type.Object({
  ok: Type.Boolean(), rows: Type.Integer(),
  head: Type.Union([Type.Object({ seq: Type.String(), hash: Type.String() }), Type.Null()]),
  checkpoints: Type.Object({
    database: Type.Integer(), directory: Type.Integer(), verified: Type.Integer(),
    latest: Type.Union([Type.Object({ seq: Type.String(), headHash: Type.String(), at: Type.String(), reason: Type.String(),
      sources: Type.Array(Type.String()) }), Type.Null()]),
  }),
  uncovered: Type.String(),
  brokenAt: Type.Optional(Type.Object({ seq: Type.String(), reason: Type.String(), checkpointSeq: Type.Optional(Type.String()), origin: Type.Optional(Type.String()) })),
});

export const auditRoutes: FastifyPluginAsync<{ signing: SigningSetup }> = async (app, { signing }) => {
  const { db, config } = app.deps;
  app.get('/', {
    preHandler: requireRole('ADMIN', 'PROVINCE_OPERATOR'),
    schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: Type.Object({ rows: Type.Array(AuditRow) }), ...errorResponses } },
  }, async (request) => {
    const rows = await listAudit(db, request.query as { entityType?: string; entityId?: string; limit?: number });
    // ADMIN checks the log but is not entitled to personal ids: admin-masking.ts masks them in the answer.
    return {
      rows: rows.map((r) => ({ ...r, seq: r.seq.toString(), at: r.at.toISOString(), entityId: r.entityId,
        details: r.details === null ? null : JSON.parse(r.details) })),
    };
  });

  // The chain, then every signed checkpoint (database and AUDIT_CHECKPOINT_DIR): truncation, a cut tail
  // and a recomputed chain fail here too (src/services/audit-checkpoints.ts).
  app.get('/verify', {
    preHandler: requireRole('ADMIN'),
    schema: { tags: ['audit'], response: { 200: AuditTrail, ...errorResponses } },
  }, async () => verifyAuditTrail(db, trailCheckOptions(signing, config.auditCheckpointDir, systemClock)));
};

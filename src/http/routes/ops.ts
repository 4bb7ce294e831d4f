// Status and progress for the operator console (/console): who is signed in, the progress of a period
// per agency of the caller's subtree, and the health of the deployment (certificates, national link,
// queue, batches, database and Redis), each green / yellow / red (src/metrics/health-levels.ts).
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { SigningSetup } from '../../approval/signing-setup.ts';
import { seesPersonalIds } from '../admin-masking.ts';
import { periodOf, localDate } from '../../domain/working-days.ts';
import { pingDb } from '../../store/db.ts';
import { batchStateCounts, progressCounts, storedNationalLink, type ProgressRow } from '../../store/ops.ts';
import { deadlinePolicyOf } from '../../reports/deadline-rules.ts';
import { overdueItems } from '../../reports/report-runner.ts';
import { certificateExpiries, type CertificateRole } from '../../metrics/certificate-expiry.ts';
import {
  batchesLevel, certificateLevel, nationalLinkView, queueLevel, readinessLevel, worst, type Level,
} from '../../metrics/health-levels.ts';
import { queueCounts } from '../../metrics/ops-queues.ts';
import { PROBE_TIMEOUT_MS, probeWithin } from '../health-routes.ts';
import { anyRole, officers, principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';
import { reportRoot } from './deadlines.ts';

const PERIOD = '^[0-9]{4}-(0[1-9]|1[0-2])$';
const LevelT = Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

const ProgressQuery = Type.Object({
  period: Type.Optional(Type.String({ pattern: PERIOD })),
  agency: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
}, { additionalProperties: false });

/** The console's columns: how far the period's changes got, and what went wrong. */
const ProgressCounts = Type.Object({
  entered: Count, verified: Count, agencyApproved: Count, provinceApproved: Count, synced: Count,
  returned: Count, rejected: Count, overdue: Count, states: Type.Record(Type.String(), Count),
});
const ProgressBody = Type.Object({
  period: Type.String(), current: Type.Boolean(), agencyCode: Type.String(), asOf: Type.String({ format: 'date' }),
  agencies: Type.Array(Type.Intersect([Type.Object({ agencyCode: Type.String(), agencyName: NullableString }), ProgressCounts])),
  totals: ProgressCounts,
});

const StatusBody = Type.Object({
  checkedAt: Type.String(),
  level: LevelT,
  certificates: Type.Object({
    level: LevelT,
    missing: Type.Array(Type.String()),
    items: Type.Array(Type.Object({
      role: Type.String(), subject: Type.String(), serialNumber: Type.String(), notAfter: Type.String(), daysLeft: Type.Integer(), level: LevelT,
    })),
  }),
  national: Type.Object({
    level: LevelT, lastSuccessAt: NullableString, lastFailureAt: NullableString, lastFailureCode: NullableString,
    lastFailureKind: NullableString, lastFailureSource: NullableString,
  }),
  queue: Type.Object({
    level: LevelT, name: Type.String(), available: Type.Boolean(),
    counts: Type.Union([Type.Object({ waiting: Count, active: Count, delayed: Count, failed: Count }), Type.Null()]),
  }),
  batches: Type.Object({ level: LevelT, counts: Type.Record(Type.String(), Count) }),
  readiness: Type.Object({ level: LevelT, checks: Type.Record(Type.String(), Type.Boolean()) }),
});

/** States a change passes through after each step (a later state means the step was done). */
const REACHED = {
  verified: new Set(['VERIFIED', 'AGENCY_APPROVED', 'PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'REJECTED_BY_NATIONAL']),
  agencyApproved: new Set(['AGENCY_APPROVED', 'PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'REJECTED_BY_NATIONAL']),
  provinceApproved: new Set(['PROVINCE_APPROVED', 'BATCHED', 'SYNCED', 'REJECTED_BY_NATIONAL']),
} as const;

type Counts = { entered: number; verified: number; agencyApproved: number; provinceApproved: number; synced: number; returned: number; rejected: number; overdue: number; states: Record<string, number> };

const emptyCounts = (): Counts => ({ entered: 0, verified: 0, agencyApproved: 0, provinceApproved: 0, synced: 0, returned: 0, rejected: 0, overdue: 0, states: {} });

function add(into: Counts, row: ProgressRow): void {
  into.entered += row.count;
  into.overdue += row.overdue;
  into.states[row.state] = (into.states[row.state] ?? 0) + row.count;
  if (REACHED.verified.has(row.state)) into.verified += row.count;
  if (REACHED.agencyApproved.has(row.state)) into.agencyApproved += row.count;
  if (REACHED.provinceApproved.has(row.state)) into.provinceApproved += row.count;
  if (row.state === 'SYNCED') into.synced += row.count;
  if (row.state === 'RETURNED') into.returned += row.count;
  if (row.state === 'REJECTED_BY_NATIONAL') into.rejected += row.count;
}

/** Per-agency columns and their totals from the grouped rows. */
export function progressTable(rows: readonly ProgressRow[]) {
  const agencies = new Map<string, Counts & { agencyCode: string; agencyName: string | null }>();
  const totals = emptyCounts();
  for (const row of rows) {
    let a = agencies.get(row.agencyCode);
    if (!a) agencies.set(row.agencyCode, (a = { agencyCode: row.agencyCode, agencyName: row.agencyName, ...emptyCounts() }));
    add(a, row);
    add(totals, row);
  }
  return { agencies: [...agencies.values()], totals };
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export const opsRoutes: FastifyPluginAsync<{ signing: SigningSetup }> = async (app, { signing }) => {
  const { db, config } = app.deps;
  const now = () => app.deps.clock.now();
  const policy = deadlinePolicyOf(config);

  app.get('/me', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['ops'], summary: 'Who the bearer token says the caller is (the console shows it and adapts its pages)',
      response: { 200: Type.Object({ subject: Type.String(), role: Type.String(), agencyCode: Type.String(), name: NullableString, seesPersonalIds: Type.Boolean() }), ...errorResponses } },
  }, async (request) => {
    const p = principalOf(request);
    // ADMIN administers and takes no workflow step: the console masks personal ids for it.
    return { subject: p.subject, role: p.role, agencyCode: p.agencyCode, name: p.name ?? null, seesPersonalIds: seesPersonalIds(p) };
  });

  app.get('/progress', {
    preHandler: requireRole(...officers),
    schema: { tags: ['ops'], summary: 'Progress of a period per agency of the caller’s subtree: changes entered, verified, approved, synced, returned, rejected, overdue',
      description: 'A change counts in the period its agency approved it in; one its agency has not approved yet counts in the current period. Overdue: past a deadline of src/reports/deadline-rules.ts today.',
      querystring: ProgressQuery, response: { 200: ProgressBody, ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const q = request.query as { period?: string; agency?: string };
    const agencyCode = await reportRoot(db, principal, q.agency);
    const today = now();
    const current = periodOf(today);
    const period = q.period ?? current;
    const asOf = localDate(today);
    const overdueIds = [...new Set((await overdueItems(db, policy, agencyCode, asOf)).map((i) => i.changeId))];
    const rows = await progressCounts(db, { agencyRoot: agencyCode, period, includeUnapproved: period === current, overdueIds });
    return { period, current: period === current, agencyCode, asOf, ...progressTable(rows) };
  });

  app.get('/status', {
    preHandler: requireRole('PROVINCE_OPERATOR', 'ADMIN'),
    schema: { tags: ['ops'], summary: 'Health of the deployment: certificates, national link, outbox queue, batches, database and Redis (green/yellow/red)',
      response: { 200: StatusBody, ...errorResponses } },
  }, async () => {
    const at = now();
    const [readiness, queue, batches, link] = await Promise.all([
      readinessChecks(), app.deps.queues ? queueCounts(app.deps.queues.outbox) : Promise.resolve(null),
      batchStateCounts(db).catch(() => null), storedNationalLink(db).catch(() => ({ lastReceiptAt: null, lastError: null })),
    ]);
    const certificates = certificatesOf(at);
    const national = nationalLinkView(app.deps.metrics?.nationalLink() ?? null, link);
    const parts = {
      certificates,
      national: { ...national, lastSuccessAt: iso(national.lastSuccessAt), lastFailureAt: iso(national.lastFailureAt) },
      queue: { level: queueLevel(queue), name: 'outbox', available: queue !== null, counts: queue },
      batches: { level: batches ? batchesLevel(batches) : 'red' as Level, counts: batches ?? {} },
      readiness: { level: readinessLevel(readiness), checks: readiness },
    };
    return { checkedAt: at.toISOString(), level: worst(Object.values(parts).map((p) => p.level)), ...parts };
  });

  async function readinessChecks(): Promise<Record<string, boolean>> {
    const probes = app.deps.probes ?? [];
    const results = await Promise.all(probes.map(async (p) => [p.name, await probeWithin(p, PROBE_TIMEOUT_MS)] as const));
    const checks: Record<string, boolean> = Object.fromEntries(results);
    if (!('database' in checks)) checks.database = await pingDb(db);
    return checks;
  }

  function certificatesOf(at: Date) {
    const items = certificateExpiries({ signing, nationalTrustAnchors: app.deps.nationalTrust?.trustAnchors ?? [] }, at)
      .map((c) => ({ ...c, notAfter: c.notAfter.toISOString(), level: certificateLevel(c.daysLeft) }));
    const missing: CertificateRole[] = [];
    if (!signing.orgSigner) missing.push('ORG_SIGNER');
    if (signing.trustAnchors.length === 0) missing.push('TRUST_ANCHOR');
    const level = worst([...items.map((i) => i.level), ...(missing.length ? ['yellow' as Level] : [])]);
    return { level, missing, items };
  }
};

// GET /reports/deadlines: overdue work in working days (DESIGN rule 3, issue "month-end" item 2), per
// agency of the caller's subtree, with the overdue items. The rules are src/reports/deadline-rules.ts.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { GatewayError } from '../../errors.ts';
import { canonicalAgencyCode } from '../../domain/agency-code.ts';
import { isDate } from '../../domain/calendar-date.ts';
import { localDate } from '../../domain/working-days.ts';
import { getAgency } from '../../store/agencies.ts';
import { auditRead } from '../../store/changes.ts';
import { DEADLINE_RULES, deadlinePolicyOf } from '../../reports/deadline-rules.ts';
import { deadlineCsv, deadlineWorkbook } from '../../reports/deadline-report.ts';
import { XLSX_MEDIA_TYPE } from '../../reports/workbook.ts';
import { deadlineReport, overdueItems } from '../../reports/report-runner.ts';
import { CSV_MEDIA_TYPE } from '../../reports/report-csv.ts';
import { officers, principalOf, requireRole } from '../auth-plugin.ts';
import { assertInScope } from '../agency-scope.ts';
import { errorResponses } from '../schemas.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Db } from '../../store/db.ts';

export const ReportFormat = Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')]);
export type ReportFormat = 'json' | 'csv' | 'xlsx';

const DeadlineQuery = Type.Object({
  agency: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  asOf: Type.Optional(Type.String({ format: 'date' })),
  format: Type.Optional(ReportFormat),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
}, { additionalProperties: false });

const Rule = Type.Union(DEADLINE_RULES.map((r) => Type.Literal(r)));
const RuleCounts = Type.Object(Object.fromEntries([...DEADLINE_RULES, 'total'].map((r) => [r, Type.Integer()])));
const Breach = Type.Object({
  rule: Rule, since: Type.String({ format: 'date' }), deadline: Type.String({ format: 'date' }), workingDaysLate: Type.Integer(),
});
const OverdueItem = Type.Object({
  rule: Rule, breaches: Type.Array(Breach), changeId: Type.String(), personalId: Type.String(), agencyCode: Type.String(), agencyName: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(), state: Type.String(), since: Type.String({ format: 'date' }), deadline: Type.String({ format: 'date' }),
  workingDaysLate: Type.Integer(),
});
const DeadlineReport = Type.Object({
  asOf: Type.String({ format: 'date' }),
  agencyCode: Type.String(),
  days: Type.Object(Object.fromEntries(DEADLINE_RULES.map((r) => [r, Type.Integer()]))),
  totals: RuleCounts,
  agencies: Type.Array(Type.Object({ agencyCode: Type.String(), agencyName: Type.Union([Type.String(), Type.Null()]), counts: RuleCounts })),
  itemCount: Type.Integer(),
  truncated: Type.Boolean(),
  items: Type.Array(OverdueItem),
});

/** The report's root: the caller's agency, or a code inside their subtree that exists. */
export async function reportRoot(db: Db, principal: Principal, agency: string | undefined): Promise<string> {
  if (agency === undefined) return principal.agencyCode;
  const code = canonicalAgencyCode(agency);
  assertInScope(principal, code);
  if (!(await getAgency(db, code))) throw new GatewayError('AGENCY_NOT_FOUND', { code });
  return code;
}

export const deadlineRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const policy = deadlinePolicyOf(config); // HOLIDAYS are checked here, at start-up
  const now = () => app.deps.clock.now();

  app.get('/deadlines', {
    preHandler: requireRole(...officers),
    schema: {
      tags: ['reports'],
      summary: 'Work past its deadline in working days, per agency of the caller’s subtree, one item per overdue change (worst first)',
      description: 'A change that breaks several rules is one item listing each breach. JSON lists at most `limit` items (default 1000; counts always cover every change); CSV (UTF-8 with BOM) and XLSX list every change with Vietnamese labels and dd/mm/yyyy dates.',
      querystring: DeadlineQuery,
      response: { 200: { content: { 'application/json': { schema: DeadlineReport }, 'text/csv': { schema: Type.String() }, [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const q = request.query as { agency?: string; asOf?: string; format?: ReportFormat; limit?: number };
    if (q.asOf !== undefined && !isDate(q.asOf)) throw new GatewayError('VALIDATION_FAILED', { in: 'querystring', issues: [{ path: '/asOf', message: 'must be a date YYYY-MM-DD' }] });
    const agencyCode = await reportRoot(db, principal, q.agency);
    const asOf = q.asOf ?? localDate(now());
    if (q.format === 'csv' || q.format === 'xlsx') {
      const items = await overdueItems(db, policy, agencyCode, asOf);
      await auditRead(db, principal, { type: 'report', id: 'deadlines', agencyCode }, { asOf, format: q.format, items: items.length });
      const name = `attachment; filename="qua-han-${agencyCode}-${asOf}.${q.format}"`;
      if (q.format === 'csv') return reply.type(CSV_MEDIA_TYPE).header('content-disposition', name).send(deadlineCsv(items));
      const agencyName = (await getAgency(db, agencyCode))?.name ?? null;
      return reply.type(XLSX_MEDIA_TYPE).header('content-disposition', name).send(await deadlineWorkbook(items, { asOf, agencyCode, agencyName, created: now() }));
    }
    const report = await deadlineReport(db, policy, { agencyCode, asOf, limit: q.limit ?? 1000 });
    // The items name persons by personal id: the read is audited like a list of records.
    await auditRead(db, principal, { type: 'report', id: 'deadlines', agencyCode }, { asOf, format: 'json', items: report.items.length });
    return report;
  });
};

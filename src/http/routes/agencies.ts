// Agencies: import a province's list (CSV or JSON), read the tree, reorganise (close a code, move its records).
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { parse as parseCsv } from 'csv-parse/sync';
import { GatewayError } from '../../errors.ts';
import { canonicalAgencyCode } from '../../domain/agency-code.ts';
import { validateAgencyList, type AgencyListRow } from '../../domain/agency-list.ts';
import { assertAgencyActive, closeAgency, getAgency, listAgencyCodes, listSubtree, upsertAgencies } from '../../store/agencies.ts';
import { anyRole, principalOf, requireRole } from '../auth-plugin.ts';
import { assertInScope } from '../agency-scope.ts';
import { errorResponses, isoDate } from '../schemas.ts';
import { localDate } from '../../domain/working-days.ts';

const ImportRow = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 60 }),
  name: Type.String({ minLength: 1, maxLength: 500 }),
  parentCode: Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Null()])),
  activeFrom: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
}, { additionalProperties: false });
const ImportBody = Type.Object({ agencies: Type.Array(ImportRow, { minItems: 1, maxItems: 20_000 }) }, { additionalProperties: false });
const ImportResult = Type.Object({ created: Type.Integer(), updated: Type.Integer() });
const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 60 }) });
const CloseBody = Type.Object({
  successorCode: Type.String({ minLength: 1, maxLength: 60 }),
  closedOn: Type.String({ format: 'date' }),
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
}, { additionalProperties: false });
const TreeQuery = Type.Object({ includeClosed: Type.Optional(Type.Boolean()) });

const toAgency = (a: Awaited<ReturnType<typeof listSubtree>>[number]) => ({
  code: a.code, name: a.name, parentCode: a.parentCode, level: a.level,
  activeFrom: isoDate(a.activeFrom)!, activeTo: isoDate(a.activeTo), successorCode: a.successorCode,
});

function csvRows(text: string): AgencyListRow[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    // csv-parse's stable code and the line, not its message (which quotes the input).
    const e = err as { code?: unknown; lines?: unknown };
    throw new GatewayError('AGENCY_IMPORT_INVALID', { reason: 'CSV', csvCode: typeof e.code === 'string' ? e.code : 'CSV_INVALID',
      ...(typeof e.lines === 'number' ? { line: e.lines } : {}) });
  }
  return records.map((r) => ({ code: r.code ?? r.ma ?? '', name: r.name ?? r.ten ?? '', parentCode: r.parent_code ?? r.parentcode ?? null, activeFrom: r.active_from ?? null }));
}

export const agencyRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/import', {
    preHandler: requireRole('ADMIN', 'PROVINCE_OPERATOR'),
    schema: {
      tags: ['agencies'], summary: 'Import the province’s agencies (JSON {agencies:[…]} or text/csv with code,name,parent_code,active_from)',
      body: Type.Union([ImportBody, Type.String({ maxLength: 10_000_000 })]),
      response: { 200: ImportResult, ...errorResponses },
    },
  }, async (request) => {
    const principal = principalOf(request);
    const rows = typeof request.body === 'string' ? csvRows(request.body) : (request.body as { agencies: AgencyListRow[] }).agencies;
    if (rows.length === 0) throw new GatewayError('AGENCY_IMPORT_INVALID', { reason: 'EMPTY' });
    const known = new Set(await listAgencyCodes(db, config.provinceCode));
    const valid = validateAgencyList(rows, { provinceCode: config.provinceCode, knownCodes: known, today: localDate(app.deps.clock.now()) });
    assertInScope(principal, ...valid.map((a) => a.code));
    return upsertAgencies(db, principal, valid);
  });

  app.get('/tree', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['agencies'], summary: 'The caller’s agency and everything under it', querystring: TreeQuery,
      response: { 200: Type.Object({ agencies: Type.Array(Type.Ref('Agency')) }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const query = request.query as { includeClosed?: boolean };
    const rows = await listSubtree(db, principal.agencyCode, { includeClosed: query.includeClosed ?? false });
    return { agencies: rows.map(toAgency) };
  });

  app.get('/:code', {
    preHandler: requireRole(...anyRole),
    schema: { tags: ['agencies'], params: CodeParams, response: { 200: Type.Ref('Agency'), ...errorResponses } },
  }, async (request) => {
    const code = canonicalAgencyCode((request.params as { code: string }).code);
    assertInScope(principalOf(request), code);
    const agency = await getAgency(db, code);
    if (!agency) throw new GatewayError('AGENCY_NOT_FOUND', { code });
    return toAgency(agency);
  });

  app.post('/:code/close', {
    preHandler: requireRole('ADMIN', 'PROVINCE_OPERATOR'),
    schema: { tags: ['agencies'], summary: 'Close a code on a date and move its records to its successor (reorganisation)',
      params: CodeParams, body: CloseBody,
      response: { 200: Type.Object({ personsMoved: Type.Integer(), changesMoved: Type.Integer() }), ...errorResponses } },
  }, async (request) => {
    const principal = principalOf(request);
    const body = request.body as { successorCode: string; closedOn: string; reason: string };
    const code = canonicalAgencyCode((request.params as { code: string }).code);
    const successorCode = canonicalAgencyCode(body.successorCode);
    assertInScope(principal, code, successorCode);
    if (code === successorCode) throw new GatewayError('INVALID_VALUE', { field: 'successorCode', reason: 'same as the closed code' });
    const closedOn = new Date(`${body.closedOn}T00:00:00Z`);
    const agency = assertAgencyActive(await getAgency(db, code), code, closedOn);
    assertAgencyActive(await getAgency(db, successorCode), successorCode, closedOn);
    const children = (await listSubtree(db, agency.code)).filter((a) => a.code !== agency.code);
    if (children.length > 0) throw new GatewayError('INVALID_VALUE', { reason: 'HAS_ACTIVE_CHILDREN', children: children.map((c) => c.code).slice(0, 50) });
    return closeAgency(db, principal, { code, successorCode, closedOn, reason: body.reason.normalize('NFC') });
  });
};

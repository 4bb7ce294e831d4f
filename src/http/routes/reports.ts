// Reports and signed exports: GET /reports/deadlines (deadlines.ts), GET /reports/headcount (the annual
// headcount, DESIGN rule 7) and GET /persons/{personalId}/export (one record, signed by Sở Nội vụ).
// Registered once under /api/v1, without a prefix, since the routes live under two paths.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { GatewayError } from '../../errors.ts';
import { assertPersonalIdFormat } from '../../domain/personal-id.ts';
import { auditRead, getPerson } from '../../store/changes.ts';
import { headcountCsv } from '../../reports/headcount-report.ts';
import { headcountReport } from '../../reports/report-runner.ts';
import { exportSignedRecord, exportSigner } from '../../reports/record-export.ts';
import { CSV_MEDIA_TYPE } from '../../reports/report-csv.ts';
import { officers, principalOf, requireRole } from '../auth-plugin.ts';
import { canSeePerson } from '../agency-scope.ts';
import { errorResponses } from '../schemas.ts';
import { deadlineRoutes, ReportFormat, reportRoot } from './deadlines.ts';
import { annualHeadcountReport } from '../../reports/annual-headcount.ts';
import { PDF_MEDIA_TYPE } from '../../reports/cv-signature.ts';
import { printableCv } from '../../services/printable-cv.ts';
import { XLSX_MEDIA_TYPE } from '../../reports/workbook.ts';
import { isDate } from '../../domain/calendar-date.ts';
import { localDate } from '../../domain/working-days.ts';

const HeadcountQuery = Type.Object({
  agency: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  format: Type.Optional(ReportFormat),
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'XLSX: the year reported on (default: the year of asOf)' })),
  asOf: Type.Optional(Type.String({ format: 'date', description: 'XLSX: the as-of date ages are counted on (default: today, Asia/Ho_Chi_Minh)' })),
}, { additionalProperties: false });

const Nullable = Type.Union([Type.String(), Type.Null()]);
const HeadcountReport = Type.Object({
  agencyCode: Type.String(),
  generatedAt: Type.String(),
  total: Type.Integer(),
  byGrade: Type.Array(Type.Object({ gradeCode: Nullable, gradeName: Nullable, count: Type.Integer() })),
  byPosition: Type.Array(Type.Object({ position: Nullable, count: Type.Integer() })),
  byJobPosition: Type.Array(Type.Object({ jobPosition: Nullable, count: Type.Integer() })),
  byCategory: Type.Array(Type.Object({ category: Type.String(), count: Type.Integer() })),
  byAgency: Type.Array(Type.Object({ agencyCode: Type.String(), agencyName: Nullable, count: Type.Integer() })),
});

const PersonalIdParams = Type.Object({ personalId: Type.String({ minLength: 1, maxLength: 20 }) });
const SignedExport = Type.Object({
  documentBase64: Type.String({ description: 'The record document (NATIONAL_API.md §6, root HoSo), UTF-8 XML' }),
  signatureBase64: Type.String({ description: 'Detached CMS SignedData (CAdES-BES, §3) over the document bytes, DER' }),
  sha256: Type.String({ description: 'Hex SHA-256 of the document' }),
});

export const reportRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.deps;
  const now = () => app.deps.clock.now();

  await app.register(deadlineRoutes, { prefix: '/reports' });

  app.get('/reports/headcount', {
    preHandler: requireRole('PROVINCE_OPERATOR', 'ADMIN', 'AGENCY_HEAD'),
    schema: {
      tags: ['reports'],
      summary: 'Annual headcount (by 15/31 January): persons at work by ngạch, position, job position, category and agency',
      description: 'Counts approved records with status DANG_CONG_TAC by employing agency, as the database stands now. CSV: UTF-8 with BOM. XLSX: the annual report as the Ministry reads it (title, province, year, as-of date; by agency, by ngạch/chức danh and by job position, each split by category, gender, ethnicity, age band and education level).',
      querystring: HeadcountQuery,
      response: { 200: { content: { 'application/json': { schema: HeadcountReport }, 'text/csv': { schema: Type.String() }, [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const q = request.query as { agency?: string; format?: ReportFormat; year?: number; asOf?: string };
    if (q.asOf !== undefined && !isDate(q.asOf)) throw new GatewayError('VALIDATION_FAILED', { in: 'querystring', issues: [{ path: '/asOf', message: 'must be a date YYYY-MM-DD' }] });
    const agencyCode = await reportRoot(db, principalOf(request), q.agency);
    if (q.format === 'xlsx') {
      const asOf = q.asOf ?? localDate(now());
      const { workbook, report } = await annualHeadcountReport(db, { provinceCode: app.deps.config.provinceCode, agencyCode, asOf, year: q.year, created: now() });
      return reply.type(XLSX_MEDIA_TYPE).header('content-disposition', `attachment; filename="bien-che-${agencyCode}-${report.year}.xlsx"`).send(workbook);
    }
    const report = await headcountReport(db, agencyCode);
    if (q.format !== 'csv') return report;
    return reply.type(CSV_MEDIA_TYPE).header('content-disposition', `attachment; filename="bien-che-${agencyCode}-${report.generatedAt.slice(0, 10)}.csv"`)
      .send(headcountCsv(report));
  });

  app.get('/persons/:personalId/so-yeu-ly-lich.pdf', {
    preHandler: requireRole(...officers),
    schema: {
      tags: ['persons'],
      summary: 'The printable sơ yếu lý lịch (TT 06/2023) of the person’s approved record: A4 PDF signed by Sở Nội vụ (PAdES)',
      description: 'Vietnamese fonts embedded, page numbers; the signature verifies in a PDF reader and with `pdfsig`. 409 NOT_YET_APPROVED for a record still in its first review.',
      params: PersonalIdParams,
      response: { 200: { content: { [PDF_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } } }, 500: Type.Ref('Error'), ...errorResponses },
    },
  }, async (request, reply) => {
    exportSigner(app.deps.signing);
    const principal = principalOf(request);
    const { personalId } = request.params as { personalId: string };
    assertPersonalIdFormat(personalId);
    const person = await getPerson(db, personalId);
    if (!person || !canSeePerson(principal, person)) throw new GatewayError('PERSON_NOT_FOUND');
    const { pdf, fileName } = await printableCv({ db, signing: app.deps.signing, fontDir: app.deps.config.cvFontDir, provinceCode: app.deps.config.provinceCode, now }, principal, person);
    return reply.type(PDF_MEDIA_TYPE).header('content-disposition', `inline; filename="${fileName}"`).send(Buffer.from(pdf));
  });

  app.get('/persons/:personalId/export', {
    // Not ADMIN: a signed export carries the personal id inside signed bytes, where it cannot be masked.
    preHandler: requireRole('UNIT_OFFICER', 'AGENCY_HEAD', 'PROVINCE_OPERATOR'),
    schema: {
      tags: ['persons'],
      summary: 'A signed export of the person’s approved record: the record document and a CMS signature by Sở Nội vụ',
      description: 'Verify with `csdl-gateway verify --in doc.xml --sig doc.p7s --ca root.pem`. 409 NOT_YET_APPROVED when no signed approval covers the record.',
      params: PersonalIdParams,
      response: { 200: SignedExport, 500: Type.Ref('Error'), ...errorResponses },
    },
  }, async (request) => {
    exportSigner(app.deps.signing); // CONFIG_INVALID before anything else when this deployment cannot sign
    const principal = principalOf(request);
    const { personalId } = request.params as { personalId: string };
    assertPersonalIdFormat(personalId);
    const person = await getPerson(db, personalId);
    if (!person || !canSeePerson(principal, person)) throw new GatewayError('PERSON_NOT_FOUND');
    const signed = await exportSignedRecord({ db, signing: app.deps.signing }, person);
    // An export is a read of the record that leaves the system with a signature: always audited.
    await auditRead(db, principal, { type: 'person', id: personalId, agencyCode: person.employingAgencyCode },
      { export: true, version: signed.version, sha256: signed.sha256 });
    return {
      documentBase64: signed.document.toString('base64'),
      signatureBase64: Buffer.from(signed.signature).toString('base64'),
      sha256: signed.sha256,
    };
  });
};

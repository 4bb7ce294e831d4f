// POST /api/v1/imports/legacy: the legacy import from the console for Sở Nội vụ (the same use case as
// `csdl-gateway import`). The body is the file itself (XLSX or CSV), streamed to a temporary file, never
// held in memory; the answer is the counts and the report workbook. ?dryRun=true checks and changes nothing.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import Type from 'typebox';
import { localDate } from '../../domain/working-days.ts';
import { importLegacyFile } from '../../services/legacy-import.ts';
import { XLSX_MEDIA_TYPE } from '../../reports/workbook.ts';
import { principalOf, requireRole } from '../auth-plugin.ts';
import { errorResponses } from '../schemas.ts';

/** Largest legacy file accepted: a province's 500,000 rows with their history columns. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

const Query = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ description: 'check every row and write the report, change nothing' })),
  fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the file’s name, shown in the report and the audit log' })),
}, { additionalProperties: false });

const Result = Type.Object({
  file: Type.String(), fileSha256: Type.String(), dryRun: Type.Boolean(), rows: Type.Integer(), valid: Type.Integer(), invalid: Type.Integer(),
  existing: Type.Integer(), imported: Type.Integer(),
  reportBase64: Type.String({ description: `the report workbook (${XLSX_MEDIA_TYPE}), one row per source row` }),
});

export const importRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const now = () => app.deps.clock.now();
  const streamToFile = (_req: unknown, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: unknown) => void) => {
    void (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'legacy-upload-'));
      const path = join(dir, randomUUID());
      await pipeline(payload, createWriteStream(path));
      return { dir, path };
    })().then((body) => done(null, body), (err: Error) => done(err));
  };
  app.addContentTypeParser([XLSX_MEDIA_TYPE, 'text/csv', 'application/octet-stream'], { bodyLimit: MAX_IMPORT_BYTES }, streamToFile);

  const operatorsOnly = requireRole('ADMIN', 'PROVINCE_OPERATOR');
  app.post('/legacy', {
    // Checked before the body is read: nobody else gets to put a file on the disk.
    onRequest: operatorsOnly as unknown as onRequestAsyncHookHandler,
    // The upload's folder goes whatever happened (a bad query string stops the request before the handler).
    onResponse: async (request: FastifyRequest) => {
      const upload = request.body as { dir?: string } | undefined;
      if (upload?.dir) await rm(upload.dir, { recursive: true, force: true });
    },
    bodyLimit: MAX_IMPORT_BYTES,
    schema: {
      tags: ['persons'],
      summary: 'Load a legacy spreadsheet (the body: XLSX or CSV) as new records awaiting verification, with the default column mapping',
      description: 'Each valid row becomes a THEM_MOI change in SUBMITTED; persons already present are left alone (a second run changes nothing). 422 IMPORT_FILE_INVALID with a reason for a file that cannot be read.',
      querystring: Query,
      response: { 200: Result, ...errorResponses },
    },
  }, async (request) => {
    const upload = request.body as { dir: string; path: string };
    const q = request.query as { dryRun?: boolean; fileName?: string };
    const reportPath = join(upload.dir, 'ket-qua.xlsx');
    const summary = await importLegacyFile(db, {
      path: upload.path, displayName: q.fileName, dryRun: q.dryRun ?? false, actor: principalOf(request), provinceCode: config.provinceCode,
      today: localDate(now()), now, reportPath,
    });
    return { ...summary, reportBase64: (await readFile(reportPath)).toString('base64') };
  });
};

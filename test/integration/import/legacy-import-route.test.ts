// POST /api/v1/imports/legacy: the console's legacy import for Sở Nội vụ, on the sample workbook.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { XLSX_MEDIA_TYPE } from '../../../src/reports/workbook.ts';
import { fixedClock } from '../../../src/clock.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let operator: string;
let officer: string;
let sample: Buffer;

beforeAll(async () => {
  t = await createTestApp({}, { clock: fixedClock('2026-06-15T03:00:00Z') });
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 0, seed: 1 });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv' });
  officer = await t.token('UNIT_OFFICER', 'H55.06', { subject: 'tccb' });
  sample = await readFile('samples/legacy-import.xlsx');
});
afterAll(async () => t?.close());

const upload = (query: string, token: string, body: Buffer, type = XLSX_MEDIA_TYPE) =>
  t.app.inject({ method: 'POST', url: `/api/v1/imports/legacy${query}`, headers: { ...bearer(token), 'content-type': type }, payload: body });

describe('POST /api/v1/imports/legacy', () => {
  it('dry-runs, then loads, then changes nothing, answering the counts and the report workbook', async () => {
    const dry = await upload('?dryRun=true&fileName=danh-sach.xlsx', operator, sample);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ file: 'danh-sach.xlsx', dryRun: true, rows: 12, valid: 10, invalid: 2, imported: 0 });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(dry.json().reportBase64, 'base64') as never);
    expect(book.getWorksheet('Kết quả nhập')!.rowCount).toBe(14);
    expect(await t.database.db.prisma.person.count()).toBe(0);

    expect((await upload('', operator, sample)).json()).toMatchObject({ imported: 10, existing: 0 });
    expect(await t.database.db.prisma.person.count()).toBe(10);
    expect((await upload('', operator, sample)).json()).toMatchObject({ imported: 0, existing: 10 });
    expect(await t.database.db.prisma.profileChange.count()).toBe(10);
  });

  it('is for Sở Nội vụ only, and a file that is not a workbook gets IMPORT_FILE_INVALID', async () => {
    const forbidden = await upload('?dryRun=true', officer, sample);
    expect(forbidden.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/imports/legacy', headers: { 'content-type': XLSX_MEDIA_TYPE }, payload: sample })).statusCode).toBe(401);
    const bad = await upload('?dryRun=true', operator, Buffer.from('%PDF-1.7 not a spreadsheet\0'), 'application/octet-stream');
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'IMPORT_FILE_INVALID', details: { reason: 'NOT_A_WORKBOOK' } });
    expect((await upload('?dryRun=maybe', operator, sample)).statusCode).toBe(400);
  });
});

// GET /api/v1/persons/{personalId}/so-yeu-ly-lich.pdf: the approved record printed and signed by the
// organisation key; pdfsig verifies it, pdftotext gives back the name with its diacritics; scope, a record
// still in review and a bad id are refused; every print is audited.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { SEED_TODAY } from '../../support/database.ts';

const run = promisify(execFile);
let t: TestApp;
let dir: string;
let operator: string;
let head05: string;
// The test PKI is dated from today: sign a minute from now.
const clock = new Date(Date.now() + 60_000);

beforeAll(async () => {
  const pki = await getTestPki();
  t = await createTestApp({}, {
    clock: { now: () => clock },
    signing: { trustAnchors: pki.trustAnchors, intermediates: [pki.certificate('intermediate-ca')], crls: pki.crls, orgSigner: pki.identity('org-signer'), sessionMinutes: 30 },
  });
  dir = await mkdtemp(join(tmpdir(), 'cv-route-'));
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 40, seed: 5 });
  operator = await t.token('PROVINCE_OPERATOR', 'H55', { subject: 'snv' });
  head05 = await t.token('AGENCY_HEAD', 'H55.05', { subject: 'gd-sgd' });
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

describe('GET /api/v1/persons/{id}/so-yeu-ly-lich.pdf', () => {
  it('answers the signed CV: pdfsig verifies it, its text carries the name with diacritics, the print is audited', async () => {
    const person = await t.database.db.prisma.person.findFirstOrThrow({ where: { fullName: { contains: 'ị' } } });
    const res = await get(`/api/v1/persons/${person.personalId}/so-yeu-ly-lich.pdf`, operator);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="so-yeu-ly-lich-${person.personalId}-v1.pdf"`);
    const file = join(dir, 'cv.pdf');
    await writeFile(file, res.rawPayload);
    const { stdout } = await run('pdfsig', ['-nocert', file]);
    expect(stdout).toMatch(/Signature is Valid/);
    expect(stdout).toMatch(/ETSI\.CAdES\.detached/);
    const text = (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
    expect(text).toContain(person.fullName);
    expect(text).toContain(person.personalId);
    const audit = await t.database.db.prisma.auditLog.findMany({ where: { entityId: person.personalId, action: { startsWith: 'READ' } } });
    expect(audit.some((a) => (a.details ?? '').includes('so-yeu-ly-lich.pdf'))).toBe(true);
  });

  it('refuses a person outside the caller’s scope, one still in review, an unknown or malformed id', async () => {
    const outside = await t.database.db.prisma.person.findFirstOrThrow({ where: { NOT: { employingAgencyCode: { startsWith: 'H55.05' } } } });
    expect((await get(`/api/v1/persons/${outside.personalId}/so-yeu-ly-lich.pdf`, head05)).json()).toMatchObject({ code: 'PERSON_NOT_FOUND' });
    const pending = await t.database.db.prisma.person.findFirstOrThrow({ where: { personalId: { not: outside.personalId } } });
    await t.database.db.pool.query('UPDATE person SET version = 0 WHERE personal_id = $1', [pending.personalId]);
    const res = await get(`/api/v1/persons/${pending.personalId}/so-yeu-ly-lich.pdf`, operator);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NOT_YET_APPROVED' });
    expect((await get('/api/v1/persons/001099000000/so-yeu-ly-lich.pdf', operator)).statusCode).toBe(404);
    expect((await get('/api/v1/persons/12ab/so-yeu-ly-lich.pdf', operator)).json()).toMatchObject({ code: 'INVALID_PERSONAL_ID' });
  });
});

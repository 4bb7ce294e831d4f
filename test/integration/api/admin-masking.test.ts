// The probe of issue 13: ADMIN saw personal ids masked in audit and batches but in clear in /persons,
// /persons/{id} and /changes. Now no answer of the API carries a personal id in clear to ADMIN; a
// digitised document (which cannot be masked) is refused; other roles are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;
let ids: string[];
let changeId: string;
let changedId: string;
let attachmentId: string;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 40, seed: 17 });
  ids = (await t.database.db.prisma.person.findMany({ select: { personalId: true } })).map((p) => p.personalId);
  const person = await t.database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.' }, version: { gt: 0 } }, orderBy: { personalId: 'asc' } });
  const officer = await t.token('UNIT_OFFICER', person.employingAgencyCode, { subject: 'officer-mask' });
  const created = await t.app.inject({ method: 'POST', url: `/api/v1/persons/${person.personalId}/changes`, headers: bearer(officer), payload: {
    profile: { ...(person.profile as object), SoDienThoai: '0987654321' }, reason: `Cập nhật hồ sơ ${person.personalId}`,
    attachments: [{ name: `QĐ ${person.personalId}.pdf`, mediaType: 'application/pdf', contentBase64: Buffer.from(`%PDF-1.4 ${person.personalId}`).toString('base64') }],
  } });
  expect(created.statusCode).toBe(201);
  changeId = created.json().id;
  changedId = person.personalId;
  attachmentId = (await t.database.db.prisma.attachment.findFirstOrThrow({ where: { changeId } })).id;
  admin = await t.token('ADMIN', 'H55');
});
afterAll(async () => t?.close());

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const inClear = (body: string) => ids.filter((id) => body.includes(id));

describe('personal ids for ADMIN', () => {
  it.each([
    ['the list of records', () => '/api/v1/persons?limit=500'],
    ['one record', () => `/api/v1/persons/${ids[0]}`],
    ['the list of changes', () => '/api/v1/changes?limit=500'],
    ['one change (profile, reason, attachment names, events)', () => `/api/v1/changes/${changeId}`],
    ['changes of one person', () => `/api/v1/changes?personalId=${changedId}`],
    ['the audit log', () => '/api/v1/audit?limit=500'],
    ['the deadline report as CSV', () => '/api/v1/reports/deadlines?format=csv'],
  ])('are masked in %s, and shown to an operator', async (_name, url) => {
    const asAdmin = await get(url(), admin);
    expect(asAdmin.statusCode).toBe(200);
    expect(inClear(asAdmin.body)).toEqual([]);
    const operator = await get(url(), await t.token('PROVINCE_OPERATOR', 'H55'));
    expect(operator.statusCode).toBe(200);
    if (!url().includes('deadlines')) expect(inClear(operator.body).length).toBeGreaterThan(0);
    if (url().includes('/persons/')) expect(asAdmin.json().personalId).toBe(`${ids[0]!.slice(0, 3)}*******${ids[0]!.slice(-2)}`);
  });

  it('a digitised document cannot be masked: refused to ADMIN (403 FORBIDDEN, PERSONAL_DATA), served to the officer', async () => {
    const url = `/api/v1/changes/${changeId}/attachments/${attachmentId}`;
    const refused = await get(url, admin);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'PERSONAL_DATA' } });
    expect(refused.headers['content-disposition']).toBeUndefined();
    expect(inClear(refused.body)).toEqual([]);
    const officer = await get(url, await t.token('UNIT_OFFICER', 'H55', { subject: 'officer-reader' }));
    expect(officer.statusCode).toBe(200);
    expect(officer.body).toContain('%PDF-1.4');
  });

  it('a signed export (the id inside signed bytes) is refused to ADMIN', async () => {
    const refused = await get(`/api/v1/persons/${changedId}/export`, admin);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'FORBIDDEN', details: { role: 'ADMIN' } });
  });

  it('the console is told ADMIN does not see personal ids', async () => {
    expect((await get('/api/v1/ops/me', admin)).json()).toMatchObject({ role: 'ADMIN', seesPersonalIds: false });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';

let t: TestApp;
let admin: string;

const list = [
  { code: 'H55', name: 'Ủy ban nhân dân tỉnh' },
  { code: 'H55.19', name: 'Sở Nội vụ' },
  { code: 'H55.05', name: 'Sở Giáo dục và Đào tạo' },
  { code: 'H55.05.01', name: 'Trường THPT Chuyên' },
  { code: '000.02.05.H55', name: 'Trường THPT Nguyễn Trãi' }, // old QCVN 102:2016 form → H55.05.02
];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.token('ADMIN', 'H55');
});
afterAll(async () => t?.close());

const importJson = (agencies: unknown, token = admin) =>
  t.app.inject({ method: 'POST', url: '/api/v1/agencies/import', headers: bearer(token), payload: { agencies } });

describe('agencies', () => {
  it('imports a JSON list, converting the old code form', async () => {
    const res = await importJson(list);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ created: 5, updated: 0 });
    const tree = await t.app.inject({ method: 'GET', url: '/api/v1/agencies/tree', headers: bearer(admin) });
    expect(tree.json().agencies.map((a: { code: string }) => a.code)).toEqual(['H55', 'H55.05', 'H55.05.01', 'H55.05.02', 'H55.19']);
  });

  it('refuses a CSV that does not parse with csv-parse’s stable code and the line, never its message, and imports nothing', async () => {
    const csv = 'code,name,parent_code\nH55.05.04,"Trường <b>secret</b>,H55.05\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import', headers: { ...bearer(admin), 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ code: 'AGENCY_IMPORT_INVALID', message: expect.any(String), details: { reason: 'CSV', csvCode: 'CSV_QUOTE_NOT_CLOSED', line: 2 } });
    expect(res.body).not.toContain('secret');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/agencies/H55.05.04', headers: bearer(admin) })).statusCode).toBe(404);
  });

  it('imports CSV and updates names of known codes', async () => {
    const csv = 'code,name,parent_code\nH55.05.03,Trường THPT Lê Quý Đôn,H55.05\nH55.19,Sở Nội vụ tỉnh,\n';
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/import', headers: { ...bearer(admin), 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ created: 1, updated: 1 });
  });

  it('refuses a list with any bad row and imports nothing', async () => {
    const res = await importJson([
      { code: 'H55.07', name: 'Sở Nông nghiệp' },
      { code: 'h55.08', name: 'lower case' },
      { code: 'H56.01', name: 'another province' },
      { code: 'H55.09.01', name: 'parent missing' },
      { code: 'H55.07', name: 'duplicate' },
    ]);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('AGENCY_IMPORT_INVALID');
    expect(body.message).toMatch(/không hợp lệ/);
    expect(body.details.issues.map((i: { code: string }) => i.code).sort())
      .toEqual(['AGENCY_NOT_IN_PROVINCE', 'DUPLICATE', 'INVALID_AGENCY_CODE', 'PARENT_NOT_FOUND']);
    const got = await t.app.inject({ method: 'GET', url: '/api/v1/agencies/H55.07', headers: bearer(admin) });
    expect(got.statusCode).toBe(404);
  });

  it('scopes the tree to the caller’s subtree and refuses codes outside it', async () => {
    const officer = await t.token('UNIT_OFFICER', 'H55.05');
    const tree = await t.app.inject({ method: 'GET', url: '/api/v1/agencies/tree', headers: bearer(officer) });
    expect(tree.json().agencies.every((a: { code: string }) => a.code.startsWith('H55.05'))).toBe(true);
    const other = await t.app.inject({ method: 'GET', url: '/api/v1/agencies/H55.19', headers: bearer(officer) });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('OUT_OF_SCOPE');
    const forbidden = await importJson([{ code: 'H55.05.09', name: 'x' }], officer);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().code).toBe('FORBIDDEN');
  });

  it('closes a code and refuses closing into itself or a closed successor', async () => {
    const same = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/H55.05.02/close', headers: bearer(admin),
      payload: { successorCode: 'H55.05.02', closedOn: '2026-07-01', reason: 'sáp nhập' } });
    expect(same.json().code).toBe('INVALID_VALUE');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/H55.05.02/close', headers: bearer(admin),
      payload: { successorCode: 'H55.05.01', closedOn: '2026-07-01', reason: 'Sáp nhập theo Nghị quyết' } });
    expect(ok.statusCode).toBe(200);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/H55.05.03/close', headers: bearer(admin),
      payload: { successorCode: 'H55.05.02', closedOn: '2026-08-01', reason: 'x' } });
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('AGENCY_CLOSED');
    const parent = await t.app.inject({ method: 'POST', url: '/api/v1/agencies/H55.05/close', headers: bearer(admin),
      payload: { successorCode: 'H55.19', closedOn: '2026-08-01', reason: 'x' } });
    expect(parent.json().details.reason).toBe('HAS_ACTIVE_CHILDREN');
  });
});

// GET /api/v1/ops/me, /ops/progress and /ops/status over a real database, Redis and the test PKI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedChanges } from '../../support/approved-changes.ts';
import { createChange, transitionChange } from '../../../src/store/changes.ts';
import { prepareContent } from '../../../src/http/change-input.ts';
import { applyTransition } from '../../../src/domain/change-lifecycle.ts';
import { localDate, periodOf } from '../../../src/domain/working-days.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import type { ChangeState } from '../../../src/generated/prisma/client.ts';
import type { Db } from '../../../src/store/db.ts';
import { auth, createOpsApp, signingOf, type OpsApp } from './fixture.ts';

let t: OpsApp;
let approved: { period: string; changeIds: string[] };
let overdueId: string;
let returnedAgency: string;

const officer: Principal = { subject: 'officer', role: 'UNIT_OFFICER', agencyCode: 'H55' };

/** A submitted update of the next person without a change, in their employing agency. */
async function submitted(db: Db): Promise<{ id: string; agencyCode: string }> {
  const p = await db.prisma.person.findFirstOrThrow({ where: { version: { gt: 0 }, changes: { none: {} } }, orderBy: { personalId: 'desc' } });
  const { fullName: _f, gradeCode: _g, normalized: _n, ...content } = prepareContent({ personalId: p.personalId, category: p.category, status: p.status,
    managingAgencyCode: p.managingAgencyCode, employingAgencyCode: p.employingAgencyCode, effectiveDate: null,
    profile: { ...(p.profile as object), SoDienThoai: '0912345678' } }, localDate(new Date()));
  const change = await createChange(db, officer, { ...content, personalId: p.personalId, kind: 'CAP_NHAT', state: 'SUBMITTED', attachments: [] });
  return { id: change.id, agencyCode: change.agencyCode };
}

beforeAll(async () => {
  t = await createOpsApp({ persons: 40 });
  const db = t.database.db;
  approved = await approvedChanges(db, 3);
  // One submission left unverified for 30 days: past the 5 working days of DEADLINE_VERIFY_DAYS.
  const late = await submitted(db);
  overdueId = late.id;
  await db.pool.query("UPDATE profile_change SET submitted_at = now() - interval '30 days', created_at = now() - interval '30 days' WHERE id = $1", [late.id]);
  // One returned to its submitter with a reason.
  const back = await submitted(db);
  returnedAgency = back.agencyCode;
  await transitionChange(db, officer, back.id, (c) => ({ state: applyTransition(c.state, 'RETURN', 'UNIT_OFFICER', 'Thiếu quyết định') as ChangeState, action: 'CHANGE_RETURN', reason: 'Thiếu quyết định' }));
}, 120_000);
afterAll(async () => t?.close());

describe('the OpenAPI document', () => {
  it('lists the ops routes, and not the console, the metrics or the queue board', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/ops/me', '/api/v1/ops/progress', '/api/v1/ops/status']));
    expect(Object.keys(doc.paths).filter((p) => /^\/(console|metrics|admin)/.test(p))).toEqual([]);
  });
});

describe('GET /api/v1/ops/me', () => {
  it('says who the token is, and masks personal ids for ADMIN only', async () => {
    const admin = await t.app.inject({ url: '/api/v1/ops/me', headers: auth(await t.token('ADMIN', 'H55')) });
    expect(admin.json()).toEqual({ subject: 'admin@H55', role: 'ADMIN', agencyCode: 'H55', name: null, seesPersonalIds: false });
    const op = await t.app.inject({ url: '/api/v1/ops/me', headers: auth(await t.token('PROVINCE_OPERATOR', 'H55')) });
    expect(op.json()).toMatchObject({ role: 'PROVINCE_OPERATOR', seesPersonalIds: true });
    const none = await t.app.inject({ url: '/api/v1/ops/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/đăng nhập/) });
  });
});

describe('GET /api/v1/ops/progress', () => {
  it('counts the current period per agency: entered, verified, approved, returned and overdue', async () => {
    const res = await t.app.inject({ url: '/api/v1/ops/progress', headers: auth(await t.token('PROVINCE_OPERATOR', 'H55')) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ period: periodOf(new Date()), current: true, agencyCode: 'H55', asOf: localDate(new Date()) });
    expect(approved.period).toBe(body.period);
    expect(body.totals).toMatchObject({ entered: 5, verified: 3, agencyApproved: 3, provinceApproved: 3, synced: 0, returned: 1, rejected: 0, overdue: 1 });
    expect(body.totals.states).toEqual({ PROVINCE_APPROVED: 3, SUBMITTED: 1, RETURNED: 1 });
    const sum = (key: string) => body.agencies.reduce((n: number, a: Record<string, number>) => n + a[key]!, 0);
    expect(sum('entered')).toBe(5);
    const overdueAgency = (await t.database.db.prisma.profileChange.findUniqueOrThrow({ where: { id: overdueId } })).agencyCode;
    expect(body.agencies.find((a: { agencyCode: string }) => a.agencyCode === overdueAgency)).toMatchObject({ overdue: 1 });
    expect(body.agencies.every((a: { agencyName: string | null }) => typeof a.agencyName === 'string')).toBe(true);
  });

  it('leaves changes not yet approved by their agency out of a past period', async () => {
    const res = await t.app.inject({ url: '/api/v1/ops/progress?period=2020-01', headers: auth(await t.token('PROVINCE_OPERATOR', 'H55')) });
    expect(res.json()).toMatchObject({ period: '2020-01', current: false, agencies: [], totals: { entered: 0, overdue: 0 } });
  });

  it('is scoped to the caller’s subtree', async () => {
    const res = await t.app.inject({ url: '/api/v1/ops/progress', headers: auth(await t.token('UNIT_OFFICER', returnedAgency)) });
    expect(res.statusCode).toBe(200);
    expect(res.json().agencies.every((a: { agencyCode: string }) => a.agencyCode === returnedAgency || a.agencyCode.startsWith(`${returnedAgency}.`))).toBe(true);
    expect(res.json().totals.returned).toBe(1);
    const outside = returnedAgency === 'H55.06' ? 'H55.05' : 'H55.06';
    const refused = await t.app.inject({ url: `/api/v1/ops/progress?agency=${outside}`, headers: auth(await t.token('UNIT_OFFICER', returnedAgency)) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('OUT_OF_SCOPE');
    const staff = await t.app.inject({ url: '/api/v1/ops/progress', headers: auth(await t.token('STAFF', 'H55.05')) });
    expect(staff.json().code).toBe('FORBIDDEN');
    const bad = await t.app.inject({ url: '/api/v1/ops/progress?period=2026-13', headers: auth(await t.token('PROVINCE_OPERATOR', 'H55')) });
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /api/v1/ops/status', () => {
  it('reports certificates, national link, queue, batches and readiness, each green/yellow/red', async () => {
    const res = await t.app.inject({ url: '/api/v1/ops/status', headers: auth(await t.token('PROVINCE_OPERATOR', 'H55')) });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.certificates.items.map((c: { role: string }) => c.role).sort()).toEqual(['INTERMEDIATE', 'NATIONAL_TRUST_ANCHOR', 'ORG_SIGNER', 'TRUST_ANCHOR']);
    expect(s.certificates.items.every((c: { daysLeft: number; level: string }) => c.daysLeft > 30 && c.level === 'green')).toBe(true);
    expect(s.certificates).toMatchObject({ level: 'green', missing: [] });
    expect(s.readiness).toEqual({ level: 'green', checks: { database: true, redis: true } });
    expect(s.queue).toEqual({ level: 'green', name: 'outbox', available: true, counts: { waiting: 0, active: 0, delayed: 0, failed: 0 } });
    expect(s.batches).toEqual({ level: 'green', counts: {} });
    // No call to the national side yet: nothing is known about the link.
    expect(s.national).toMatchObject({ level: 'yellow', lastSuccessAt: null, lastFailureCode: null });
    expect(s.level).toBe('yellow');
  });

  it('follows the national client’s attempts of this process', async () => {
    const op = auth(await t.token('ADMIN', 'H55'));
    t.metrics.onNationalAttempt({ op: 'pushBatch', requestId: 'r1', status: 503, kind: 'transient', code: 'NATIONAL_UNAVAILABLE', durationMs: 20 });
    const failing = (await t.app.inject({ url: '/api/v1/ops/status', headers: op })).json();
    expect(failing.national).toMatchObject({ level: 'yellow', lastFailureCode: 'NATIONAL_UNAVAILABLE', lastFailureKind: 'transient', lastFailureSource: 'process' });
    t.metrics.onNationalAttempt({ op: 'getBatch', requestId: 'r2', status: 200, kind: 'success', code: null, durationMs: 12 });
    const ok = (await t.app.inject({ url: '/api/v1/ops/status', headers: op })).json();
    expect(ok.national.level).toBe('green');
    expect(Date.parse(ok.national.lastSuccessAt)).toBeGreaterThan(Date.parse(ok.national.lastFailureAt) - 1);
    expect(ok.level).toBe('green');
  });

  it('is red when a certificate has expired, and only for operators and administrators', async () => {
    const other = await createOpsApp({ persons: 0, signing: await signingOf(['expired-signer']) });
    try {
      const s = (await other.app.inject({ url: '/api/v1/ops/status', headers: auth(await other.token('PROVINCE_OPERATOR', 'H55')) })).json();
      const expired = s.certificates.items.find((c: { daysLeft: number }) => c.daysLeft < 0);
      expect(expired).toMatchObject({ role: 'INTERMEDIATE', level: 'red' });
      expect(s.certificates.level).toBe('red');
      expect(s.level).toBe('red');
      const officerRes = await other.app.inject({ url: '/api/v1/ops/status', headers: auth(await other.token('UNIT_OFFICER', 'H55')) });
      expect(officerRes.statusCode).toBe(403);
      expect(officerRes.json().code).toBe('FORBIDDEN');
    } finally {
      await other.close();
    }
  });
});

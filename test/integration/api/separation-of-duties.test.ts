// The probes of issue 13 against the API: each answers 403 with a stable code and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../../support/app.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import type { Role } from '../../../src/auth/principal.ts';
import { SEED_TODAY } from '../../support/database.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await seedProvince(t.database.db, 'H55', { today: SEED_TODAY, count: 300, seed: 13 });
});
afterAll(async () => t?.close());

const post = (url: string, token: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

/** Everything a refused request could have touched. */
async function snapshot() {
  const db = t.database.db.prisma;
  return {
    persons: await db.person.count(), changes: await db.profileChange.count(), events: await db.changeEvent.count(),
    states: (await db.profileChange.findMany({ select: { id: true, state: true }, orderBy: { id: 'asc' } })).map((c) => `${c.id}:${c.state}`),
    audit: await db.auditLog.count({ where: { action: { not: 'READ' } } }),
  };
}

async function seeded(prefix: string, skip = 0) {
  return t.database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: prefix }, version: { gt: 0 }, changes: { none: {} } }, skip, orderBy: { personalId: 'asc' } });
}

const raise = (profile: object) => {
  const p = profile as { Luong?: Record<string, unknown> };
  return { ...p, Luong: { ...(p.Luong ?? {}), HeSoLuong: 6.2 } };
};

describe('a unit officer raising his own salary', () => {
  it('may submit the change (as the employee), but not verify it: 403 SEPARATION_OF_DUTIES, nothing changes', async () => {
    const me = await seeded('H55.05');
    const officer = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'officer-self', personalId: me.personalId });
    const created = await post(`/api/v1/persons/${me.personalId}/changes`, officer, { profile: raise(me.profile as object) });
    expect(created.statusCode).toBe(201);
    expect(created.json().state).toBe('SUBMITTED');
    const before = await snapshot();
    const verified = await post(`/api/v1/changes/${created.json().id}/verify`, officer, {});
    expect(verified.statusCode).toBe(403);
    expect(verified.json()).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { rule: 'SUBJECT_MAY_NOT_VERIFY' } });
    // Nor may he send it back (acting on his own record beyond submitting).
    const returned = await post(`/api/v1/changes/${created.json().id}/return`, officer, { reason: 'tự trả' });
    expect(returned.json()).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { rule: 'SUBJECT_MAY_NOT_RETURN' } });
    expect(await snapshot()).toEqual(before);
    // A colleague who neither created it nor is its subject verifies it.
    const colleague = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'officer-colleague' });
    expect((await post(`/api/v1/changes/${created.json().id}/verify`, colleague, {})).json().state).toBe('VERIFIED');
  });

  it('the creator of a change for someone else may not verify it either', async () => {
    const person = await seeded('H55.05', 1);
    const officer = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'officer-creator' });
    const created = await post(`/api/v1/persons/${person.personalId}/changes`, officer, { profile: raise(person.profile as object) });
    expect(created.statusCode).toBe(201);
    const before = await snapshot();
    const res = await post(`/api/v1/changes/${created.json().id}/verify`, officer, {});
    expect(res.statusCode).toBe(403);
    expect(res.json().details.rule).toBe('CREATOR_MAY_NOT_VERIFY');
    expect(await snapshot()).toEqual(before);
  });
});

describe('roles that create no changes', () => {
  const refused: Array<[Role, string]> = [['ADMIN', 'H55'], ['AGENCY_HEAD', 'H55.05'], ['PROVINCE_OPERATOR', 'H55']];

  it.each(refused)('%s may not create an update, a status change or a new record (403, nothing changes)', async (role, agency) => {
    const person = await seeded('H55.05', 5);
    const token = await t.token(role, agency, { subject: `${role.toLowerCase()}-probe` });
    const before = await snapshot();
    const update = await post(`/api/v1/persons/${person.personalId}/changes`, token, { profile: raise(person.profile as object) });
    expect(update.statusCode).toBe(403);
    expect(update.json()).toMatchObject({ code: 'FORBIDDEN', details: { event: 'CREATE', role } });
    const status = await post(`/api/v1/persons/${person.personalId}/status`, token, { status: 'NGHI_HUU', effectiveDate: '2026-12-01', reason: 'Nghỉ hưu' });
    expect(status.statusCode).toBe(403);
    const draft = await post(`/api/v1/persons/${person.personalId}/changes`, token, { profile: person.profile, draft: true });
    expect(draft.statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('ADMIN takes no workflow step: verify and return answer 403 and change nothing', async () => {
    const person = await seeded('H55.05', 6);
    const officer = await t.token('UNIT_OFFICER', 'H55.05', { subject: 'officer-for-admin' });
    const created = (await post(`/api/v1/persons/${person.personalId}/changes`, officer, { profile: raise(person.profile as object) })).json();
    const admin = await t.token('ADMIN', 'H55');
    const before = await snapshot();
    for (const [step, body] of [['verify', {}], ['return', { reason: 'x' }]] as const) {
      const res = await post(`/api/v1/changes/${created.id}/${step}`, admin, body);
      expect(res.statusCode, step).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('STAFF', () => {
  it('creates a change on their own record only', async () => {
    const me = await seeded('H55.06');
    const other = await seeded('H55.06', 1);
    const staff = await t.token('STAFF', me.employingAgencyCode, { personalId: me.personalId, subject: 'staff-self' });
    const before = await snapshot();
    const foreign = await post(`/api/v1/persons/${other.personalId}/changes`, staff, { profile: other.profile });
    expect(foreign.statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
    const own = await post(`/api/v1/persons/${me.personalId}/changes`, staff, { profile: { ...(me.profile as object), SoDienThoai: '0911222333' } });
    expect(own.statusCode).toBe(201);
    const verify = await post(`/api/v1/changes/${own.json().id}/verify`, staff, {});
    expect(verify.statusCode).toBe(403);
  });
});

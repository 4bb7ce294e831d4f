// Grants over the API (issue 13): the SSO's token says who, a grant stored here says what. Sở Nội vụ grants,
// limits, extends and revokes; an agency head requests; every change is audited; a revoked or expired grant
// is refused on the very next request; insiders cannot raise their own or others' authority.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import { createTokenVerifier } from '../../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile, issueDevToken } from '../../../src/auth/dev-token.ts';
import { createLogger } from '../../../src/logger.ts';
import { steppedClock } from '../../../src/clock.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createGrant, followGrantsOfPersons } from '../../../src/store/grants.ts';
import { effectiveAuthority, withGrants } from '../../../src/services/grants.ts';
import { bootstrapGrant } from '../../../src/commands/grant.ts';
import type { Role } from '../../../src/auth/principal.ts';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { bearer } from '../../support/app.ts';

let database: TestDatabase;
let app: FastifyInstance;
// Grant periods are checked on this clock (tokens keep their own real-time validity).
const clock = steppedClock('2026-11-10T02:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 30, seed: 21 });
  const config = loadConfig({}, { databaseUrl: database.url, logLevel: 'silent', senderCode: 'H55.19' });
  app = await buildApp({
    config, db: database.db, logger: createLogger('silent'), clock,
    verifyToken: withGrants(createTokenVerifier({ publicKeyFile: devJwtPublicKeyFile, audience: config.authAudience }), database.db, clock),
  });
  await app.ready();
  // Bootstrap, as `csdl-gateway grant` does: the first operator and the first administrator of Sở Nội vụ.
  for (const [subject, role] of [['op-1', 'PROVINCE_OPERATOR'], ['admin-1', 'ADMIN']] as const) {
    await createGrant(database.db, { subject: 'system', role: 'SYSTEM' }, { subject, role, agencyCode: 'H55.19', personalId: null, state: 'ACTIVE',
      validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null, reason: 'Khởi tạo' }, clock.now());
  }
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const tok = (subject: string, role: Role, agency: string, personalId?: string) => issueDevToken({ subject, role, agency, ...(personalId ? { personalId } : {}) });
const call = async (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const grantAudit = (id: string) => database.db.prisma.auditLog.findMany({ where: { entityType: 'grant', entityId: id }, orderBy: { seq: 'asc' } });

describe('authority comes from grants, not from the token', () => {
  it('a valid SSO token claiming a role nobody granted is refused (403 GRANT_REQUIRED)', async () => {
    const forgedRole = await tok('nguyen.van.a', 'PROVINCE_OPERATOR', 'H55');
    const r = await call('GET', '/grants', forgedRole);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'GRANT_REQUIRED', details: { role: 'PROVINCE_OPERATOR', agencyCode: 'H55' } });
  });

  it('a grant for one agency does not open another (the agency claim is checked against the grant)', async () => {
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const created = await call('POST', '/grants', op, { subject: 'can.bo.05', role: 'UNIT_OFFICER', agencyCode: 'H55.05', reason: 'Cán bộ tổ chức' });
    expect(created.statusCode).toBe(201);
    expect((await call('GET', '/persons?limit=1', await tok('can.bo.05', 'UNIT_OFFICER', 'H55.05.01'))).statusCode).toBe(200); // narrower: fine
    expect((await call('GET', '/persons?limit=1', await tok('can.bo.05', 'UNIT_OFFICER', 'H55.06'))).json().code).toBe('GRANT_REQUIRED');
    expect((await call('GET', '/persons?limit=1', await tok('can.bo.05', 'AGENCY_HEAD', 'H55.05'))).json().code).toBe('GRANT_REQUIRED');
  });

  it('a STAFF grant fixes the record: a token naming another personal id still acts on the granted one', async () => {
    const person = await database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.05' } }, orderBy: { personalId: 'asc' } });
    const other = await database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.06' } }, orderBy: { personalId: 'asc' } });
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    expect((await call('POST', '/grants', op, { subject: 'nv.05', role: 'STAFF', agencyCode: person.employingAgencyCode, reason: 'Tài khoản viên chức' })).json())
      .toMatchObject({ code: 'MISSING_FIELD' });
    expect((await call('POST', '/grants', op, { subject: 'nv.05', role: 'STAFF', agencyCode: person.employingAgencyCode, personalId: person.personalId, reason: 'Tài khoản viên chức' })).statusCode).toBe(201);
    const staff = await tok('nv.05', 'STAFF', person.employingAgencyCode, other.personalId);
    expect((await call('GET', `/persons/${person.personalId}`, staff)).statusCode).toBe(200);
    expect((await call('GET', `/persons/${other.personalId}`, staff)).json().code).toBe('PERSON_NOT_FOUND');
  });
});

describe('revocation that bites', () => {
  it('a revoked grant is refused on the next request, audited with who and why', async () => {
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const g = (await call('POST', '/grants', op, { subject: 'can.bo.06', role: 'UNIT_OFFICER', agencyCode: 'H55.06', reason: 'Bổ nhiệm' })).json();
    const officer = await tok('can.bo.06', 'UNIT_OFFICER', 'H55.06');
    expect((await call('GET', '/persons?limit=1', officer)).statusCode).toBe(200);
    const revoked = await call('POST', `/grants/${g.id}/revoke`, op, { reason: 'Chuyển công tác' });
    expect(revoked.json()).toMatchObject({ state: 'REVOKED', revokedBy: 'op-1', revokeReason: 'Chuyển công tác' });
    expect((await call('GET', '/persons?limit=1', officer)).json()).toMatchObject({ code: 'GRANT_REQUIRED' });
    expect((await grantAudit(g.id)).map((a) => [a.action, a.actor])).toEqual([['GRANT_GRANT', 'op-1'], ['GRANT_REVOKE', 'op-1']]);
  });

  it('an expired grant stops working when its period ends; extending it restores it; limiting it ends it earlier', async () => {
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const g = (await call('POST', '/grants', op, { subject: 'tam.thoi', role: 'UNIT_OFFICER', agencyCode: 'H55.07', validTo: '2026-11-10T04:00:00Z', reason: 'Tạm thời' })).json();
    const officer = await tok('tam.thoi', 'UNIT_OFFICER', 'H55.07');
    expect((await call('GET', '/persons?limit=1', officer)).statusCode).toBe(200);
    clock.advance(3 * 3600_000);
    expect((await call('GET', '/persons?limit=1', officer)).json().code).toBe('GRANT_REQUIRED');
    expect((await call('POST', `/grants/${g.id}/extend`, op, { validTo: '2026-11-10T03:00:00Z', reason: 'x' })).json()).toMatchObject({ code: 'INVALID_VALUE', details: { reason: 'NOT_AN_EXTENSION' } });
    expect((await call('POST', `/grants/${g.id}/extend`, op, { validTo: '2026-11-30T00:00:00Z', reason: 'Gia hạn' })).statusCode).toBe(200);
    expect((await call('GET', '/persons?limit=1', officer)).statusCode).toBe(200);
    expect((await call('POST', `/grants/${g.id}/limit`, op, { validTo: '2026-12-30T00:00:00Z', reason: 'x' })).json()).toMatchObject({ code: 'INVALID_VALUE', details: { reason: 'NOT_A_LIMIT' } });
    expect((await call('POST', `/grants/${g.id}/limit`, op, { agencyCode: 'H55.07.01', reason: 'Thu hẹp phạm vi' })).json()).toMatchObject({ agencyCode: 'H55.07.01' });
    expect((await call('GET', '/persons?limit=1', officer)).json().code).toBe('GRANT_REQUIRED');
    expect((await call('GET', '/persons?limit=1', await tok('tam.thoi', 'UNIT_OFFICER', 'H55.07.01'))).statusCode).toBe(200);
    expect((await grantAudit(g.id)).map((a) => a.action)).toEqual(['GRANT_GRANT', 'GRANT_EXTEND', 'GRANT_LIMIT']);
  });
});

describe('who may grant what to whom (attackers and insiders)', () => {
  async function snapshot() {
    return { grants: await database.db.prisma.accessGrant.count(), audit: await database.db.prisma.auditLog.count({ where: { entityType: 'grant' } }) };
  }

  it('an agency head requests for their subtree; Sở Nội vụ grants it; the head cannot grant, nor request outside or above', async () => {
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    await call('POST', '/grants', op, { subject: 'thu.truong.05', role: 'AGENCY_HEAD', agencyCode: 'H55.05', reason: 'Thủ trưởng' });
    const head = await tok('thu.truong.05', 'AGENCY_HEAD', 'H55.05');
    const before = await snapshot();
    for (const [body, code] of [
      [{ subject: 'x', role: 'UNIT_OFFICER', agencyCode: 'H55.06' }, 'OUT_OF_SCOPE'],
      [{ subject: 'x', role: 'AGENCY_HEAD', agencyCode: 'H55.05.01' }, 'FORBIDDEN'],
      [{ subject: 'x', role: 'PROVINCE_OPERATOR', agencyCode: 'H55.05' }, 'FORBIDDEN'],
      [{ subject: 'thu.truong.05', role: 'UNIT_OFFICER', agencyCode: 'H55.05' }, 'SEPARATION_OF_DUTIES'],
    ] as const) {
      const r = await call('POST', '/grants', head, { ...body, reason: 'thử' });
      expect(r.json().code, JSON.stringify(body)).toBe(code);
    }
    expect(await snapshot()).toEqual(before);
    const requested = (await call('POST', '/grants', head, { subject: 'can.bo.0501', role: 'UNIT_OFFICER', agencyCode: 'H55.05.01', reason: 'Đề nghị cấp quyền' })).json();
    expect(requested).toMatchObject({ state: 'REQUESTED', requestedBy: 'thu.truong.05', grantedBy: null });
    const asked = await tok('can.bo.0501', 'UNIT_OFFICER', 'H55.05.01');
    expect((await call('GET', '/persons?limit=1', asked)).json().code).toBe('GRANT_REQUIRED'); // requested is not granted
    expect((await call('POST', `/grants/${requested.id}/approve`, head, { reason: 'tự duyệt' })).json().code).toBe('FORBIDDEN');
    expect((await call('POST', `/grants/${requested.id}/approve`, op, { reason: 'Đồng ý' })).json()).toMatchObject({ state: 'ACTIVE', grantedBy: 'op-1' });
    expect((await call('GET', '/persons?limit=1', asked)).statusCode).toBe(200);
    expect((await grantAudit(requested.id)).map((a) => [a.action, a.actor])).toEqual([['GRANT_REQUEST', 'thu.truong.05'], ['GRANT_GRANT', 'op-1']]);
  });

  it('ADMIN manages Sở Nội vụ only; operators never hand out ADMIN; nobody extends or revokes their own grant', async () => {
    const admin = await tok('admin-1', 'ADMIN', 'H55.19');
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const before = await snapshot();
    expect((await call('POST', '/grants', admin, { subject: 'y', role: 'UNIT_OFFICER', agencyCode: 'H55.05', reason: 'r' })).json().code).toBe('OUT_OF_SCOPE');
    expect((await call('POST', '/grants', op, { subject: 'y', role: 'ADMIN', agencyCode: 'H55.19', reason: 'r' })).json()).toMatchObject({ code: 'FORBIDDEN', details: { rule: 'ADMIN_ONLY_BY_ADMIN' } });
    expect((await call('POST', '/grants', op, { subject: 'op-1', role: 'PROVINCE_OPERATOR', agencyCode: 'H55', reason: 'r' })).json().code).toBe('SEPARATION_OF_DUTIES');
    const own = await database.db.prisma.accessGrant.findFirstOrThrow({ where: { subject: 'op-1' } });
    expect((await call('POST', `/grants/${own.id}/revoke`, op, { reason: 'r' })).json().code).toBe('SEPARATION_OF_DUTIES');
    // An operator of another agency (granted there) is not Sở Nội vụ: it grants nothing.
    expect(await snapshot()).toEqual(before);
    const second = (await call('POST', '/grants', admin, { subject: 'op-2', role: 'PROVINCE_OPERATOR', agencyCode: 'H55.19', reason: 'Chuyên viên Sở' })).json();
    expect(second).toMatchObject({ state: 'ACTIVE', grantedBy: 'admin-1' });
    expect((await call('GET', `/grants/${second.id}`, await tok('can.bo.05', 'UNIT_OFFICER', 'H55.05'))).json().code).toBe('FORBIDDEN');
  });

  it('refuses bad input and unknown grants, changing nothing', async () => {
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const before = await snapshot();
    expect((await call('POST', '/grants', op, { subject: 'z', role: 'UNIT_OFFICER', agencyCode: 'h55.05', reason: 'r' })).json().code).toBe('INVALID_AGENCY_CODE');
    expect((await call('POST', '/grants', op, { subject: 'z', role: 'UNIT_OFFICER', agencyCode: 'H55.05.99', reason: 'r' })).json().code).toBe('AGENCY_NOT_FOUND');
    expect((await call('POST', '/grants', op, { subject: 'z', role: 'ROOT', agencyCode: 'H55.05', reason: 'r' })).json().code).toBe('VALIDATION_FAILED');
    expect((await call('POST', '/grants', op, { subject: 'z', role: 'UNIT_OFFICER', agencyCode: 'H55.05', validFrom: '2026-12-01T00:00:00Z', validTo: '2026-11-01T00:00:00Z', reason: 'r' })).json().code).toBe('INVALID_VALUE');
    expect((await call('POST', '/grants/not-a-uuid/revoke', op, { reason: 'r' })).json().code).toBe('GRANT_NOT_FOUND');
    expect((await call('POST', '/grants/00000000-0000-4000-8000-000000000000/revoke', op, { reason: 'r' })).json().code).toBe('GRANT_NOT_FOUND');
    expect(await snapshot()).toEqual(before);
  });
});

describe('bootstrap and configuration', () => {
  it('`csdl-gateway grant` makes the first grants, audited as SYSTEM, and refuses an unknown agency', async () => {
    const config = loadConfig({}, { databaseUrl: database.url, logLevel: 'silent' });
    const g = await bootstrapGrant(config, { subject: 'admin-2', role: 'ADMIN', agency: 'H55.19', reason: 'Cài đặt' });
    expect(g).toMatchObject({ state: 'ACTIVE', requestedBy: 'system', grantedBy: 'system', agencyCode: 'H55.19' });
    expect((await grantAudit(g.id)).map((a) => [a.action, a.actor, a.role])).toEqual([['GRANT_GRANT', 'system', 'SYSTEM']]);
    await expect(bootstrapGrant(config, { subject: 'x', role: 'ADMIN', agency: 'H55.98', reason: 'r' })).rejects.toMatchObject({ code: 'AGENCY_NOT_FOUND' });
    await expect(bootstrapGrant(config, { subject: 'x', role: 'STAFF', agency: 'H55.19', reason: 'r' })).rejects.toMatchObject({ code: 'INVALID_PERSONAL_ID' });
  });

  it('grants by default; claims only when configured, or in development mode', () => {
    expect(effectiveAuthority({ authAuthority: '', authDevMode: false })).toBe('grants');
    expect(effectiveAuthority({ authAuthority: '', authDevMode: true })).toBe('claims');
    expect(effectiveAuthority({ authAuthority: 'grants', authDevMode: true })).toBe('grants');
    expect(effectiveAuthority({ authAuthority: 'claims', authDevMode: false })).toBe('claims');
  });
});

describe('grants follow the approved record', () => {
  it('a person transferred out loses the grants of the old agency at once and gets a STAFF grant at the new one, audited as SYSTEM', async () => {
    const person = await database.db.prisma.person.findFirstOrThrow({ where: { employingAgencyCode: { startsWith: 'H55.05' }, status: 'DANG_CONG_TAC' }, orderBy: { personalId: 'desc' } });
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const staff = (await call('POST', '/grants', op, { subject: 'di.chuyen', role: 'STAFF', agencyCode: person.employingAgencyCode, personalId: person.personalId, reason: 'Tài khoản' })).json();
    const officer = (await call('POST', '/grants', op, { subject: 'di.chuyen', role: 'UNIT_OFFICER', agencyCode: 'H55.05', reason: 'Cán bộ tổ chức' })).json();
    const asOfficer = await tok('di.chuyen', 'UNIT_OFFICER', 'H55.05');
    expect((await call('GET', '/persons?limit=1', asOfficer)).statusCode).toBe(200);
    // What the province approval of an in-province transfer does, in its transaction.
    await database.db.prisma.$transaction(async (tx) => {
      await tx.person.update({ where: { personalId: person.personalId }, data: { employingAgencyCode: 'H55.06', managingAgencyCode: 'H55.06' } });
      await followGrantsOfPersons(tx, [person.personalId], clock.now());
    });
    expect((await call('GET', '/persons?limit=1', asOfficer)).json().code).toBe('GRANT_REQUIRED');
    const after = await database.db.prisma.accessGrant.findMany({ where: { subject: 'di.chuyen' }, orderBy: { createdAt: 'asc' } });
    expect(after.map((g) => [g.id === staff.id ? 'staff' : g.id === officer.id ? 'officer' : 'new', g.role, g.agencyCode, g.state])).toEqual([
      ['staff', 'STAFF', person.employingAgencyCode, 'REVOKED'], ['officer', 'UNIT_OFFICER', 'H55.05', 'REVOKED'], ['new', 'STAFF', 'H55.06', 'ACTIVE'],
    ]);
    const asStaff = await tok('di.chuyen', 'STAFF', 'H55.06');
    expect((await call('GET', `/persons/${person.personalId}`, asStaff)).statusCode).toBe(200);
    expect((await grantAudit(officer.id)).map((a) => [a.action, a.actor])).toEqual([['GRANT_GRANT', 'op-1'], ['GRANT_REVOKE', 'system']]);
  });

  it('a transferred-in person with no account gets a STAFF grant reserved for their personal id, which then follows the record', async () => {
    const [moved, stayed] = await database.db.prisma.person.findMany({ where: { employingAgencyCode: { startsWith: 'H55.07' }, status: 'DANG_CONG_TAC' }, orderBy: { personalId: 'asc' }, take: 2 });
    const reservedOf = (pid: string) => database.db.prisma.accessGrant.findMany({ where: { personalId: pid }, orderBy: { createdAt: 'asc' } });
    const move = (pid: string, to: string, movedIn: string[]) => database.db.prisma.$transaction(async (tx) => {
      await tx.person.update({ where: { personalId: pid }, data: { employingAgencyCode: to, managingAgencyCode: to } });
      await followGrantsOfPersons(tx, [pid], clock.now(), new Set(movedIn));
    });
    await move(moved!.personalId, 'H55.08', [moved!.personalId]);
    // Approved where it was (not moved in): no grant for anyone.
    await database.db.prisma.$transaction((tx) => followGrantsOfPersons(tx, [stayed!.personalId], clock.now(), new Set()));
    expect(await reservedOf(stayed!.personalId)).toEqual([]);
    const [reserved] = await reservedOf(moved!.personalId);
    expect(reserved).toMatchObject({ subject: `personal-id:${moved!.personalId}`, role: 'STAFF', agencyCode: 'H55.08', state: 'ACTIVE', grantedBy: 'system' });
    expect((await grantAudit(reserved!.id)).map((a) => [a.action, a.actor, (JSON.parse(a.details!) as { cause?: string }).cause])).toEqual([['GRANT_GRANT', 'system', 'MOVED_IN_RESERVED']]);
    // Moved again before the first sign-in: the reservation moves with the record.
    await move(moved!.personalId, 'H55.09', [moved!.personalId]);
    expect((await reservedOf(moved!.personalId)).map((g) => [g.subject, g.agencyCode, g.state])).toEqual([
      [`personal-id:${moved!.personalId}`, 'H55.08', 'REVOKED'], [`personal-id:${moved!.personalId}`, 'H55.09', 'ACTIVE'],
    ]);
    // A token whose subject is the placeholder gets nothing from the reservation.
    const impostor = await tok(`personal-id:${moved!.personalId}`, 'STAFF', 'H55.09');
    expect((await call('GET', `/persons/${moved!.personalId}`, impostor)).json().code).toBe('GRANT_REQUIRED');
    // Nobody grants under the placeholder by hand.
    const op = await tok('op-1', 'PROVINCE_OPERATOR', 'H55.19');
    const before = await database.db.prisma.accessGrant.count();
    const res = await call('POST', '/grants', op, { subject: `personal-id:${stayed!.personalId}`, role: 'STAFF', agencyCode: 'H55.07', personalId: stayed!.personalId, reason: 'Thử' });
    expect([res.statusCode, res.json().code, res.json().details?.reason]).toEqual([422, 'INVALID_VALUE', 'RESERVED_SUBJECT']);
    expect(await database.db.prisma.accessGrant.count()).toBe(before);
  });
});

// Console sign-in through a real OpenID Connect provider (oidc-provider on 127.0.0.1): login (code + PKCE),
// the session cookie, CSRF on writes, idle and absolute timeouts, a revoked grant refused on the next call,
// logout here and at the provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import { createTokenVerifier } from '../../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile } from '../../../src/auth/dev-token.ts';
import { createLogger } from '../../../src/logger.ts';
import { steppedClock } from '../../../src/clock.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createGrant } from '../../../src/store/grants.ts';
import { reservedSubject } from '../../../src/domain/grant-rules.ts';
import { withGrants } from '../../../src/services/grants.ts';
import { createConsoleSignIn } from '../../../src/services/console-sign-in.ts';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { followUntil, startTestIdp, type TestIdp } from '../../support/oidc-provider.ts';

const REDIRECT = 'https://gateway.h55.example/auth/callback';
const AFTER_LOGOUT = 'https://gateway.h55.example/console/';
const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 8 * 3600_000;

let database: TestDatabase;
let app: FastifyInstance;
let idp: TestIdp;
const clock = steppedClock('2026-11-10T02:00:00Z');

async function grant(subject: string, role: string, agencyCode: string) {
  return createGrant(database.db, { subject: 'system', role: 'SYSTEM' }, { subject, role, agencyCode, personalId: null, state: 'ACTIVE',
    validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null, reason: 'Kiểm thử' }, clock.now());
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 20, seed: 5 });
  idp = await startTestIdp({ clientId: 'csdl-gateway', clientSecret: 'test-client-secret', redirectUri: REDIRECT, postLogoutRedirectUri: AFTER_LOGOUT });
  const config = loadConfig({}, { databaseUrl: database.url, logLevel: 'silent', senderCode: 'H55.19' });
  const service = createConsoleSignIn({ db: database.db, clock }, {
    issuerUrl: idp.issuer, clientId: 'csdl-gateway', clientSecret: 'test-client-secret', redirectUrl: REDIRECT, postLogoutRedirectUrl: AFTER_LOGOUT,
    idleMs: IDLE_MS, absoluteMs: ABSOLUTE_MS, authority: 'grants', allowHttp: true, personalIdClaim: 'personalId',
  });
  app = await buildApp({
    config, db: database.db, logger: createLogger('silent'), clock,
    verifyToken: withGrants(createTokenVerifier({ publicKeyFile: devJwtPublicKeyFile, audience: config.authAudience }), database.db, clock),
    signIn: { service, redirectUrl: REDIRECT, absoluteSeconds: ABSOLUTE_MS / 1000 },
  });
  await app.ready();
  await grant('can.bo.05', 'UNIT_OFFICER', 'H55.05');
  await grant('chuyen.vien.so', 'PROVINCE_OPERATOR', 'H55.19');
});
afterAll(async () => {
  await app?.close();
  await idp?.close();
  await database?.drop();
});

const cookieOf = (setCookie: string | string[] | undefined, name: string) =>
  [setCookie ?? []].flat().find((c) => c.startsWith(`${name}=`));

/** The whole browser sign-in: gateway → provider (login as `subject`) → gateway callback. Returns the session cookie. */
async function signIn(subject: string): Promise<string> {
  idp.nextLogin = subject;
  const start = await app.inject({ method: 'GET', url: '/auth/login' });
  expect(start.statusCode).toBe(302);
  const login = cookieOf(start.headers['set-cookie'], 'csdl_login')!;
  expect(login).toMatch(/HttpOnly; Secure; SameSite=Lax/);
  const authorize = new URL(start.headers.location as string);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const back = await followUntil(authorize.href, REDIRECT);
  const done = await app.inject({ method: 'GET', url: `/auth/callback${back.search}`, headers: { cookie: login.split(';')[0]! } });
  expect(done.statusCode, done.body).toBe(302);
  expect(done.headers.location).toBe('/console/');
  const session = cookieOf(done.headers['set-cookie'], 'csdl_session')!;
  expect(session).toMatch(/^csdl_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax/);
  return session.split(';')[0]!;
}

const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ cookie, ...extra });

describe('console sign-in through the provincial SSO', () => {
  it('signs in with code + PKCE; the session acts under the subject’s grant', async () => {
    const cookie = await signIn('can.bo.05');
    const me = await app.inject({ method: 'GET', url: '/auth/session', headers: withCookie(cookie) });
    expect(me.json()).toMatchObject({ signedIn: true, subject: 'can.bo.05', role: 'UNIT_OFFICER', agencyCode: 'H55.05', name: 'Người dùng can.bo.05', seesPersonalIds: true });
    expect(me.json().csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(cookie) })).statusCode).toBe(200);
  });

  it('refuses a callback without its sign-in, or replayed', async () => {
    idp.nextLogin = 'can.bo.05';
    const start = await app.inject({ method: 'GET', url: '/auth/login' });
    const login = cookieOf(start.headers['set-cookie'], 'csdl_login')!.split(';')[0]!;
    const back = await followUntil(start.headers.location as string, REDIRECT);
    expect((await app.inject({ method: 'GET', url: `/auth/callback${back.search}` })).json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    expect((await app.inject({ method: 'GET', url: `/auth/callback${back.search}`, headers: { cookie: login } })).statusCode).toBe(302);
    expect((await app.inject({ method: 'GET', url: `/auth/callback${back.search}`, headers: { cookie: login } })).json()).toMatchObject({ code: 'SIGN_IN_FAILED', details: { reason: 'NO_SIGN_IN_IN_PROGRESS' } });
  });

  it('a person the SSO knows but nobody granted anything gets no session', async () => {
    idp.nextLogin = 'nguoi.la';
    const start = await app.inject({ method: 'GET', url: '/auth/login' });
    const back = await followUntil(start.headers.location as string, REDIRECT);
    const done = await app.inject({ method: 'GET', url: `/auth/callback${back.search}`, headers: { cookie: cookieOf(start.headers['set-cookie'], 'csdl_login')!.split(';')[0]! } });
    expect(done.statusCode).toBe(403);
    expect(done.json().code).toBe('GRANT_REQUIRED');
    expect(cookieOf(done.headers['set-cookie'], 'csdl_session')).toBeUndefined();
  });

  it('a transferred-in person’s first sign-in binds the STAFF grant reserved for the personal id the SSO vouches for', async () => {
    const [person, other] = await database.db.prisma.person.findMany({ where: { status: 'DANG_CONG_TAC' }, orderBy: { personalId: 'asc' }, take: 2 });
    const reserved = await createGrant(database.db, { subject: 'system', role: 'SYSTEM' }, { subject: reservedSubject(person!.personalId), role: 'STAFF',
      agencyCode: person!.employingAgencyCode, personalId: person!.personalId, state: 'ACTIVE', validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null,
      reason: 'Chuyển đến' }, clock.now());
    const refused = async (subject: string) => {
      idp.nextLogin = subject;
      const start = await app.inject({ method: 'GET', url: '/auth/login' });
      const back = await followUntil(start.headers.location as string, REDIRECT);
      return (await app.inject({ method: 'GET', url: `/auth/callback${back.search}`, headers: { cookie: cookieOf(start.headers['set-cookie'], 'csdl_login')!.split(';')[0]! } })).json().code;
    };
    // The SSO vouches for another person's id (nobody reserved anything for it): no session, the reservation untouched.
    idp.claims['nguoi.khac'] = { personalId: other!.personalId };
    expect(await refused('nguoi.khac')).toBe('GRANT_REQUIRED');
    expect((await database.db.prisma.accessGrant.findUniqueOrThrow({ where: { id: reserved.id } })).subject).toBe(reservedSubject(person!.personalId));

    idp.claims['moi.den'] = { personalId: person!.personalId };
    const cookie = await signIn('moi.den');
    expect((await app.inject({ method: 'GET', url: '/auth/session', headers: withCookie(cookie) })).json())
      .toMatchObject({ signedIn: true, subject: 'moi.den', role: 'STAFF', agencyCode: person!.employingAgencyCode });
    expect((await app.inject({ method: 'GET', url: `/api/v1/persons/${person!.personalId}`, headers: withCookie(cookie) })).statusCode).toBe(200);
    expect(await database.db.prisma.accessGrant.findUniqueOrThrow({ where: { id: reserved.id } })).toMatchObject({ subject: 'moi.den', state: 'ACTIVE' });
    const audit = await database.db.prisma.auditLog.findMany({ where: { entityType: 'grant', entityId: reserved.id }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['GRANT_GRANT', 'system'], ['GRANT_BIND', 'moi.den']]);
    // Bound once: a second account claiming the same personal id finds nothing reserved.
    idp.claims['ke.mao.danh'] = { personalId: person!.personalId };
    expect(await refused('ke.mao.danh')).toBe('GRANT_REQUIRED');
    expect((await database.db.prisma.accessGrant.findUniqueOrThrow({ where: { id: reserved.id } })).subject).toBe('moi.den');
  });

  it('cookie-authenticated writes need the CSRF token (a forged cross-site POST changes nothing)', async () => {
    const cookie = await signIn('chuyen.vien.so');
    const body = { subject: 'moi.05', role: 'UNIT_OFFICER', agencyCode: 'H55.05', reason: 'Cấp quyền' };
    const before = await database.db.prisma.accessGrant.count();
    const forged = await app.inject({ method: 'POST', url: '/api/v1/grants', headers: withCookie(cookie), payload: body });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('CSRF_INVALID');
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/grants', headers: withCookie(cookie, { 'x-csrf-token': 'x'.repeat(43) }), payload: body });
    expect(wrong.json().code).toBe('CSRF_INVALID');
    expect(await database.db.prisma.accessGrant.count()).toBe(before);
    const { csrfToken } = (await app.inject({ method: 'GET', url: '/auth/session', headers: withCookie(cookie) })).json();
    const ok = await app.inject({ method: 'POST', url: '/api/v1/grants', headers: withCookie(cookie, { 'x-csrf-token': csrfToken }), payload: body });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ grantedBy: 'chuyen.vien.so' });
  });

  it('a revoked grant is refused on the session’s next call', async () => {
    const g = await grant('tam.05', 'UNIT_OFFICER', 'H55.05');
    const cookie = await signIn('tam.05');
    expect((await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(cookie) })).statusCode).toBe(200);
    await database.db.prisma.accessGrant.update({ where: { id: g.id }, data: { state: 'REVOKED' } });
    const next = await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(cookie) });
    expect(next.statusCode).toBe(403);
    expect(next.json().code).toBe('GRANT_REQUIRED');
  });

  it('expires after the idle timeout, and after the absolute timeout however active', async () => {
    const idle = await signIn('can.bo.05');
    clock.advance(IDLE_MS - 60_000);
    expect((await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(idle) })).statusCode).toBe(200);
    clock.advance(IDLE_MS + 1);
    expect((await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(idle) })).json()).toMatchObject({ code: 'SESSION_EXPIRED', details: { reason: 'IDLE_TIMEOUT' } });
    expect((await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(idle) })).json().code).toBe('SESSION_EXPIRED');

    const busy = await signIn('can.bo.05');
    for (let spent = 0; spent <= ABSOLUTE_MS; spent += IDLE_MS / 2) {
      clock.advance(IDLE_MS / 2);
      const r = await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(busy) });
      if (spent + IDLE_MS / 2 <= ABSOLUTE_MS) expect(r.statusCode).toBe(200);
      else expect(r.json()).toMatchObject({ code: 'SESSION_EXPIRED', details: { reason: 'ABSOLUTE_TIMEOUT' } });
    }
  });

  it('logs out here and points the browser at the provider’s end-session with the id token', async () => {
    const cookie = await signIn('can.bo.05');
    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: withCookie(cookie) });
    expect(out.statusCode).toBe(200);
    expect(cookieOf(out.headers['set-cookie'], 'csdl_session')).toMatch(/^csdl_session=; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=0/);
    const end = new URL(out.json().endSessionUrl);
    expect(`${end.origin}${end.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(end.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(AFTER_LOGOUT);
    const provider = await fetch(end, { redirect: 'manual' });
    expect(provider.status).toBe(200); // the provider's own "sign out?" page
    expect((await app.inject({ method: 'GET', url: '/api/v1/persons?limit=1', headers: withCookie(cookie) })).json().code).toBe('SESSION_EXPIRED');
    expect((await app.inject({ method: 'GET', url: '/auth/session', headers: withCookie(cookie) })).json()).toEqual({ signedIn: false, sso: true, code: 'SESSION_EXPIRED' });
  });
});

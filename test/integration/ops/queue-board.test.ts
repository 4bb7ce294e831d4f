// Bull Board at /admin/queues: ADMIN only, read-only, behind the same bearer JWTs as the API; and the
// console's static files at /console/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createOpsApp, type OpsApp } from './fixture.ts';

let t: OpsApp;
beforeAll(async () => { t = await createOpsApp({ persons: 0 }); }, 60_000);
afterAll(async () => t?.close());

describe('Bull Board', () => {
  it('refuses a request without a token (401) and a token of another role (403)', async () => {
    for (const url of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      const none = await t.app.inject({ url });
      expect(none.statusCode, url).toBe(401);
      expect(none.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    for (const role of ['PROVINCE_OPERATOR', 'UNIT_OFFICER', 'AGENCY_HEAD', 'STAFF'] as const) {
      const res = await t.app.inject({ url: '/admin/queues/api/queues', headers: auth(await t.token(role, 'H55')) });
      expect(res.statusCode, role).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/không có quyền/) });
    }
    const forged = await t.app.inject({ url: '/admin/queues/api/queues', headers: auth('not.a.jwt') });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('TOKEN_INVALID');
  });

  it('shows ADMIN the outbox and schedules queues, read-only', async () => {
    const admin = auth(await t.token('ADMIN', 'H55'));
    const page = await t.app.inject({ url: '/admin/queues/', headers: admin });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<base href="/admin/queues/" />');
    const api = await t.app.inject({ url: '/admin/queues/api/queues?activeQueue=outbox&status=latest&page=1&jobsPerPage=10', headers: admin });
    expect(api.statusCode).toBe(200);
    const queues = api.json().queues as Array<{ name: string; readOnlyMode: boolean }>;
    expect(queues.map((q) => q.name).sort()).toEqual(['outbox', 'schedules']);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
    // Actions are refused whatever the role: by method here, and by Bull Board's read-only mode behind it.
    for (const [method, url] of [['PUT', '/admin/queues/api/queues/outbox/pause'], ['PUT', '/admin/queues/api/queues/outbox/retry/failed'],
      ['POST', '/admin/queues/api/queues/outbox/add'], ['PUT', '/admin/queues/api/queues/outbox/obliterate'], ['PUT', '/admin/queues/api/queues/outbox/empty']] as const) {
      const res = await t.app.inject({ method, url, headers: admin, payload: {} });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().details).toEqual({ reason: 'READ_ONLY' });
    }
  });

  it('lets the console open the board in a browser tab through an HttpOnly cookie checked like the header', async () => {
    const adminToken = await t.token('ADMIN', 'H55');
    const session = await t.app.inject({ method: 'POST', url: '/admin/queues/session', headers: auth(adminToken) });
    expect(session.statusCode).toBe(204);
    const cookie = String(session.headers['set-cookie']);
    expect(cookie).toMatch(/^csdl_board=[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
    const page = await t.app.inject({ url: '/admin/queues/api/queues', headers: { cookie: cookie.split(';')[0]! } });
    expect(page.statusCode).toBe(200);
    // A cookie cannot open a session (only the bearer header can), and an operator's token does not pass as a cookie either.
    const viaCookie = await t.app.inject({ method: 'POST', url: '/admin/queues/session', headers: { cookie: cookie.split(';')[0]! } });
    expect(viaCookie.statusCode).toBe(401);
    const operator = await t.token('PROVINCE_OPERATOR', 'H55');
    const denied = await t.app.inject({ url: '/admin/queues/api/queues', headers: { cookie: `csdl_board=${operator}` } });
    expect(denied.statusCode).toBe(403);
    const refusedSession = await t.app.inject({ method: 'POST', url: '/admin/queues/session', headers: auth(operator) });
    expect(refusedSession.statusCode).toBe(403);
    // Signing out of the console forgets the cookie, with or without a token.
    const forget = await t.app.inject({ method: 'DELETE', url: '/admin/queues/session' });
    expect(forget.statusCode).toBe(204);
    expect(String(forget.headers['set-cookie'])).toMatch(/^csdl_board=; Path=\/admin\/queues; .*Max-Age=0/);
  });
});

describe('the console’s files', () => {
  it('are served at /console/ with a strict Content-Security-Policy, without a token', async () => {
    const redirect = await t.app.inject({ url: '/console' });
    expect(redirect.statusCode).toBe(301);
    expect(redirect.headers.location).toBe('/console/');
    const index = await t.app.inject({ url: '/console/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).toContain('lang="vi"');
    expect(index.body).toContain('<script type="module" src="js/app.js">');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe-inline');
    for (const file of ['js/app.js', 'js/pages/batch.js', 'styles.css']) {
      const res = await t.app.inject({ url: `/console/${file}` });
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['content-type']).toMatch(file.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    // Nothing is fetched from elsewhere: every import and stylesheet is local.
    expect(index.body).not.toMatch(/https?:\/\//);
    const missing = await t.app.inject({ url: '/console/js/nothing.js' });
    expect(missing.statusCode).toBe(404);
  });
});

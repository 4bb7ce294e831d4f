// The console signs in through the province's shared account in Debian's headless Chromium: a real OpenID
// Connect provider (oidc-provider on 127.0.0.1), the gateway on another loopback port with grants, the
// browser clicking through. Then it signs out, here and at the provider. A missing /usr/bin/chromium fails
// the test, never skips it.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { createTokenVerifier } from '../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile } from '../../src/auth/dev-token.ts';
import { createLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';
import { seedProvince } from '../../src/commands/seed.ts';
import { createGrant, getGrant } from '../../src/store/grants.ts';
import { withGrants } from '../../src/services/grants.ts';
import { createConsoleSignIn } from '../../src/services/console-sign-in.ts';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../support/database.ts';
import { startTestIdp, type TestIdp } from '../support/oidc-provider.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let database: TestDatabase;
let idp: TestIdp;
let app: FastifyInstance;
let browser: Browser;
let address: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 10, seed: 3 });
  const port = await freePort();
  address = `http://127.0.0.1:${port}`;
  const redirectUrl = `${address}/auth/callback`;
  idp = await startTestIdp({ clientId: 'csdl-gateway', clientSecret: 'browser-secret', redirectUri: redirectUrl, postLogoutRedirectUri: `${address}/console/` });
  idp.nextLogin = 'chuyen.vien.so';
  await createGrant(database.db, { subject: 'system', role: 'SYSTEM' }, { subject: 'chuyen.vien.so', role: 'PROVINCE_OPERATOR', agencyCode: 'H55.19',
    personalId: null, state: 'ACTIVE', validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null, reason: 'Kiểm thử' }, systemClock.now());
  // A transferred-in person's reservation, waiting for their first sign-in.
  await createGrant(database.db, { subject: 'system', role: 'SYSTEM' }, { subject: 'personal-id:001085012345', role: 'STAFF', agencyCode: 'H55.06',
    personalId: '001085012345', state: 'ACTIVE', validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null, reason: 'Chuyển đến' }, systemClock.now());
  const config = loadConfig({}, { databaseUrl: database.url, logLevel: 'silent', senderCode: 'H55.19' });
  const service = createConsoleSignIn({ db: database.db, clock: systemClock }, {
    issuerUrl: idp.issuer, clientId: 'csdl-gateway', clientSecret: 'browser-secret', redirectUrl, postLogoutRedirectUrl: `${address}/console/`,
    idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000, authority: 'grants', allowHttp: true,
  });
  app = await buildApp({
    config, db: database.db, logger: createLogger('silent'),
    verifyToken: withGrants(createTokenVerifier({ publicKeyFile: devJwtPublicKeyFile, audience: config.authAudience }), database.db, systemClock),
    signIn: { service, redirectUrl, absoluteSeconds: 8 * 3600 },
  });
  await app.listen({ host: '127.0.0.1', port });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await idp?.close();
  await database?.drop();
});

describe('console sign-in through the provincial SSO, in Chromium', () => {
  it('signs in with the shared account, shows who from the grant, and signs out at the provider too', async () => {
    const context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    // The console's own errors (the provider's pages have no favicon: not ours to judge).
    page.on('console', (msg) => { if (msg.type() === 'error' && msg.location().url.startsWith(address)) errors.push(`console: ${msg.text()} ${msg.location().url}`); });
    await page.goto(`${address}/console/`);
    await page.locator('#sso-sign-in').click();
    await page.locator('#nav a').first().waitFor({ timeout: 20_000 });
    expect(page.url()).toMatch(new RegExp(`^${address}/console/`));
    await expect.poll(() => page.locator('#user').textContent(), { timeout: 10_000 }).toContain('Người dùng chuyen.vien.so');
    expect(await page.locator('#user').textContent()).toContain('H55.19');
    const cookies = await context.cookies(address);
    const session = cookies.find((c) => c.name === 'csdl_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    await page.screenshot({ path: '/tmp/csdl-console-sso.png', fullPage: true });

    // Grants are managed in the console: the writes go with the session cookie and its CSRF token.
    await page.locator('#nav a', { hasText: 'Quyền truy cập' }).click();
    await expect.poll(() => page.locator('tr[data-state]', { hasText: 'Chuyển đến' }).locator('td').first().textContent(), { timeout: 10_000 })
      .toBe('Chờ đăng nhập lần đầu (số định danh 001085012345)');
    await page.locator('input[name=subject]').fill('moi.can.bo');
    await page.locator('select[name=role]').selectOption('UNIT_OFFICER');
    await page.locator('input[name=agencyCode]').fill('H55.05');
    await page.locator('input[name=reason]').fill('Cán bộ tổ chức mới');
    await page.locator('#grant-submit').click();
    const row = page.locator('tr[data-state]', { hasText: 'moi.can.bo' });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('ACTIVE');
    const grantId = (await row.getAttribute('data-grant'))!;
    // Hạn chế: an earlier end and a narrower unit; the API holds exactly that, the page shows it dd/mm/yyyy.
    await row.locator('input[data-field=reason]').fill('Chỉ phụ trách trường');
    await row.locator('input[data-field=validTo]').fill('2099-06-30');
    await row.locator('input[data-field=agencyCode]').fill('H55.05.01');
    await row.locator('button[data-action=limit]').click();
    await expect.poll(() => row.locator('[data-field=validity]').textContent(), { timeout: 10_000 }).toContain('→ 30/06/2099');
    expect(await row.locator('code').textContent()).toBe('H55.05.01');
    expect(await page.locator('[role=status]', { hasText: 'Đã hạn chế quyền' }).textContent()).toContain('hiệu lực đến 30/06/2099');
    let stored = await getGrant(database.db, grantId);
    expect(stored).toMatchObject({ agencyCode: 'H55.05.01', state: 'ACTIVE' });
    expect(stored!.validTo?.toISOString()).toBe('2099-06-30T16:59:59.000Z');
    // A "limit" that is not one is refused with the API's code and message, and changes nothing.
    await row.locator('input[data-field=reason]').fill('Thử mở rộng bằng hạn chế');
    await row.locator('input[data-field=validTo]').fill('2100-01-01');
    await row.locator('input[data-field=agencyCode]').fill('');
    await row.locator('button[data-action=limit]').click();
    await expect.poll(() => page.locator('.alert-error').getAttribute('data-code'), { timeout: 10_000 }).toBe('INVALID_VALUE');
    expect((await getGrant(database.db, grantId))!.validTo?.toISOString()).toBe('2099-06-30T16:59:59.000Z');
    // Mở rộng: a later end, then none.
    await row.locator('input[data-field=reason]').fill('Gia hạn nhiệm vụ');
    await row.locator('input[data-field=validTo]').fill('2100-12-31');
    await row.locator('button[data-action=extend]').click();
    await expect.poll(() => row.locator('[data-field=validity]').textContent(), { timeout: 10_000 }).toContain('→ 31/12/2100');
    stored = await getGrant(database.db, grantId);
    expect(stored!.validTo?.toISOString()).toBe('2100-12-31T16:59:59.000Z');
    expect(stored!.agencyCode).toBe('H55.05.01');
    await row.locator('input[data-field=reason]').fill('Không thời hạn');
    await row.locator('input[data-field=noEnd]').check();
    await row.locator('button[data-action=extend]').click();
    await expect.poll(() => row.locator('[data-field=validity]').textContent(), { timeout: 10_000 }).toContain('→ không thời hạn');
    expect((await getGrant(database.db, grantId))!.validTo).toBeNull();

    await row.locator('input[data-field=reason]').fill('Chuyển công tác');
    await row.locator('button[data-action=revoke]').click();
    await expect.poll(() => page.locator('tr[data-state]', { hasText: 'moi.can.bo' }).getAttribute('data-state'), { timeout: 10_000 }).toBe('REVOKED');
    const audit = await database.db.prisma.auditLog.findMany({ where: { entityType: 'grant', actor: 'chuyen.vien.so' }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['GRANT_GRANT', 'GRANT_LIMIT', 'GRANT_EXTEND', 'GRANT_EXTEND', 'GRANT_REVOKE']);
    await page.screenshot({ path: '/tmp/csdl-console-grants.png', fullPage: true });

    await page.locator('#user button').click();
    await page.locator('#idp-logout').click({ timeout: 10_000 });
    await page.locator('#sso-sign-in').waitFor({ timeout: 10_000 });
    expect((await context.cookies(address)).find((c) => c.name === 'csdl_session')).toBeUndefined();
    // Chromium logs every 4xx answer; the one refused limit above is the only one expected.
    expect(errors).toEqual([expect.stringMatching(/status of 422 .*\/api\/v1\/grants\/[^/]+\/limit$/)]);
    await context.close();
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { buildGatewayApp, openRuntime, type Runtime } from '../../../src/runtime.ts';
import { createLogger } from '../../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

let database: TestDatabase;
const runtimes: Runtime[] = [];

beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await database?.drop();
});

async function readiness(redisUrl: string, databaseUrl = database.url) {
  const rt = openRuntime(loadConfig({}, { databaseUrl, redisUrl, logLevel: 'silent', authDevMode: true }), createLogger('silent'));
  runtimes.push(rt);
  const app = await buildGatewayApp(rt);
  const res = await app.inject({ method: 'GET', url: '/ready' });
  await app.close();
  return res;
}

describe('/ready', () => {
  it('is ready when PostgreSQL and Redis answer', async () => {
    const res = await readiness('redis://127.0.0.1:6379');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: true, redis: true } });
  });

  it('is not ready, and says which, when Redis does not answer', async () => {
    const res = await readiness('redis://127.0.0.1:1');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ database: true, redis: false });
  });

  it('is not ready when the database does not answer', async () => {
    const res = await readiness('redis://127.0.0.1:6379', 'postgresql://postgres@127.0.0.1:1/none');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.database).toBe(false);
  });
});

describe('start-up refusals of the sign-in settings', () => {
  it.each([
    [{ oidcIssuerUrl: 'https://sso.h55.example' }, 'OIDC_REDIRECT_URL'],
    [{ oidcIssuerUrl: 'https://sso.h55.example', oidcRedirectUrl: 'https://gw.example/auth/callback' }, 'OIDC_CLIENT_SECRET'],
    [{ authDevMode: false, authIssuer: 'https://sso.h55.example' }, 'AUTH_JWT_PUBLIC_KEY_FILE'],
  ])('%j is refused naming %s', async (settings, variable) => {
    const rt = openRuntime(loadConfig({}, { databaseUrl: database.url, redisUrl: 'redis://127.0.0.1:6379', logLevel: 'silent', authDevMode: true, ...settings }), createLogger('silent'));
    runtimes.push(rt);
    await expect(buildGatewayApp(rt)).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { variable } });
  });
});

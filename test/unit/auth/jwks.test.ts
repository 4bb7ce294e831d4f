// The provincial SSO publishes its keys as a JWKS: tokens verify against it over HTTP, others do not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTokenVerifier } from '../../../src/auth/token-verifier.ts';

let server: FastifyInstance;
let url: string;
let published: object[] = [];
let fetches = 0;
let sso: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  sso = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'sso-1', alg: 'RS256', use: 'sig' };
  server = Fastify();
  server.get('/jwks.json', async () => { fetches += 1; return { keys: published }; });
  published = [jwk];
  url = `${await server.listen({ host: '127.0.0.1', port: 0 })}/jwks.json`;
});
afterAll(async () => server?.close());

const sign = (key: typeof sso, claims: Record<string, unknown>, kid = 'sso-1') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setSubject('nguyen.van.an').setIssuer('https://sso.example')
    .setAudience('csdl-gateway').setExpirationTime('5m').sign(key);

describe('bearer tokens from a JWKS', () => {
  it('accepts a token signed by the SSO key with the right issuer and audience', async () => {
    const verify = createTokenVerifier({ jwksUrl: url, issuer: 'https://sso.example', audience: 'csdl-gateway' });
    const principal = await verify(await sign(sso, { role: 'UNIT_OFFICER', agency: 'H55.05' }));
    expect(principal).toEqual({ subject: 'nguyen.van.an', role: 'UNIT_OFFICER', agencyCode: 'H55.05' });
  });

  it('refuses another key, another issuer and missing claims', async () => {
    const verify = createTokenVerifier({ jwksUrl: url, issuer: 'https://sso.example', audience: 'csdl-gateway' });
    const other = (await generateKeyPair('RS256')).privateKey;
    await expect(verify(await sign(other, { role: 'ADMIN', agency: 'H55' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const wrongIssuer = createTokenVerifier({ jwksUrl: url, issuer: 'https://elsewhere', audience: 'csdl-gateway' });
    await expect(wrongIssuer(await sign(sso, { role: 'ADMIN', agency: 'H55' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await expect(verify(await sign(sso, { role: 'ADMIN' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID', details: { reason: 'CLAIMS' } });
  });

  it('follows a key rotation: an unknown kid refetches the JWKS, a known one is served from the cache', async () => {
    const verify = createTokenVerifier({ jwksUrl: url, issuer: 'https://sso.example', audience: 'csdl-gateway', jwksCooldownMs: 0 });
    await verify(await sign(sso, { role: 'STAFF', agency: 'H55.05' }));
    const before = fetches;
    await verify(await sign(sso, { role: 'STAFF', agency: 'H55.05' }));
    expect(fetches).toBe(before);
    const next = await generateKeyPair('RS256');
    published = [...published, { ...(await exportJWK(next.publicKey)), kid: 'sso-2', alg: 'RS256', use: 'sig' }];
    await expect(verify(await sign(next.privateKey, { role: 'STAFF', agency: 'H55.05' }, 'sso-2'))).resolves.toMatchObject({ role: 'STAFF' });
    expect(fetches).toBe(before + 1);
  });

  it('refuses to start without any key source', () => {
    expect(() => createTokenVerifier({})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

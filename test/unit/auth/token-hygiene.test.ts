// Every token defect a probe found is refused (TOKEN_INVALID with a reason), and the service refuses to start
// without a verification key or an issuer unless development mode is on. Time comes from a fixed clock.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { fixedClock } from '../../../src/clock.ts';
import { configuredTokenVerifier, createTokenVerifier, type AuthSettings } from '../../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile, issueDevToken } from '../../../src/auth/dev-token.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const NOW = Date.parse('2026-11-20T03:00:00Z');
const nowS = NOW / 1000;
const clock = fixedClock(new Date(NOW));
const ISS = 'https://sso.h55.gov.vn';
const verify = createTokenVerifier({ publicKeyPem, issuer: ISS, audience: 'csdl-gateway', clock });

interface Times { iat?: number; nbf?: number; exp?: number }
async function token(claims: Record<string, unknown>, times: Times, issuer: string | null = ISS): Promise<string> {
  const jwt = new SignJWT({ role: 'UNIT_OFFICER', agency: 'H55.05', ...claims })
    .setProtectedHeader({ alg: 'ES256' }).setSubject('can.bo@h55').setAudience('csdl-gateway');
  if (issuer !== null) jwt.setIssuer(issuer);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  if (times.nbf !== undefined) jwt.setNotBefore(times.nbf);
  if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
  return jwt.sign(privateKey);
}
const good: Times = { iat: nowS - 60, exp: nowS + 3600 };

describe('bearer token hygiene', () => {
  it('accepts a well-formed token', async () => {
    await expect(verify(await token({}, good))).resolves.toMatchObject({ subject: 'can.bo@h55', role: 'UNIT_OFFICER', agencyCode: 'H55.05' });
  });

  it.each<[string, Times, string]>([
    ['no exp', { iat: nowS }, 'EXP_MISSING'],
    ['iat a year ahead', { iat: nowS + 365 * 86400, exp: nowS + 365 * 86400 + 3600 }, 'IAT_IN_FUTURE'],
    ['iat two minutes ahead (beyond the 60 s skew)', { iat: nowS + 120, exp: nowS + 3600 }, 'IAT_IN_FUTURE'],
    ['nbf in the future', { iat: nowS, nbf: nowS + 600, exp: nowS + 3600 }, 'NBF_IN_FUTURE'],
    ['exp 50 years ahead', { iat: nowS, exp: nowS + 50 * 365 * 86400 }, 'LIFETIME_TOO_LONG'],
    ['exp 13 h after iat', { iat: nowS - 3600, exp: nowS - 3600 + 13 * 3600 }, 'LIFETIME_TOO_LONG'],
    ['exp 13 h ahead without iat', { exp: nowS + 13 * 3600 }, 'LIFETIME_TOO_LONG'],
    ['expired', { iat: nowS - 7200, exp: nowS - 3600 }, 'ERR_JWT_EXPIRED'],
  ])('refuses a token with %s', async (_name, times, reason) => {
    await expect(verify(await token({}, times))).rejects.toMatchObject({ code: 'TOKEN_INVALID', details: { reason } });
  });

  it('accepts iat within the clock skew', async () => {
    await expect(verify(await token({}, { iat: nowS + 30, exp: nowS + 3600 }))).resolves.toMatchObject({ role: 'UNIT_OFFICER' });
  });

  it('honours a configured maximum lifetime', async () => {
    const short = createTokenVerifier({ publicKeyPem, issuer: ISS, clock, maxLifetimeSeconds: 900 });
    await expect(short(await token({}, { iat: nowS, exp: nowS + 1800 }))).rejects.toMatchObject({ details: { reason: 'LIFETIME_TOO_LONG' } });
    await expect(short(await token({}, { iat: nowS, exp: nowS + 600 }))).resolves.toMatchObject({ role: 'UNIT_OFFICER' });
  });

  it('refuses another issuer and a token without one when an issuer is configured', async () => {
    await expect(verify(await token({}, good, 'https://evil.example'))).rejects.toMatchObject({ code: 'TOKEN_INVALID', details: { reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' } });
    await expect(verify(await token({}, good, null))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it.each(['h55', 'H55.05.', 'h55.05', '000.00.05.H55', 'H55..05', 'X'])('refuses the agency claim %j (never repaired, never audited)', async (agency) => {
    await expect(verify(await token({ agency }, good))).rejects.toMatchObject({ code: 'TOKEN_INVALID', details: { reason: agency === 'X' ? 'CLAIMS' : 'AGENCY_CLAIM' } });
  });

  it('refuses an unknown role and a malformed personal id', async () => {
    await expect(verify(await token({ role: 'ROOT' }, good))).rejects.toMatchObject({ details: { reason: 'CLAIMS' } });
    await expect(verify(await token({ role: 'STAFF', personalId: '12345' }, good))).rejects.toMatchObject({ details: { reason: 'CLAIMS' } });
  });
});

describe('start-up refuses an unsafe configuration', () => {
  const base: AuthSettings = {
    authPublicKeyFile: '', authJwksUrl: '', authIssuer: '', authAudience: 'csdl-gateway',
    authMaxTokenMinutes: 720, authClockSkewSeconds: 60, authJwksCacheMinutes: 10, authDevMode: false,
  };

  it('refuses to start without a verification key, naming the setting', () => {
    expect(() => configuredTokenVerifier({ ...base, authIssuer: ISS }, devJwtPublicKeyFile))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ variable: 'AUTH_JWT_PUBLIC_KEY_FILE' }) }));
  });

  it('refuses to start without an issuer in production', () => {
    expect(() => configuredTokenVerifier({ ...base, authPublicKeyFile: devJwtPublicKeyFile }, devJwtPublicKeyFile))
      .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ variable: 'AUTH_JWT_ISSUER' }) }));
  });

  it('in development mode trusts the demo key, and only it', async () => {
    const dev = configuredTokenVerifier({ ...base, authDevMode: true }, devJwtPublicKeyFile);
    await expect(dev(await issueDevToken({ role: 'STAFF', agency: 'H55.05', personalId: '001085012345' }))).resolves.toMatchObject({ role: 'STAFF' });
    await expect(dev(await token({}, { iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('uses the configured key and maximum lifetime outside development mode', async () => {
    const prod = configuredTokenVerifier({ ...base, authPublicKeyFile: devJwtPublicKeyFile, authIssuer: ISS, authMaxTokenMinutes: 60 }, devJwtPublicKeyFile);
    await expect(prod(await issueDevToken({ role: 'STAFF', agency: 'H55.05', issuer: ISS, expiresIn: '30m' }))).resolves.toMatchObject({ role: 'STAFF' });
    await expect(prod(await issueDevToken({ role: 'STAFF', agency: 'H55.05', issuer: ISS, expiresIn: '2h' }))).rejects.toMatchObject({ details: { reason: 'LIFETIME_TOO_LONG' } });
    await expect(prod(await issueDevToken({ role: 'STAFF', agency: 'H55.05', expiresIn: '30m' }))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});

// Verifies bearer JWTs issued by the provincial SSO, against a configured public key or a JWKS URL.
// Beyond the signature: `exp` is required; a token may be valid for at most `maxLifetimeSeconds`
// (exp − iat, and exp − now); `iat` and `nbf` may not lie in the future beyond the clock skew; `iss` and
// `aud` must match when configured; the `agency` claim must be a canonical agency code (it goes to the
// audit log). Time comes from the injected clock.
import { readFileSync } from 'node:fs';
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { Compile } from 'typebox/compile';
import { GatewayError } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import { checkAgencyCode } from '../domain/agency-code.ts';
import { TokenClaims, type Principal } from './principal.ts';

export type TokenVerifier = (token: string) => Promise<Principal>;

const checkClaims = Compile(TokenClaims);
const algorithms = ['ES256', 'ES384', 'RS256', 'PS256', 'RS384', 'PS384', 'EdDSA'];

export const DEFAULT_MAX_LIFETIME_SECONDS = 12 * 3600;
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

function keyFromPem(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

export interface TokenVerifierOptions {
  publicKeyPem?: string | undefined;
  publicKeyFile?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Longest validity accepted (default 12 h). */
  maxLifetimeSeconds?: number;
  /** Tolerance for exp, nbf, iat (default 60 s). */
  clockSkewSeconds?: number;
  /** How long JWKS keys are cached (default 10 min); an unknown `kid` refetches (rotation), at most every 30 s. */
  jwksCacheMaxAgeMs?: number;
  /** Least time between two JWKS fetches (default 30 s), so unknown `kid`s cannot make us hammer the SSO. */
  jwksCooldownMs?: number;
  clock?: Clock;
}

function invalid(reason: string): never {
  throw new GatewayError('TOKEN_INVALID', { reason });
}

/** The checks jose does not make: exp required, bounded lifetime, iat not in the future, a canonical agency. */
function checkTimes(payload: JWTPayload, nowSeconds: number, maxLifetime: number, skew: number): void {
  if (typeof payload.exp !== 'number') invalid('EXP_MISSING');
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > nowSeconds + skew)) invalid('IAT_IN_FUTURE');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowSeconds + skew)) invalid('NBF_IN_FUTURE');
  const issuedAt = typeof payload.iat === 'number' ? payload.iat : nowSeconds;
  if (payload.exp - issuedAt > maxLifetime || payload.exp - nowSeconds > maxLifetime + skew) invalid('LIFETIME_TOO_LONG');
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let key: KeyObject | JWTVerifyGetKey;
  if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000, cooldownDuration: options.jwksCooldownMs ?? 30_000 });
  } else if (options.publicKeyPem) key = keyFromPem(options.publicKeyPem);
  else if (options.publicKeyFile) key = keyFromPem(readFileSync(options.publicKeyFile, 'utf8'));
  else throw new GatewayError('CONFIG_INVALID', { variable: 'AUTH_JWT_PUBLIC_KEY_FILE', reason: 'no JWT key or JWKS configured' });

  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
  return async (token) => {
    const now = clock.now();
    const verifyOptions = {
      algorithms, clockTolerance: skew, currentDate: now, requiredClaims: ['exp'],
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
    };
    let payload: JWTPayload;
    try {
      // jose accepts a key object or a key-resolving function; the overloads need the branch.
      payload = typeof key === 'function'
        ? (await jwtVerify(token, key, verifyOptions)).payload
        : (await jwtVerify(token, key, verifyOptions)).payload;
    } catch (err) {
      const e = err as { code?: string; claim?: string };
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'exp') invalid('EXP_MISSING');
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'iat') invalid('IAT_IN_FUTURE');
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'nbf') invalid('NBF_IN_FUTURE');
      throw new GatewayError('TOKEN_INVALID', { reason: e.code ?? 'ERR_JWT_INVALID' });
    }
    checkTimes(payload, Math.floor(now.getTime() / 1000), maxLifetime, skew);
    if (!checkClaims.Check(payload)) invalid('CLAIMS');
    const claims = payload as unknown as TokenClaims;
    // Only the canonical form: `h55` or `H55.05.` is refused, never repaired, since it is written to the audit log.
    const agency = checkAgencyCode(claims.agency);
    if (!agency.ok || agency.legacy || agency.code !== claims.agency) invalid('AGENCY_CLAIM');
    return {
      subject: claims.sub,
      role: claims.role,
      agencyCode: claims.agency,
      ...(claims.personalId ? { personalId: claims.personalId } : {}),
      ...(claims.name ? { name: claims.name } : {}),
    };
  };
}

export interface AuthSettings {
  authPublicKeyFile: string;
  authJwksUrl: string;
  authIssuer: string;
  authAudience: string;
  authMaxTokenMinutes: number;
  authClockSkewSeconds: number;
  authJwksCacheMinutes: number;
  authDevMode: boolean;
}

/**
 * The verifier the configuration asks for. Refuses (CONFIG_INVALID naming the setting) to run without a
 * verification key, or without a required issuer, unless AUTH_DEV_MODE is on; in development mode the demo
 * key (`devKeyFile`) verifies tokens.
 */
export function configuredTokenVerifier(config: AuthSettings, devKeyFile: string, clock: Clock = systemClock): TokenVerifier {
  const hasKey = config.authPublicKeyFile !== '' || config.authJwksUrl !== '';
  if (!hasKey && !config.authDevMode) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'AUTH_JWT_PUBLIC_KEY_FILE', reason: 'no verification key: set AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_URL (or AUTH_DEV_MODE=true for a demo)' });
  }
  if (config.authIssuer === '' && !config.authDevMode) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'AUTH_JWT_ISSUER', reason: 'the issuer of the provincial SSO is required (or AUTH_DEV_MODE=true for a demo)' });
  }
  return createTokenVerifier({
    jwksUrl: config.authJwksUrl || undefined,
    publicKeyFile: config.authPublicKeyFile || (config.authJwksUrl ? undefined : devKeyFile),
    issuer: config.authIssuer || undefined,
    audience: config.authAudience || undefined,
    maxLifetimeSeconds: config.authMaxTokenMinutes * 60,
    clockSkewSeconds: config.authClockSkewSeconds,
    jwksCacheMaxAgeMs: config.authJwksCacheMinutes * 60_000,
    clock,
  });
}

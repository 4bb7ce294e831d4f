// Verifies bearer JWTs issued by the provincial SSO, against a configured public key or a JWKS URL.
import { readFileSync } from 'node:fs';
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Compile } from 'typebox/compile';
import { GatewayError } from '../errors.ts';
import { TokenClaims, type Principal } from './principal.ts';

export type TokenVerifier = (token: string) => Promise<Principal>;

const checkClaims = Compile(TokenClaims);
const algorithms = ['ES256', 'ES384', 'RS256', 'PS256', 'RS384', 'PS384', 'EdDSA'];

function keyFromPem(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

export interface TokenVerifierOptions {
  publicKeyPem?: string;
  publicKeyFile?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let key: KeyObject | JWTVerifyGetKey;
  if (options.jwksUrl) key = createRemoteJWKSet(new URL(options.jwksUrl));
  else if (options.publicKeyPem) key = keyFromPem(options.publicKeyPem);
  else if (options.publicKeyFile) key = keyFromPem(readFileSync(options.publicKeyFile, 'utf8'));
  else throw new GatewayError('CONFIG_INVALID', { variable: 'AUTH_JWT_PUBLIC_KEY_FILE', reason: 'no JWT key or JWKS configured' });

  const verifyOptions = {
    algorithms,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };
  return async (token) => {
    let payload: unknown;
    try {
      // jose accepts a key object or a key-resolving function; the overloads need the branch.
      payload = typeof key === 'function'
        ? (await jwtVerify(token, key, verifyOptions)).payload
        : (await jwtVerify(token, key, verifyOptions)).payload;
    } catch (err) {
      throw new GatewayError('TOKEN_INVALID', { reason: (err as { code?: string }).code ?? 'ERR_JWT_INVALID' });
    }
    if (!checkClaims.Check(payload)) throw new GatewayError('TOKEN_INVALID', { reason: 'CLAIMS' });
    const claims = payload as TokenClaims;
    return {
      subject: claims.sub,
      role: claims.role,
      agencyCode: claims.agency,
      ...(claims.personalId ? { personalId: claims.personalId } : {}),
      ...(claims.name ? { name: claims.name } : {}),
    };
  };
}

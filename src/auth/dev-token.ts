// Development tokens, signed with the demo key in certs.example/jwt/ (never a production key):
// `csdl-gateway token --role … --agency …`, the demo and the tests use them.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { Role } from './principal.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const devJwtPrivateKeyFile = resolve(root, 'certs.example/jwt/dev-jwt-private.pem');
export const devJwtPublicKeyFile = resolve(root, 'certs.example/jwt/dev-jwt-public.pem');

export interface DevTokenOptions {
  role: Role;
  agency: string;
  subject?: string;
  personalId?: string;
  name?: string;
  audience?: string;
  issuer?: string;
  expiresIn?: string;
  privateKeyFile?: string;
}

export async function issueDevToken(o: DevTokenOptions): Promise<string> {
  const key = createPrivateKey(readFileSync(o.privateKeyFile ?? devJwtPrivateKeyFile, 'utf8'));
  const jwt = new SignJWT({
    role: o.role,
    agency: o.agency,
    ...(o.personalId ? { personalId: o.personalId } : {}),
    ...(o.name ? { name: o.name } : {}),
  })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(o.subject ?? `${o.role.toLowerCase()}@${o.agency}`)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? '8h')
    .setAudience(o.audience ?? 'csdl-gateway');
  if (o.issuer) jwt.setIssuer(o.issuer);
  return jwt.sign(key);
}

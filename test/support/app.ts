// A gateway app over a real test database, with development tokens for each role.
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { createTokenVerifier } from '../../src/auth/token-verifier.ts';
import { devJwtPublicKeyFile, issueDevToken } from '../../src/auth/dev-token.ts';
import { createLogger } from '../../src/logger.ts';
import type { Role } from '../../src/auth/principal.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import type { AppDeps } from '../../src/http/app.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  token(role: Role, agency: string, extra?: { personalId?: string; subject?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function createTestApp(overrides: Partial<Config> = {}, extra: Pick<AppDeps, 'clock' | 'signing' | 'national' | 'nationalTrust'> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({}, { databaseUrl: database.url, logLevel: 'silent',
    // Tests of the certificate registry opt in; the others sign with any test head certificate.
    approverCertificatesRequired: false, ...overrides });
  const app = await buildApp({
    config,
    db: database.db,
    verifyToken: createTokenVerifier({ publicKeyFile: devJwtPublicKeyFile, audience: config.authAudience }),
    logger: createLogger('silent'),
    ...extra,
  });
  await app.ready();
  return {
    app, database, config,
    token: (role, agency, extra = {}) => issueDevToken({ role, agency, ...extra }),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

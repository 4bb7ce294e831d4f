// Backups encrypted to a public key: the file holds no readable dump, the drill passes with the private
// key, and says BACKUP_KEY_MISSING without it and BACKUP_DECRYPT_FAILED with another key — before any
// database is created.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.ts';
import { isGatewayError } from '../../../src/errors.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createBackup, type BackupResult } from '../../../src/services/backup-service.ts';
import { loadDecryptionKey, loadEncryptionKey } from '../../../src/services/backup-envelope.ts';
import { restoreDrill } from '../../../src/services/restore-service.ts';
import { adminUrl, createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';

let source: TestDatabase;
let dir: string;
let backup: BackupResult;
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const keys = pair();
const other = pair();

async function drillDatabases(): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'csdl_gateway_drill_%'")).rows[0]!.n);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  source = await createTestDatabase('gw_backup_enc');
  await seedProvince(source.db, 'H55', { today: SEED_TODAY, count: 25, seed: 3 });
  dir = await mkdtemp(join(tmpdir(), 'gw-backup-enc-'));
  await writeFile(join(dir, 'public.pem'), keys.publicKey);
  await writeFile(join(dir, 'private.pem'), keys.privateKey);
  await writeFile(join(dir, 'other.pem'), other.privateKey);
  backup = await createBackup({ databaseUrl: source.url, clock: fixedClock('2026-11-30T19:30:00Z'), encryptKey: await loadEncryptionKey(join(dir, 'public.pem')) },
    { dir: join(dir, 'out'), kind: 'monthly' });
});
afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('writes an encrypted dump (no pg_dump header, no plaintext left behind) and records the key in the manifest', async () => {
  const bytes = await readFile(backup.file);
  expect(bytes.subarray(0, 8).toString()).toBe('CSDLENC1');
  expect(bytes.includes(Buffer.from('PGDMP'))).toBe(false);
  expect(backup.manifest.encryption).toEqual({ alg: 'RSA-OAEP-256+A256GCM', keyId: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect((await readdir(join(dir, 'out'))).sort()).toEqual(['csdl-gateway-monthly-20261130T193000Z.dump', 'csdl-gateway-monthly-20261130T193000Z.dump.manifest.json']);
});

it('passes the drill with the private key', async () => {
  const outcome = await restoreDrill(backup.file, adminUrl, { decryptKey: await loadDecryptionKey(join(dir, 'private.pem')) });
  expect(outcome.manifest.rowCounts.person).toBe(25);
});

it('refuses without the key or with another one, before creating a database', async () => {
  const before = await drillDatabases();
  const missing = await restoreDrill(backup.file, adminUrl).catch((e: unknown) => e);
  expect(isGatewayError(missing, 'BACKUP_KEY_MISSING')).toBe(true);
  const wrong = await restoreDrill(backup.file, adminUrl, { decryptKey: await loadDecryptionKey(join(dir, 'other.pem')) }).catch((e: unknown) => e);
  expect(isGatewayError(wrong, 'BACKUP_DECRYPT_FAILED')).toBe(true);
  expect(await drillDatabases()).toBe(before);
});

it('refuses a key file that is not an RSA public key (CONFIG_INVALID)', async () => {
  await writeFile(join(dir, 'junk.pem'), 'not a key');
  await expect(loadEncryptionKey(join(dir, 'junk.pem'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
});

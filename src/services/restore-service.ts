// Use cases "restore a backup" and "restore drill". Both check the dump against its manifest before
// touching any database, and compare the restored copy with the manifest afterwards (schema version, row
// counts, audit head, the audit chain recomputed). A restore never overwrites a database holding data
// unless told to; a drill restores into a scratch database it creates and always drops.
import { GatewayError, isGatewayError } from '../errors.ts';
import { dropDatabase } from '../store/migrate.ts';
import { compareFacts, type BackupManifest, type FactMismatch } from '../domain/backup-manifest.ts';
import {
  createScratchDatabase, databaseFacts, databaseIsEmpty, databaseName, dropScratchDatabase, ensureRestoreTarget, recreateRestoreTarget, restoreDump,
} from '../store/backups.ts';
import { openDb } from '../store/db.ts';
import { verifyAuditChain } from '../store/audit-log.ts';
import { checkDumpIntegrity, readBackup } from './backup-service.ts';
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptFile, keyIdOf } from './backup-envelope.ts';

export interface RestoreProgress {
  /** Called with the number of tables once the dump has been checked, then once per table restored. */
  onStart?: (tables: number) => void;
  onTable?: (table: string) => void;
  /** Steps other than tables (checking the checksum, comparing), for a status line. */
  onStep?: (step: 'checksum' | 'restore' | 'compare' | 'drop') => void;
}

export interface RestoreOptions extends RestoreProgress {
  /** Drop and recreate a target that holds anything, instead of refusing it. */
  force?: boolean;
  pgBinDir?: string;
  /** Private key for encrypted backups (BACKUP_DECRYPT_KEY_FILE). */
  decryptKey?: KeyObject;
}

export interface RestoreOutcome {
  manifest: BackupManifest;
  database: string;
  /** Rows restored, all tables together. */
  rows: number;
  auditRows: number;
}

function validUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new GatewayError('BAD_REQUEST', { option: '--into', reason: 'not-a-url' });
  }
  if (!/^postgres(ql)?:$/.test(url.protocol) || !/^\/[A-Za-z0-9_]+$/.test(url.pathname)) {
    throw new GatewayError('BAD_REQUEST', { option: '--into', reason: 'expected postgresql://…/<database>' });
  }
  return databaseUrl;
}

/** An encrypted backup needs the private key of the public key it was encrypted to: said before any database is touched. */
function checkKey(manifest: BackupManifest, options: RestoreOptions): void {
  if (!manifest.encryption) return;
  if (!options.decryptKey) throw new GatewayError('BACKUP_KEY_MISSING', { keyId: manifest.encryption.keyId });
  const keyId = keyIdOf(createPublicKey(options.decryptKey));
  if (keyId !== manifest.encryption.keyId) throw new GatewayError('BACKUP_DECRYPT_FAILED', { reason: 'wrong-key', expected: manifest.encryption.keyId, actual: keyId });
}

/** Restores the dump into `databaseUrl` (created when absent) and compares the result with the manifest. */
async function restoreAndCompare(dumpFile: string, manifest: BackupManifest, databaseUrl: string, options: RestoreOptions): Promise<RestoreOutcome> {
  if (!manifest.encryption || !options.decryptKey) return restorePlainAndCompare(dumpFile, manifest, databaseUrl, options);
  // Decrypted next to nothing else, readable by this user only, removed whatever happens.
  const plain = join(tmpdir(), `csdl-restore-${randomBytes(6).toString('hex')}.dump`);
  try {
    await decryptFile(dumpFile, plain, options.decryptKey);
    return await restorePlainAndCompare(plain, manifest, databaseUrl, options);
  } finally {
    await rm(plain, { force: true });
  }
}

async function restorePlainAndCompare(dumpFile: string, manifest: BackupManifest, databaseUrl: string, options: RestoreOptions): Promise<RestoreOutcome> {
  options.onStep?.('restore');
  options.onStart?.(Object.keys(manifest.rowCounts).length);
  await restoreDump(dumpFile, databaseUrl, {
    ...(options.pgBinDir ? { binDir: options.pgBinDir } : {}),
    ...(options.onTable ? { onTable: options.onTable } : {}),
  });
  options.onStep?.('compare');
  const facts = await databaseFacts(databaseUrl);
  const db = openDb(databaseUrl, { poolSize: 2 });
  let chain;
  try {
    chain = await verifyAuditChain(db);
  } finally {
    await db.close();
  }
  const mismatches: FactMismatch[] = compareFacts(manifest, facts, chain);
  if (mismatches.length) throw new GatewayError('RESTORE_VERIFY_FAILED', { database: databaseName(databaseUrl), mismatches });
  return { manifest, database: databaseName(databaseUrl), rows: Object.values(facts.rowCounts).reduce((a, b) => a + b, 0), auditRows: chain.rows };
}

/** `csdl-gateway restore FILE --into URL`: the real restore, for a lost or moved database. */
export async function restoreBackup(file: string, into: string, options: RestoreOptions = {}): Promise<RestoreOutcome> {
  const databaseUrl = validUrl(into);
  const { dumpFile, manifest } = await readBackup(file);
  options.onStep?.('checksum');
  await checkDumpIntegrity(dumpFile, manifest);
  checkKey(manifest, options);
  const created = await ensureRestoreTarget(databaseUrl);
  if (!created && !(await databaseIsEmpty(databaseUrl))) {
    if (!options.force) throw new GatewayError('RESTORE_TARGET_NOT_EMPTY', { database: databaseName(databaseUrl) });
    // Replacing means replacing: objects the dump does not know would survive a pg_restore --clean.
    await recreateRestoreTarget(databaseUrl);
  }
  try {
    return await restoreAndCompare(dumpFile, manifest, databaseUrl, options);
  } catch (err) {
    // A database this restore created and could not fill is half a database: remove it. One that does not
    // match its manifest (RESTORE_VERIFY_FAILED) is kept for the investigation.
    if (created && isGatewayError(err, 'RESTORE_FAILED')) await dropDatabase(databaseUrl).catch(() => {});
    throw err;
  }
}

/**
 * `csdl-gateway restore FILE --verify` (and `restore-drill`): restores into a scratch database on the
 * server of `serverUrl`, checks it against the manifest, drops it whatever happened.
 */
export async function restoreDrill(file: string, serverUrl: string, options: Omit<RestoreOptions, 'force'> = {}): Promise<RestoreOutcome> {
  validUrl(serverUrl);
  const { dumpFile, manifest } = await readBackup(file);
  options.onStep?.('checksum');
  await checkDumpIntegrity(dumpFile, manifest);
  checkKey(manifest, options);
  const scratch = await createScratchDatabase(serverUrl);
  try {
    return await restoreAndCompare(dumpFile, manifest, scratch, options);
  } finally {
    options.onStep?.('drop');
    await dropScratchDatabase(scratch);
  }
}

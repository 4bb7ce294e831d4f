// Use case "take a backup": one pg_dump (custom format) per backup, written under a temporary name and
// renamed only once complete, with its manifest beside it (`<dump>.manifest.json`). Every attempt, good
// or failed, is recorded in backup_run: the age of the last good one is a metric with an alert.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { access, constants, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import {
  MANIFEST_FORMAT, MANIFEST_SUFFIX, backupFileName, parseManifest, type BackupKind, type BackupManifest,
} from '../domain/backup-manifest.ts';
import { databaseName, dumpDatabase, pgTool, recordBackupRun, toolVersion } from '../store/backups.ts';
import type { Db } from '../store/db.ts';
import type { KeyObject } from 'node:crypto';
import { encryptFile } from './backup-envelope.ts';

export interface BackupDeps {
  databaseUrl: string;
  clock: Clock;
  /** Where backup_run rows go (the database being backed up, usually); absent: not recorded. */
  db?: Db;
  /** Directory of pg_dump/pg_restore (empty: PATH). */
  pgBinDir?: string;
  /** RSA public key the dump is encrypted to (BACKUP_ENCRYPT_KEY_FILE); absent: not encrypted. */
  encryptKey?: KeyObject;
}

export interface BackupProgress {
  /** Called once the number of tables is known (before pg_dump starts), then once per table dumped. */
  onStart?: (tables: number) => void;
  onTable?: (table: string) => void;
}

export interface BackupResult { file: string; manifestFile: string; manifest: BackupManifest }

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function writableDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new GatewayError('BACKUP_DIR_UNWRITABLE', { dir, reason: (err as Error).message });
  }
}

/** A name not taken yet in `dir` (two backups in the same second get -2, -3…). */
function freeName(dir: string, name: string): string {
  let candidate = name;
  for (let n = 2; existsSync(join(dir, candidate)) || existsSync(join(dir, `${candidate}.partial`)); n++) candidate = name.replace(/\.dump$/, `-${n}.dump`);
  return join(dir, candidate);
}

/** Writes `text` to `file` through a temporary name, so a reader never sees half a file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.partial`, text, { mode: 0o600 });
  await rename(`${file}.partial`, file);
}

/** Takes one backup into `dir` and returns the dump's path (what `restore` takes). */
export async function createBackup(deps: BackupDeps, options: { dir: string; kind: BackupKind } & BackupProgress): Promise<BackupResult> {
  const startedAt = deps.clock.now();
  const dir = resolve(options.dir);
  let partial: string | undefined;
  let plain: string | undefined;
  try {
    const tool = pgTool('pg_dump', deps.pgBinDir);
    await writableDirectory(dir);
    const file = freeName(dir, backupFileName(options.kind, startedAt));
    partial = `${file}.partial`;
    plain = deps.encryptKey ? `${file}.plain.partial` : partial;
    const facts = await dumpDatabase(deps.databaseUrl, plain, {
      ...(deps.pgBinDir ? { binDir: deps.pgBinDir } : {}),
      onFacts: (f) => options.onStart?.(Object.keys(f.rowCounts).length),
      ...(options.onTable ? { onTable: options.onTable } : {}),
    });
    const encryption = deps.encryptKey ? await encryptFile(plain, partial, deps.encryptKey) : undefined;
    if (plain !== partial) await rm(plain, { force: true });
    const dumpSha256 = await sha256File(partial);
    const dumpBytes = (await stat(partial)).size;
    await rename(partial, file);
    partial = undefined;
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT, kind: options.kind, createdAt: startedAt.toISOString(), database: databaseName(deps.databaseUrl),
      dumpFile: basename(file), dumpBytes, dumpSha256, tool: await toolVersion(tool), ...facts, ...(encryption ? { encryption } : {}),
    };
    const manifestFile = `${file}${MANIFEST_SUFFIX}`;
    await writeAtomically(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    if (deps.db) await recordBackupRun(deps.db, { kind: options.kind, startedAt, finishedAt: deps.clock.now(), ok: true, file, bytes: dumpBytes, sha256: dumpSha256 });
    return { file, manifestFile, manifest };
  } catch (err) {
    if (partial) await rm(partial, { force: true });
    if (plain) await rm(plain, { force: true });
    const failure = isGatewayError(err) ? err : new GatewayError('BACKUP_FAILED', { reason: (err as Error).message }, { cause: err });
    if (deps.db) {
      await recordBackupRun(deps.db, { kind: options.kind, startedAt, finishedAt: deps.clock.now(), ok: false, error: `${failure.code} ${JSON.stringify(failure.details ?? null)}` })
        .catch(() => {}); // the database may be the very thing that is down
    }
    throw failure;
  }
}

/** The manifest of a backup, given the dump's path (or the manifest's own). */
export async function readBackup(file: string): Promise<{ dumpFile: string; manifest: BackupManifest }> {
  const dumpFile = resolve(file.endsWith(MANIFEST_SUFFIX) ? file.slice(0, -MANIFEST_SUFFIX.length) : file);
  const manifestFile = `${dumpFile}${MANIFEST_SUFFIX}`;
  if (!existsSync(dumpFile)) throw new GatewayError('BACKUP_NOT_FOUND', { file: dumpFile });
  if (!existsSync(manifestFile)) throw new GatewayError('BACKUP_NOT_FOUND', { file: manifestFile });
  const parsed = parseManifest(await readFile(manifestFile, 'utf8'));
  if (!parsed.ok) throw new GatewayError('BACKUP_CORRUPT', { file: manifestFile, reason: `manifest:${parsed.reason}` });
  if (parsed.manifest.dumpFile !== basename(dumpFile)) {
    throw new GatewayError('BACKUP_CORRUPT', { file: manifestFile, reason: 'manifest-names-another-dump', names: parsed.manifest.dumpFile });
  }
  return { dumpFile, manifest: parsed.manifest };
}

/** The dump is byte for byte the one the manifest describes (size, then SHA-256). */
export async function checkDumpIntegrity(dumpFile: string, manifest: BackupManifest): Promise<void> {
  const bytes = (await stat(dumpFile)).size;
  if (bytes !== manifest.dumpBytes) throw new GatewayError('BACKUP_CORRUPT', { file: dumpFile, reason: 'size', expected: manifest.dumpBytes, actual: bytes });
  const sha = await sha256File(dumpFile);
  if (sha !== manifest.dumpSha256) throw new GatewayError('BACKUP_CORRUPT', { file: dumpFile, reason: 'sha256', expected: manifest.dumpSha256, actual: sha });
}

// Use case "scheduled backup", fired hourly by the worker (jobs/backup-schedule.ts): takes the backup
// that is due (the month's, or a frequent one), then applies retention in the backup directory, and
// raises an alert (a log event counted by csdl_alerts_total) when a backup fails or the newest good
// one is too old. Firing more often than needed is harmless: the policy decides, from backup_run.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/db.ts';
import { lastGoodBackups } from '../store/backups.ts';
import { isGatewayError } from '../errors.ts';
import { MANIFEST_SUFFIX, parseBackupFileName, type BackupKind } from '../domain/backup-manifest.ts';
import { backupDue, backupTooOld, retentionPlan, type BackupFile, type BackupPolicy } from '../domain/backup-policy.ts';
import { createBackup } from './backup-service.ts';

export interface ScheduledBackupDeps {
  databaseUrl: string;
  db: Db;
  clock: Clock;
  logger: Logger;
  dir: string;
  pgBinDir?: string;
  encryptKey?: KeyObject;
  policy: BackupPolicy;
  /** Alert BACKUP_TOO_OLD when the newest good backup is older than this. */
  maxAgeHours: number;
}

export interface ScheduledBackupResult { taken: BackupKind | null; file?: string; removed: string[]; tooOld: boolean }

/** Removes what retention says, each dump with its manifest. */
async function applyRetention(dir: string, policy: BackupPolicy): Promise<string[]> {
  const files: BackupFile[] = [];
  for (const name of await readdir(dir)) {
    const parsed = parseBackupFileName(name);
    if (parsed) files.push({ name, ...parsed });
  }
  const doomed = retentionPlan(files, policy);
  for (const f of doomed) {
    await rm(join(dir, f.name), { force: true });
    await rm(join(dir, `${f.name}${MANIFEST_SUFFIX}`), { force: true });
  }
  return doomed.map((f) => f.name);
}

export async function runScheduledBackup(deps: ScheduledBackupDeps): Promise<ScheduledBackupResult> {
  const due = backupDue(deps.clock.now(), await lastGoodBackups(deps.db), deps.policy);
  const result: ScheduledBackupResult = { taken: null, removed: [], tooOld: false };
  if (due) {
    try {
      const backup = await createBackup({ databaseUrl: deps.databaseUrl, clock: deps.clock, db: deps.db, ...(deps.pgBinDir ? { pgBinDir: deps.pgBinDir } : {}),
        ...(deps.encryptKey ? { encryptKey: deps.encryptKey } : {}) },
        { dir: deps.dir, kind: due });
      result.taken = due;
      result.file = backup.file;
      deps.logger.info({ event: 'BACKUP_TAKEN', kind: due, file: backup.file, bytes: backup.manifest.dumpBytes }, 'scheduled backup taken');
      result.removed = await applyRetention(deps.dir, deps.policy);
      if (result.removed.length) deps.logger.info({ event: 'BACKUP_RETENTION', removed: result.removed }, 'old backups removed');
    } catch (err) {
      deps.logger.error({ alert: 'BACKUP_FAILED', kind: due, code: isGatewayError(err) ? err.code : 'INTERNAL_ERROR', details: isGatewayError(err) ? err.details : String(err) },
        'scheduled backup failed');
    }
  }
  const lastGood = await lastGoodBackups(deps.db);
  result.tooOld = backupTooOld(deps.clock.now(), lastGood, deps.maxAgeHours);
  if (result.tooOld) {
    deps.logger.error({ alert: 'BACKUP_TOO_OLD', lastGood, maxAgeHours: deps.maxAgeHours }, 'no good backup within the allowed age');
  }
  return result;
}

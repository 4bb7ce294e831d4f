// `csdl-gateway backup`, `restore` and `restore-drill`: the use cases of src/services/ with a progress bar
// per table and a Vietnamese summary. `backup` prints the dump's path as its last line (what `restore`
// takes), so scripts can capture it with `tail -n 1`.
import type { Config } from '../config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { openDb } from '../store/db.ts';
import { databaseName } from '../store/backups.ts';
import { createBackup, type BackupResult } from '../services/backup-service.ts';
import { restoreBackup, restoreDrill, type RestoreOutcome, type RestoreProgress } from '../services/restore-service.ts';
import type { BackupKind } from '../domain/backup-manifest.ts';
import { viBytes, viDateTime, viNumber } from '../domain/vi-format.ts';
import { progressBar } from '../cli/output.ts';
import { loadDecryptionKey, loadEncryptionKey } from '../services/backup-envelope.ts';

type Print = (line: string) => void;

export async function runBackup(config: Config, options: { to?: string; kind?: BackupKind }, print: Print = console.log, clock: Clock = systemClock): Promise<BackupResult> {
  const db = openDb(config.databaseUrl, { poolSize: 1 });
  const bar = progressBar('Sao lưu', 'bảng');
  try {
    print(`Sao lưu cơ sở dữ liệu ${databaseName(config.databaseUrl)} lúc ${viDateTime(clock.now())} (giờ Việt Nam) vào ${options.to ?? config.backupDir}`);
    const encryptKey = config.backupEncryptKeyFile ? await loadEncryptionKey(config.backupEncryptKeyFile) : undefined;
    const result = await createBackup({ databaseUrl: config.databaseUrl, clock, db, pgBinDir: config.backupPgBinDir, ...(encryptKey ? { encryptKey } : {}) }, {
      dir: options.to ?? config.backupDir, kind: options.kind ?? 'manual', onStart: (n) => bar.setTotal(n), onTable: (t) => bar.tick(t),
    });
    bar.stop();
    const m = result.manifest;
    const rows = Object.values(m.rowCounts).reduce((a, b) => a + b, 0);
    print(`Đã sao lưu ${viNumber(Object.keys(m.rowCounts).length)} bảng, ${viNumber(rows)} dòng (${viNumber(m.rowCounts.person ?? 0)} hồ sơ), ${viBytes(m.dumpBytes)}; SHA-256 ${m.dumpSha256}`);
    print(`Nhật ký kiểm toán: ${m.auditHead ? `đến dòng ${viNumber(Number(m.auditHead.seq))}, mã băm ${m.auditHead.hash.slice(0, 16)}…` : 'trống'}; lược đồ ${m.schemaVersion.at(-1) ?? '(trống)'}`);
    if (m.encryption) print(`Đã mã hóa (${m.encryption.alg}) cho khóa công khai ${m.encryption.keyId.slice(0, 16)}…`);
    print(`Manifest: ${result.manifestFile}`);
    print(result.file);
    return result;
  } finally {
    bar.stop();
    await db.close();
  }
}

function restoreProgress(label: string, print: Print): RestoreProgress & { stop(): void } {
  const bar = progressBar(label, 'bảng');
  const steps = { checksum: 'Kiểm tra mã băm SHA-256 của bản sao lưu…', restore: 'Khôi phục dữ liệu…', compare: 'Đối chiếu số dòng, phiên bản lược đồ và chuỗi nhật ký kiểm toán với manifest…', drop: 'Xóa cơ sở dữ liệu diễn tập…' };
  return {
    onStep: (step) => { if (step === 'compare' || step === 'drop') bar.stop(); print(steps[step]); },
    onStart: (n) => bar.setTotal(n),
    onTable: (t) => bar.tick(t),
    stop: () => bar.stop(),
  };
}

async function decryptKey(config: Config) {
  return config.backupDecryptKeyFile ? { decryptKey: await loadDecryptionKey(config.backupDecryptKeyFile) } : {};
}

function summary(outcome: RestoreOutcome): string {
  const m = outcome.manifest;
  return `${viNumber(Object.keys(m.rowCounts).length)} bảng, ${viNumber(outcome.rows)} dòng, ${viNumber(outcome.auditRows)} dòng nhật ký kiểm toán khớp manifest (bản sao lưu lúc ${viDateTime(new Date(m.createdAt))}, lược đồ ${m.schemaVersion.at(-1) ?? '(trống)'})`;
}

export async function runRestore(config: Config, file: string, options: { into?: string; force?: boolean; verify?: boolean }, print: Print = console.log): Promise<RestoreOutcome> {
  if (options.verify) return runDrill(config, file, { server: options.into }, print);
  const into = options.into ?? config.databaseUrl;
  const progress = restoreProgress('Khôi phục', print);
  try {
    print(`Khôi phục ${file} vào cơ sở dữ liệu ${databaseName(into)}${options.force ? ' (--force: dữ liệu hiện có sẽ bị xóa)' : ''}`);
    const outcome = await restoreBackup(file, into, { ...progress, force: options.force ?? false, pgBinDir: config.backupPgBinDir, ...(await decryptKey(config)) });
    print(`Đã khôi phục vào ${outcome.database}: ${summary(outcome)}`);
    return outcome;
  } finally {
    progress.stop();
  }
}

export async function runDrill(config: Config, file: string, options: { server?: string | undefined }, print: Print = console.log): Promise<RestoreOutcome> {
  const progress = restoreProgress('Diễn tập', print);
  try {
    print(`Diễn tập khôi phục ${file} vào một cơ sở dữ liệu tạm (xóa sau khi kiểm tra)`);
    const outcome = await restoreDrill(file, options.server ?? config.databaseUrl, { ...progress, pgBinDir: config.backupPgBinDir, ...(await decryptKey(config)) });
    print(`DIỄN TẬP ĐẠT: ${summary(outcome)}`);
    return outcome;
  } finally {
    progress.stop();
  }
}

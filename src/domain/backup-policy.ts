// When a scheduled backup is due and which backup files retention removes. Pure: the caller passes the
// time, the last good backups and the files found. The regulation asks for a monthly backup kept at
// least three months (seed 004: "sao lưu định kỳ hàng tháng, tối thiểu ba tháng"), so at least three
// monthly backups are always kept; manual backups are never removed by retention.
import type { BackupKind } from './backup-manifest.ts';
import { localDate, startOfLocalDay } from './working-days.ts';

export const MIN_MONTHLY_KEPT = 3;

export interface BackupPolicy {
  /** Local hour (Asia/Ho_Chi_Minh) from which the month's backup is taken, on the 1st or the first firing after. */
  monthlyHour: number;
  /** Hours between frequent backups; 0: none. */
  frequentHours: number;
  keepMonthly: number;
  keepFrequent: number;
}

/** The kind of backup to take at `now`, or null when none is due. The monthly one comes first. */
export function backupDue(now: Date, lastGood: Partial<Record<BackupKind, Date>>, policy: BackupPolicy): BackupKind | null {
  const monthStart = startOfLocalDay(`${localDate(now).slice(0, 8)}01`);
  const monthlyFrom = new Date(monthStart.getTime() + policy.monthlyHour * 3_600_000);
  if (now >= monthlyFrom && !(lastGood.monthly && lastGood.monthly >= monthStart)) return 'monthly';
  if (policy.frequentHours > 0) {
    // A monthly backup is as good as a frequent one for the frequent rhythm.
    const latest = [lastGood.frequent, lastGood.monthly].filter((d): d is Date => d !== undefined).sort((a, b) => b.getTime() - a.getTime())[0];
    if (!latest || now.getTime() - latest.getTime() >= policy.frequentHours * 3_600_000) return 'frequent';
  }
  return null;
}

export interface BackupFile { name: string; kind: BackupKind; at: Date }

/** The files retention removes: all but the newest `keepMonthly` (≥ 3) monthly and `keepFrequent` frequent ones. */
export function retentionPlan(files: readonly BackupFile[], policy: Pick<BackupPolicy, 'keepMonthly' | 'keepFrequent'>): BackupFile[] {
  const keep: Record<BackupKind, number> = { monthly: Math.max(MIN_MONTHLY_KEPT, policy.keepMonthly), frequent: Math.max(0, policy.keepFrequent), manual: Infinity };
  const out: BackupFile[] = [];
  for (const kind of ['monthly', 'frequent'] as const) {
    const newestFirst = files.filter((f) => f.kind === kind).sort((a, b) => b.at.getTime() - a.at.getTime() || b.name.localeCompare(a.name));
    out.push(...newestFirst.slice(keep[kind]));
  }
  return out;
}

/** Whether the newest good backup (any kind) is older than `maxAgeHours` — or there is none. */
export function backupTooOld(now: Date, lastGood: Partial<Record<BackupKind, Date>>, maxAgeHours: number): boolean {
  const newest = Math.max(...Object.values(lastGood).map((d) => d.getTime()), -Infinity);
  return now.getTime() - newest > maxAgeHours * 3_600_000;
}

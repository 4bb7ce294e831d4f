// When scheduled backups are due and what retention removes (times are explicit: no clock, no TZ).
import { describe, expect, it } from 'vitest';
import { backupDue, backupTooOld, retentionPlan, type BackupFile } from '../../../src/domain/backup-policy.ts';
import { parseBackupFileName, backupFileName } from '../../../src/domain/backup-manifest.ts';

const policy = { monthlyHour: 2, frequentHours: 24, keepMonthly: 3, keepFrequent: 2 };
const at = (s: string) => new Date(s);

describe('backupDue', () => {
  it('takes the monthly backup from 02:00 on the 1st, Vietnam time, once per local month', () => {
    // 30/11 18:59 UTC = 01/12 01:59 +07: not yet; 19:00 UTC = 02:00 +07: due
    expect(backupDue(at('2026-11-30T18:59:00Z'), { monthly: at('2026-11-01T00:00:00Z'), frequent: at('2026-11-30T10:00:00Z') }, policy)).toBeNull();
    expect(backupDue(at('2026-11-30T19:00:00Z'), { monthly: at('2026-11-01T00:00:00Z'), frequent: at('2026-11-30T10:00:00Z') }, policy)).toBe('monthly');
    expect(backupDue(at('2026-12-15T03:00:00Z'), { monthly: at('2026-11-30T19:05:00Z'), frequent: at('2026-12-15T01:00:00Z') }, policy)).toBeNull();
  });
  it('catches up a missed month on the first firing after it, and takes one at once on a new installation', () => {
    expect(backupDue(at('2026-12-09T03:00:00Z'), { monthly: at('2026-10-31T19:00:00Z') }, policy)).toBe('monthly');
    expect(backupDue(at('2026-12-09T03:00:00Z'), {}, policy)).toBe('monthly');
  });
  it('takes a frequent backup when the newest one is older than the rhythm, and none when the rhythm is 0', () => {
    const last = { monthly: at('2026-11-30T19:00:00Z'), frequent: at('2026-12-08T03:00:00Z') };
    expect(backupDue(at('2026-12-09T02:59:00Z'), last, policy)).toBeNull();
    expect(backupDue(at('2026-12-09T03:00:00Z'), last, policy)).toBe('frequent');
    expect(backupDue(at('2026-12-09T03:00:00Z'), last, { ...policy, frequentHours: 0 })).toBeNull();
    expect(backupDue(at('2026-12-01T18:00:00Z'), { monthly: at('2026-11-30T19:00:00Z') }, policy)).toBeNull();
  });
});

describe('retentionPlan', () => {
  const file = (kind: 'monthly' | 'frequent' | 'manual', iso: string): BackupFile => {
    const name = backupFileName(kind, at(iso));
    return { name, ...parseBackupFileName(name)! };
  };
  it('keeps the newest monthly (at least three) and frequent backups, never manual ones', () => {
    const files = [file('monthly', '2026-08-31T19:00:00Z'), file('monthly', '2026-09-30T19:00:00Z'), file('monthly', '2026-10-31T19:00:00Z'),
      file('monthly', '2026-11-30T19:00:00Z'), file('frequent', '2026-12-06T19:00:00Z'), file('frequent', '2026-12-07T19:00:00Z'),
      file('frequent', '2026-12-05T19:00:00Z'), file('manual', '2020-01-01T00:00:00Z')];
    expect(retentionPlan(files, policy).map((f) => f.name)).toEqual([
      'csdl-gateway-monthly-20260831T190000Z.dump', 'csdl-gateway-frequent-20261205T190000Z.dump']);
  });
  it('never keeps fewer than three monthly backups, whatever is configured', () => {
    const files = ['2026-09-30', '2026-10-31', '2026-11-30'].map((d) => file('monthly', `${d}T19:00:00Z`));
    expect(retentionPlan(files, { keepMonthly: 1, keepFrequent: 0 })).toEqual([]);
  });
});

describe('backupTooOld', () => {
  it('is true without any backup and when the newest is older than the limit', () => {
    expect(backupTooOld(at('2026-12-09T00:00:00Z'), {}, 36)).toBe(true);
    expect(backupTooOld(at('2026-12-09T00:00:00Z'), { monthly: at('2026-11-30T19:00:00Z'), frequent: at('2026-12-08T00:00:00Z') }, 36)).toBe(false);
    expect(backupTooOld(at('2026-12-09T12:00:01Z'), { frequent: at('2026-12-08T00:00:00Z') }, 36)).toBe(true);
  });
});

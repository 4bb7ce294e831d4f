// The scheduled backup against the real database and pg_dump, driven by a stepped clock: the month's
// backup on the 1st, frequent ones in between, retention keeping at least three monthly backups, the
// last good backup as a metric, and the alerts BACKUP_FAILED and BACKUP_TOO_OLD.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { steppedClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { alertCountingDestination } from '../../../src/metrics/alert-tap.ts';
import { createGatewayMetrics } from '../../../src/metrics/gateway-metrics.ts';
import { bindStateCollectors } from '../../../src/metrics/state-collectors.ts';
import { runScheduledBackup, type ScheduledBackupDeps } from '../../../src/services/scheduled-backup.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

let database: TestDatabase;
let dir: string;
const alerts: string[] = [];
const clock = steppedClock('2026-11-30T19:30:00Z'); // 01/12/2026 02:30 in Vietnam
const logger = createLogger('info', { destination: alertCountingDestination((a) => alerts.push(a), new Writable({ write: (_c, _e, cb) => cb() })) });

function deps(over: Partial<ScheduledBackupDeps> = {}): ScheduledBackupDeps {
  return { databaseUrl: database.url, db: database.db, clock, logger, dir, maxAgeHours: 36,
    policy: { monthlyHour: 2, frequentHours: 24, keepMonthly: 3, keepFrequent: 1 }, ...over };
}

beforeAll(async () => {
  database = await createTestDatabase('gw_sched_backup');
  dir = await mkdtemp(join(tmpdir(), 'gw-sched-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('alerts BACKUP_FAILED and BACKUP_TOO_OLD when the backup cannot be taken', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'gw-sched-nopg-'));
  try {
    const r = await runScheduledBackup(deps({ pgBinDir: empty }));
    expect(r).toEqual({ taken: null, removed: [], tooOld: true });
    expect(alerts).toEqual(['BACKUP_FAILED', 'BACKUP_TOO_OLD']);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

it('takes the monthly backup, then frequent ones, and keeps at least three monthly backups', async () => {
  alerts.length = 0;
  // three monthly backups of earlier months already on the volume (and a file that is not a backup)
  for (const m of ['20260831T193000Z', '20260930T193000Z', '20261031T193000Z']) {
    await writeFile(join(dir, `csdl-gateway-monthly-${m}.dump`), 'old');
    await writeFile(join(dir, `csdl-gateway-monthly-${m}.dump.manifest.json`), '{}');
  }
  await writeFile(join(dir, 'README.txt'), 'not a backup');

  const first = await runScheduledBackup(deps());
  expect(first.taken).toBe('monthly');
  expect(first.file).toBe(join(dir, 'csdl-gateway-monthly-20261130T193000Z.dump'));
  expect(first.removed).toEqual(['csdl-gateway-monthly-20260831T193000Z.dump']);
  expect(first.tooOld).toBe(false);

  clock.advance(3_600_000);
  expect((await runScheduledBackup(deps())).taken).toBeNull(); // the monthly one counts for the frequent rhythm

  clock.advance(23 * 3_600_000);
  const frequent = await runScheduledBackup(deps());
  expect(frequent.taken).toBe('frequent');
  clock.advance(24 * 3_600_000);
  const next = await runScheduledBackup(deps());
  expect(next.removed).toEqual([frequent.file!.split('/').at(-1)]);

  expect((await readdir(dir)).sort()).toEqual([
    'README.txt',
    'csdl-gateway-frequent-20261202T193000Z.dump', 'csdl-gateway-frequent-20261202T193000Z.dump.manifest.json',
    'csdl-gateway-monthly-20260930T193000Z.dump', 'csdl-gateway-monthly-20260930T193000Z.dump.manifest.json',
    'csdl-gateway-monthly-20261031T193000Z.dump', 'csdl-gateway-monthly-20261031T193000Z.dump.manifest.json',
    'csdl-gateway-monthly-20261130T193000Z.dump', 'csdl-gateway-monthly-20261130T193000Z.dump.manifest.json',
  ]);
  expect(alerts).toEqual([]);

  clock.advance(37 * 3_600_000);
  expect((await runScheduledBackup(deps({ policy: { monthlyHour: 2, frequentHours: 0, keepMonthly: 3, keepFrequent: 1 } }))).tooOld).toBe(true);
  expect(alerts).toEqual(['BACKUP_TOO_OLD']);
});

it('exposes when the last good backup of each kind finished', async () => {
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  bindStateCollectors(metrics, { db: database.db, cacheMs: 0 });
  const text = await metrics.registry.metrics();
  expect(text).toContain(`csdl_backup_last_success_timestamp_seconds{kind="monthly"} ${Date.parse('2026-11-30T19:30:00Z') / 1000}`);
  expect(text).toContain(`csdl_backup_last_success_timestamp_seconds{kind="frequent"} ${Date.parse('2026-12-02T19:30:00Z') / 1000}`);
});

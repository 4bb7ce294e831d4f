// `csdl-gateway bench-records [--count N]`: the legacy import's throughput (issue 17). In a database of
// its own it loads the demo agencies, writes a legacy workbook of N demo persons, then runs
// `csdl-gateway import` on it as a child process — a dry run, then the real run — and reports rows/s and
// the child's peak resident memory (VmHWM), the figures the README lists.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { systemClock } from '../clock.ts';
import { localDate } from '../domain/working-days.ts';
import { dropDatabase, migrate, recreateDatabase } from '../store/migrate.ts';
import { openDb } from '../store/db.ts';
import { seedProvince } from '../commands/seed.ts';
import { demoAgencies } from '../seed/demo-agencies.ts';
import { legacyRowOf, writeLegacyWorkbook } from './legacy-workbook.ts';
import { spawnNode } from './processes.ts';

export interface RecordsBenchFigures {
  rows: number;
  fileMiB: number;
  dryRun: { seconds: number; rowsPerSecond: number; peakRssMiB: number };
  real: { seconds: number; rowsPerSecond: number; peakRssMiB: number; imported: number };
}

async function timedImport(config: Config, file: string, args: string[]): Promise<{ seconds: number; peakRssMiB: number; summary: Record<string, number> }> {
  const t0 = performance.now();
  const p = spawnNode('import', 'src/cli.ts', ['import', file, ...args], {
    env: { DATABASE_URL: config.databaseUrl, PROVINCE_CODE: config.provinceCode, LOG_LEVEL: 'warn' },
  });
  // VmHWM only grows; a read while the process exits answers 0, so the highest reading is kept.
  let peakRssMiB = 0;
  const timer = setInterval(() => {
    try {
      peakRssMiB = Math.max(peakRssMiB, p.stats().peakRssMiB);
    } catch { /* exiting */ }
  }, 100);
  const { code } = await p.exited;
  clearInterval(timer);
  if (code !== 0) throw new Error(`import exited ${code}\n${p.tail()}`);
  const json = p.tail(200).split('\n').map((l) => l.replace(/^\s*\[import\] /, '')).join('\n');
  const summary = JSON.parse(json.slice(json.indexOf('{'))) as Record<string, number>;
  return { seconds: (performance.now() - t0) / 1000, peakRssMiB, summary };
}

export async function benchRecords(base: Config, o: { count: number; say: (line: string) => void }): Promise<RecordsBenchFigures> {
  const url = new URL(base.databaseUrl);
  url.pathname = `/csdl_gateway_bench_records_${randomBytes(3).toString('hex')}`;
  const config: Config = { ...base, databaseUrl: url.toString() };
  const dir = mkdtempSync(join(tmpdir(), 'bench-records-'));
  await recreateDatabase(config.databaseUrl, 'bench');
  await migrate(config.databaseUrl);
  try {
    const db = openDb(config.databaseUrl, { poolSize: 2 });
    await seedProvince(db, config.provinceCode, { count: 0, seed: 1 }).finally(() => db.close());
    const places = demoAgencies(config.provinceCode).filter((a) => a.parentCode !== null).map((a) => a.code);
    const today = localDate(systemClock.now());
    const file = join(dir, 'legacy.xlsx');
    function* rows() {
      for (let i = 0; i < o.count; i++) yield legacyRowOf(i, { seed: 11, agencyCode: places[i % places.length]!, today });
    }
    await writeLegacyWorkbook(file, rows());
    const fileMiB = statSync(file).size / 2 ** 20;
    o.say(`wrote ${o.count} rows (${fileMiB.toFixed(1)} MiB)`);
    const dry = await timedImport(config, file, ['--dry-run', '--report', join(dir, 'dry.xlsx')]);
    o.say(`dry run: ${dry.seconds.toFixed(1)} s, ${Math.round(o.count / dry.seconds)} rows/s, peak RSS ${dry.peakRssMiB.toFixed(0)} MiB (${dry.summary['valid']} valid)`);
    const real = await timedImport(config, file, ['--report', join(dir, 'real.xlsx')]);
    o.say(`real run: ${real.seconds.toFixed(1)} s, ${Math.round(o.count / real.seconds)} rows/s, peak RSS ${real.peakRssMiB.toFixed(0)} MiB (${real.summary['imported']} imported)`);
    return {
      rows: o.count, fileMiB,
      dryRun: { seconds: dry.seconds, rowsPerSecond: o.count / dry.seconds, peakRssMiB: dry.peakRssMiB },
      real: { seconds: real.seconds, rowsPerSecond: o.count / real.seconds, peakRssMiB: real.peakRssMiB, imported: real.summary['imported'] ?? 0 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(config.databaseUrl);
  }
}

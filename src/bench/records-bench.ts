// `csdl-gateway bench-records [--count N] [--cv K] [--headcount P]`: the figures of issue 17. In a database
// of its own it loads the demo agencies, writes a legacy workbook of N demo persons, then runs
// `csdl-gateway import` on it as a child process — a dry run, then the real run — and reports rows/s and
// the child's peak resident memory (VmHWM). Then it prints and signs K CVs (pages/s), and times the annual
// headcount workbook over P seeded persons.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
import { DEMO_P12_PASSWORD, makeDemoPki } from '../pki/demo-pki.ts';
import { loadSigningIdentity } from '../pki/signing-identity.ts';
import { loadCvFonts } from '../reports/cv-fonts.ts';
import { signedCvPdf } from '../reports/cv-signature.ts';
import { annualHeadcountReport } from '../reports/annual-headcount.ts';
import { createRng, generateProfile } from '../seed/demo-profiles.ts';

export interface RecordsBenchFigures {
  rows: number;
  fileMiB: number;
  /** rowsPerCpuSecond: rows per second of the import process's own CPU time (user + system), what one free core gives. */
  dryRun: { seconds: number; rowsPerSecond: number; cpuSeconds: number; rowsPerCpuSecond: number; peakRssMiB: number };
  real: { seconds: number; rowsPerSecond: number; cpuSeconds: number; rowsPerCpuSecond: number; peakRssMiB: number; imported: number };
  cv?: { documents: number; pages: number; seconds: number; pagesPerSecond: number };
  headcount?: { persons: number; seconds: number; bytes: number };
}

/** K signed CVs of demo persons with the demo organisation key: pages per second. */
async function benchCv(k: number, today: string): Promise<NonNullable<RecordsBenchFigures['cv']>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cv-pki-'));
  try {
    await makeDemoPki(dir);
    const signer = await loadSigningIdentity({ pkcs12: readFileSync(join(dir, 'org-signer.p12')), password: DEMO_P12_PASSWORD });
    const fonts = loadCvFonts();
    const rng = createRng(5);
    let pages = 0;
    const t0 = performance.now();
    for (let i = 0; i < k; i++) {
      const p = generateProfile(rng, { agencyCode: 'H55.06.01', today, serial: i, status: 'DANG_CONG_TAC' });
      const pdf = await signedCvPdf({ personalId: p.personalId, category: p.category, status: p.status, version: 1,
        managingAgency: { code: 'H55.06', name: 'Sở Y tế' }, employingAgency: { code: 'H55.06.01', name: 'Bệnh viện Đa khoa tỉnh' }, profile: p.SoYeuLyLich },
      { fonts, signer, signerName: 'Sở Nội vụ', location: 'H55', now: systemClock.now() });
      pages += Buffer.from(pdf).toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { documents: k, pages, seconds, pagesPerSecond: pages / seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timedImport(config: Config, file: string, args: string[]): Promise<{ seconds: number; cpuSeconds: number; peakRssMiB: number; summary: Record<string, number> }> {
  const t0 = performance.now();
  const p = spawnNode('import', 'src/cli.ts', ['import', file, ...args], {
    env: { DATABASE_URL: config.databaseUrl, PROVINCE_CODE: config.provinceCode, LOG_LEVEL: 'warn' },
  });
  // VmHWM only grows; a read while the process exits answers 0, so the highest reading is kept.
  let peakRssMiB = 0;
  let cpuSeconds = 0;
  const timer = setInterval(() => {
    try {
      const s = p.stats();
      peakRssMiB = Math.max(peakRssMiB, s.peakRssMiB);
      cpuSeconds = Math.max(cpuSeconds, s.cpuSeconds);
    } catch { /* exiting */ }
  }, 100);
  const { code } = await p.exited;
  clearInterval(timer);
  if (code !== 0) throw new Error(`import exited ${code}\n${p.tail()}`);
  const json = p.tail(200).split('\n').map((l) => l.replace(/^\s*\[import\] /, '')).join('\n');
  const summary = JSON.parse(json.slice(json.indexOf('{'))) as Record<string, number>;
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds, peakRssMiB, summary };
}

export async function benchRecords(base: Config, o: { count: number; cv: number; headcount: number; say: (line: string) => void }): Promise<RecordsBenchFigures> {
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
    o.say(`dry run: ${dry.seconds.toFixed(1)} s, ${Math.round(o.count / dry.seconds)} rows/s (${Math.round(o.count / dry.cpuSeconds)} per CPU second), peak RSS ${dry.peakRssMiB.toFixed(0)} MiB (${dry.summary['valid']} valid)`);
    const real = await timedImport(config, file, ['--report', join(dir, 'real.xlsx')]);
    o.say(`real run: ${real.seconds.toFixed(1)} s, ${Math.round(o.count / real.seconds)} rows/s (${Math.round(o.count / real.cpuSeconds)} per CPU second), peak RSS ${real.peakRssMiB.toFixed(0)} MiB (${real.summary['imported']} imported)`);
    const figures: RecordsBenchFigures = {
      rows: o.count, fileMiB,
      dryRun: { seconds: dry.seconds, rowsPerSecond: o.count / dry.seconds, cpuSeconds: dry.cpuSeconds, rowsPerCpuSecond: o.count / dry.cpuSeconds, peakRssMiB: dry.peakRssMiB },
      real: { seconds: real.seconds, rowsPerSecond: o.count / real.seconds, cpuSeconds: real.cpuSeconds, rowsPerCpuSecond: o.count / real.cpuSeconds, peakRssMiB: real.peakRssMiB, imported: real.summary['imported'] ?? 0 },
    };
    if (o.cv > 0) {
      figures.cv = await benchCv(o.cv, today);
      o.say(`CV: ${figures.cv.documents} signed PDFs, ${figures.cv.pages} pages in ${figures.cv.seconds.toFixed(1)} s: ${figures.cv.pagesPerSecond.toFixed(1)} pages/s`);
    }
    if (o.headcount > 0) {
      const hdb = openDb(config.databaseUrl, { poolSize: 2 });
      try {
        await hdb.pool.query('TRUNCATE change_event, profile_change, person CASCADE');
        await seedProvince(hdb, config.provinceCode, { count: o.headcount, seed: 3 });
        await hdb.pool.query('ANALYZE person');
        const t0 = performance.now();
        const { workbook } = await annualHeadcountReport(hdb, { provinceCode: config.provinceCode, agencyCode: config.provinceCode, asOf: today, created: systemClock.now() });
        figures.headcount = { persons: o.headcount, seconds: (performance.now() - t0) / 1000, bytes: workbook.length };
        o.say(`annual headcount workbook over ${o.headcount} persons: ${figures.headcount.seconds.toFixed(2)} s (${workbook.length} bytes)`);
      } finally {
        await hdb.close();
      }
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(config.databaseUrl);
  }
}

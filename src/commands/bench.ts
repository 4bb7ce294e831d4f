// `csdl-gateway bench [--count N]` (npm run bench): the gateway at provincial scale, end to end on this
// machine, in a database of its own (`csdl_gateway_bench_<run id>`, created fresh, dropped after unless
// --keep) and a Redis key prefix of its own.
//
//   1. seed N persons with deep TT 06/2023 profiles (COPY); the initial load is N THEM_MOI changes, one
//      per person, made in bulk and approved through the approval service (a two-step head signature
//      per agency, then Sở Nội vụ's signature over all N);
//   2. the initial sync, timed: the worker (a child process) builds, signs and stores the batches and
//      pushes them to the national simulator (another child process) until every receipt is stored;
//   3. the reference pipeline over the same rows (a child process): plain XML, hash, POST to a sink;
//   4. a month-end: M records changed (CAP_NHAT), approved, then built and pushed, timed — against the
//      simulator, then again (M more changes) against an instant national side that parses nothing,
//      and the reference over those same M records: the like-for-like gateway/reference ratio;
//   5. API reads: GET /api/v1/persons/{id} at a fixed rate against `csdl-gateway serve` (a child process).
// Before 1, the generation rate of demo profiles (the seed's CPU-bound part) is measured in this process.
// Each process's CPU time and peak resident memory are read from /proc. `--profile` runs the worker with
// node --cpu-prof and prints its top frames. Results are printed and written as JSON.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../config.ts';
import { dropDatabase, migrate, recreateDatabase } from '../store/migrate.ts';
import { checkServices, ensureDemoPki } from './local-setup.ts';
import { openDb, type Db } from '../store/db.ts';
import { seedProvince } from './seed.ts';
import { loadSigningSetup } from '../approval/signing-setup.ts';
import { approveAll, createInitialLoad, createMonthUpdates, type ApprovalFigures } from '../bench/workload.ts';
import { ask, freePort, spawnCli, spawnNode, type BenchProcess } from '../bench/processes.ts';
import { startSink } from '../bench/sink.ts';
import { fixedRateLoad, percentile } from '../bench/load-generator.ts';
import { formatTopFrames } from '../bench/cpu-profile.ts';
import { issueDevToken } from '../auth/dev-token.ts';
import { createRng, generateProfile } from '../seed/demo-profiles.ts';
import { localDate } from '../domain/working-days.ts';
import { systemClock } from '../clock.ts';

export interface BenchOptions {
  count: number;
  monthEnd: number;
  apiRate: number;
  apiSeconds: number;
  profile: boolean;
  keep: boolean;
  skip: Set<'reference' | 'month-end' | 'api' | 'hsm'>;
  print?: (line: string) => void;
}

const MiB = 1024 * 1024;

/** CPU seconds of every PostgreSQL process (server and the backends it has reaped). */
function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres') continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch { /* gone meanwhile */ }
  }
  const perSecond = 100;
  return ticks / perSecond;
}

/** Settings as environment variables, for a child process configured like a deployment. */
function envOf(config: Config, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: config.databaseUrl, REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix, PROVINCE_CODE: config.provinceCode,
    SENDER_CODE: config.senderCode, LOG_LEVEL: config.logLevel, TRUST_ANCHORS: config.trustAnchorFiles.join(','),
    INTERMEDIATES: config.intermediateFiles.join(','), CRL_FILES: config.crlFiles.join(','),
    SIGNER_P12_FILE: config.signerP12File, SIGNER_P12_PASSWORD: config.signerP12Password,
    NATIONAL_BASE_URL: config.nationalBaseUrl, NATIONAL_TOKEN_URL: config.nationalTokenUrl,
    NATIONAL_TRUST_ANCHORS: config.nationalTrustAnchorFiles.join(','),
    SIM_SIGNER_KEY_FILE: config.simSignerKeyFile, SIM_SIGNER_CERT_FILE: config.simSignerCertFile, SIM_DATABASE_URL: config.simDatabaseUrl,
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
}

interface SyncFigures {
  records: number;
  batches: number;
  payloadMiB: number;
  wallSeconds: number;
  buildSeconds: number;
  buildCpuSeconds: number;
  /** From the end of the build to the last receipt stored. */
  tailSeconds: number;
  recordsPerSecond: number;
  mibPerSecond: number;
  accepted: number;
  rejected: number;
  failedBatches: number;
  worker: { cpuSeconds: number; peakRssMiB: number; startRssMiB: number; atPeakMiB: Record<string, number>; idleMiB: Record<string, number> };
  simulator: { cpuSeconds: number; peakRssMiB: number } | null;
  postgresCpuSeconds: number;
}

/** Until every batch is settled and nothing approved waits for one (polled lightly: it runs beside the sync). */
async function settled(db: Db, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const { rows: [r] } = await db.pool.query<{ open: string; outbox: string }>(`
      SELECT (SELECT count(*) FROM batch WHERE state NOT IN ('ACCEPTED', 'PARTIAL', 'FAILED'))::text AS open,
             (SELECT count(*) FROM outbox WHERE done_at IS NULL)::text AS outbox`);
    if (r!.open === '0' && r!.outbox === '0') {
      const { rows: [w] } = await db.pool.query<{ waiting: string }>(
        "SELECT count(*)::text AS waiting FROM profile_change WHERE state = 'PROVINCE_APPROVED' AND batch_id IS NULL");
      if (w!.waiting === '0') return;
    }
    if (performance.now() > end) throw new Error(`the sync did not settle in ${timeoutMs / 1000} s (${r!.open} batches open, ${r!.outbox} outbox rows pending)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Builds (in the worker, by its month-end job) and pushes everything approved; times it to the last receipt. */
async function timedSync(db: Db, worker: BenchProcess, sim: BenchProcess | null, since: Date): Promise<SyncFigures> {
  const w0 = worker.stats();
  const s0 = sim?.stats();
  const pg0 = postgresCpuSeconds();
  const t0 = performance.now();
  const built = await ask<{ ms: number; cpuSeconds: number; batches: number; records: number; bytes: number; refused: number }>(worker, { type: 'month-end' }, 3_600_000);
  const buildEnd = performance.now();
  await settled(db, 3_600_000);
  const t1 = performance.now();
  const memory = await ask<{ peak: NodeJS.MemoryUsage; now: NodeJS.MemoryUsage; idle: NodeJS.MemoryUsage }>(worker, { type: 'memory' }, 10_000);
  const mib = (m: NodeJS.MemoryUsage) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / MiB)]));
  const w1 = worker.stats();
  const s1 = sim?.stats();
  const pg1 = postgresCpuSeconds();
  const { rows: outcomes } = await db.pool.query<{ outcome: string; n: string }>(`
    SELECT br.outcome::text, count(*)::text AS n FROM batch_record br JOIN batch b ON b.batch_id = br.batch_id WHERE b.created_at >= $1 GROUP BY 1`, [since]);
  const { rows: [failed] } = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM batch WHERE state = 'FAILED' AND created_at >= $1`, [since]);
  const n = (o: string) => Number(outcomes.find((r) => r.outcome === o)?.n ?? 0);
  const wall = (t1 - t0) / 1000;
  return {
    records: built.records, batches: built.batches, payloadMiB: built.bytes / MiB, wallSeconds: wall, buildSeconds: built.ms / 1000,
    buildCpuSeconds: built.cpuSeconds, tailSeconds: (t1 - buildEnd) / 1000,
    recordsPerSecond: built.records / wall, mibPerSecond: built.bytes / MiB / wall,
    accepted: n('ACCEPTED'), rejected: n('REJECTED'), failedBatches: Number(failed!.n),
    worker: { cpuSeconds: w1.cpuSeconds - w0.cpuSeconds, peakRssMiB: w1.peakRssMiB, startRssMiB: w0.rssMiB,
      atPeakMiB: mib(memory.peak), idleMiB: mib(memory.idle) },
    simulator: s0 && s1 ? { cpuSeconds: s1.cpuSeconds - s0.cpuSeconds, peakRssMiB: s1.peakRssMiB } : null,
    postgresCpuSeconds: pg1 - pg0,
  };
}

/** The main thread's profile: tsx's loader thread writes one too; the main thread's is the largest. */
function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Profiles generated per second on one thread, after a warm-up (the seed makes 250k of them). */
function profileGenerationRate(today: string, n = 20_000): { profiles: number; seconds: number; perSecond: number } {
  const rng = createRng(123);
  for (let i = 0; i < 5_000; i++) generateProfile(rng, { agencyCode: 'H55', today, serial: i }); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) generateProfile(rng, { agencyCode: 'H55', today, serial: i });
  const seconds = (performance.now() - t0) / 1000;
  return { profiles: n, seconds, perSecond: n / seconds };
}

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  const say = o.print ?? ((line: string) => console.log(`[bench] ${line}`));
  const clock = systemClock; // the CLI's edge
  const base = loadConfig();
  await checkServices(base);
  const runId = randomBytes(3).toString('hex');
  const workDir = process.env.BENCH_DIR ?? join(tmpdir(), 'csdl-gateway-bench');
  mkdirSync(workDir, { recursive: true });
  const pkiDir = process.env.BENCH_PKI_DIR ?? join(workDir, 'pki');
  const manifest = await ensureDemoPki(pkiDir);
  const pki = (file: string) => join(pkiDir, file);
  // A database of its own per run (two runs at once never share one), dropped at the end unless --keep.
  const benchUrl = new URL(process.env.BENCH_DATABASE_URL ?? base.databaseUrl);
  if (!process.env.BENCH_DATABASE_URL) benchUrl.pathname = `/csdl_gateway_bench_${runId}`;
  const databaseUrl = benchUrl.toString();
  const profileDir = join(workDir, `profiles-${runId}`);
  const report: Record<string, unknown> = {
    runId, count: o.count, monthEnd: o.monthEnd, startedAt: clock.now().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() },
  };
  const children: BenchProcess[] = [];
  const stages: Record<string, number> = {};
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    stages[name] = (performance.now() - t0) / 1000;
    say(`${name}: ${fmt(stages[name]!)} s`);
    return result;
  };

  // ── 0. the organisation key in an HSM: the month's batches signed through PKCS#11 vs the file key ──
  if (!o.skip.has('hsm') && o.monthEnd > 0) {
    const { benchHsmSigning } = await import('../bench/hsm-signing.ts');
    const hsmDir = join(workDir, `softhsm-${runId}`);
    try {
      const h = await stage('hsm signing', () => benchHsmSigning({ records: o.monthEnd, batchSize: base.batchMaxRecords, pkiDir, p12Password: manifest.p12Password,
        workDir: hsmDir, now: systemClock.now(), senderCode: base.senderCode }));
      say(`   ${h.records} records in ${h.batches} batches (${fmt(h.payloadMiB)} MiB), ${h.key}: file key ${fmt(h.fileSeconds, 2)} s (${fmt(h.perBatchMs.file)} ms/batch), HSM (SoftHSM2, PKCS#11) ${fmt(h.hsmSeconds, 2)} s (${fmt(h.perBatchMs.hsm)} ms/batch): HSM/file ×${fmt(h.ratio, 2)}`);
      report.hsmSigning = h;
    } finally {
      rmSync(hsmDir, { recursive: true, force: true });
    }
  }

  await recreateDatabase(databaseUrl, 'bench');
  await migrate(databaseUrl);
  const config = loadConfig({}, {
    ...base, databaseUrl, logLevel: process.env.LOG_LEVEL ?? 'info', queuePrefix: `bench-${runId}`,
    trustAnchorFiles: [pki('trust-anchors.pem')], intermediateFiles: [pki('intermediates.pem')], crlFiles: [pki('crls.pem')],
    signerP12File: pki('org-signer.p12'), signerP12Password: manifest.p12Password, nationalTrustAnchorFiles: [pki('national-trust-anchors.pem')],
    simSignerKeyFile: pki('national-signer.key.pem'), simSignerCertFile: pki('national-signer.pem'), simDatabaseUrl: databaseUrl,
  });
  const db = openDb(databaseUrl);
  const setup = await loadSigningSetup(config);
  const head = { keyPemFile: pki('head-ec.key.pem'), certificatePemFile: pki('head-ec.pem') };
  say(`database ${benchUrl.pathname.slice(1)} recreated; queue prefix ${config.queuePrefix}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);

  try {
    // ── 0. demo profile generation (a figure, not a test: it depends on the machine's load) ──
    report.profileGeneration = profileGenerationRate(localDate(clock.now()));
    say(`demo profiles: ${fmt((report.profileGeneration as { perSecond: number }).perSecond, 0)} generated/s (one thread)`);

    // ── 1. the province and its initial load ────────────────────────────────
    const seeded = await stage('seed', () => seedProvince(db, config.provinceCode, { count: o.count, seed: 1, synced: false }));
    say(`   ${seeded.persons} persons in ${seeded.agencies} agencies (COPY: ${fmt(seeded.persons / stages.seed!, 0)} records/s)`);
    const { created, refused } = await stage('initial-load changes', () => createInitialLoad(db, config.provinceCode, o.count));
    say(`   ${created} THEM_MOI changes (${fmt(created / stages['initial-load changes']!, 0)} changes/s)` +
      (refused.count ? `; ${refused.count} seeded records refused by the entry rules (${JSON.stringify(refused.codes)}), as the API would refuse them` : ''));
    const approvals: ApprovalFigures = await stage('initial-load approvals', () => approveAll(db, setup, { provinceCode: config.provinceCode, senderCode: config.senderCode, head }));
    say(`   ${approvals.agencies} agency heads (two-step, ${approvals.windowOverrides} window overrides) in ${fmt(approvals.agencyMs / 1000)} s, slowest ${fmt(approvals.slowestAgencyMs / 1000)} s; Sở Nội vụ over ${approvals.provinceCount} changes (${approvals.provinceApprovals} signed manifests) in ${fmt(approvals.provinceMs / 1000)} s`);
    report.initialLoad = { seeded, created, refused, approvals };

    // ── 2. the initial sync ─────────────────────────────────────────────────
    const simPort = await freePort();
    const simUrl = `http://127.0.0.1:${simPort}`;
    const profiled = (name: string) => (o.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : []);
    const sim = spawnCli('simulator', 'simulator', { env: envOf(config, { SIM_PORT: String(simPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }), nodeArgs: profiled('simulator') });
    children.push(sim);
    await sim.waitForLine(/national simulator listening/, 60_000);
    const live = loadConfig({}, { ...config, nationalBaseUrl: simUrl, nationalTokenUrl: `${simUrl}/token` });
    // BENCH_WORKER_ENV (JSON) adds settings to the worker's environment, e.g. {"WORKER_CONCURRENCY":"2"}.
    const workerEnv = envOf(live, { SCHEDULES_ENABLED: 'false', ...(JSON.parse(process.env.BENCH_WORKER_ENV ?? '{}') as Record<string, string>) });
    const startWorker = async (name: string, env = workerEnv) => {
      const p = spawnNode(name, 'src/bench/worker-child.ts', [], {
        env, ipc: true, nodeArgs: profiled(name),
      });
      children.push(p);
      await p.waitForLine(/bench worker ready/, 60_000);
      return p;
    };
    let worker = await startWorker('worker-initial');
    say(`simulator on ${simUrl} (pid ${sim.pid}), worker pid ${worker.pid}: initial sync of ${o.count} records…`);
    const initial = await timedSync(db, worker, sim, new Date(0));
    stages['initial sync'] = initial.wallSeconds;
    report.initialSync = initial;
    printSync(say, 'initial sync', initial);
    await worker.stop();
    if (o.profile) say(formatTopFrames(mainThreadProfile(join(profileDir, 'worker-initial')), 20));

    // ── 3. the reference pipeline over the same rows ────────────────────────
    /** The reference over the changes of `kind` created since `since`, and the gateway's ratio to it. */
    const reference = async (kind: string, since: Date, gateway: SyncFigures) => {
      const sink = await startSink();
      const ref = spawnNode('reference', 'src/bench/reference-child.ts', [], {
        env: { DATABASE_URL: databaseUrl, SINK_URL: sink.url, REF_KIND: kind, REF_SINCE: since.toISOString(), REF_PAGE: String(config.batchMaxRecords), SENDER_CODE: config.senderCode },
        ipc: true,
      });
      children.push(ref);
      await ref.waitForLine(/reference ready/, 60_000);
      const pg0 = postgresCpuSeconds();
      const r = await ask<{ ms: number; cpuSeconds: number; records: number; bytes: number; wireBytes: number; batches: number; sameBytes: { batchId: string; same: boolean } | null }>(ref, { type: 'run' }, 3_600_000);
      const pgCpu = postgresCpuSeconds() - pg0;
      const refStats = ref.stats();
      await ref.stop();
      await sink.close();
      const wall = r.ms / 1000;
      const figures = {
        records: r.records, batches: r.batches, payloadMiB: r.bytes / MiB, wireMiB: r.wireBytes / MiB, wallSeconds: wall, cpuSeconds: r.cpuSeconds,
        peakRssMiB: refStats.peakRssMiB, postgresCpuSeconds: pgCpu, recordsPerSecond: r.records / wall, mibPerSecond: r.bytes / MiB / wall,
        sameBytes: r.sameBytes, sinkRequests: sink.requests,
        ratio: {
          wall: gateway.wallSeconds / wall, workerCpu: gateway.worker.cpuSeconds / r.cpuSeconds,
          cpuWithPostgres: (gateway.worker.cpuSeconds + gateway.postgresCpuSeconds) / (r.cpuSeconds + pgCpu),
        },
      };
      say(`reference: ${r.records} records in ${fmt(wall)} s (${fmt(figures.recordsPerSecond, 0)} records/s, ${fmt(figures.mibPerSecond)} MiB/s), CPU ${fmt(r.cpuSeconds)} s, peak RSS ${fmt(refStats.peakRssMiB, 0)} MiB; same bytes as ${r.sameBytes?.batchId ?? '?'}: ${r.sameBytes?.same ?? 'n/a'}`);
      say(`   gateway/reference: wall ×${fmt(figures.ratio.wall, 2)}, worker CPU ×${fmt(figures.ratio.workerCpu, 2)}, CPU incl. PostgreSQL ×${fmt(figures.ratio.cpuWithPostgres, 2)}`);
      return figures;
    };
    if (!o.skip.has('reference')) report.reference = await reference('THEM_MOI', new Date(0), initial);

    // ── 4. a month-end, against the simulator and against an instant national side ─────
    if (!o.skip.has('month-end') && o.monthEnd > 0) {
      const m = Math.min(o.monthEnd, o.count);
      const monthEnd = async (label: string, key: string, national: BenchProcess | null, nationalUrl: string) => {
        const since = clock.now();
        const { created: updates } = await stage(`${key} changes`, () => createMonthUpdates(db, config.provinceCode, m));
        const approvals = await stage(`${key} approvals`, () => approveAll(db, setup, { provinceCode: config.provinceCode, senderCode: config.senderCode, head }));
        say(`   ${updates} CAP_NHAT changes; ${approvals.agencies} heads in ${fmt(approvals.agencyMs / 1000)} s, Sở Nội vụ in ${fmt(approvals.provinceMs / 1000)} s`);
        const env = envOf(loadConfig({}, { ...live, nationalBaseUrl: nationalUrl, nationalTokenUrl: `${nationalUrl}/token` }), { SCHEDULES_ENABLED: 'false' });
        worker = await startWorker(`worker-${key}`, env);
        const sync = await timedSync(db, worker, national, clock.now());
        stages[`${key} sync`] = sync.wallSeconds;
        printSync(say, `${label} (${m} changed records)`, sync);
        await worker.stop();
        if (o.profile) say(formatTopFrames(mainThreadProfile(join(profileDir, `worker-${key}`)), 15));
        return { changes: updates, approvals, sync, since };
      };
      report.monthEnd = await monthEnd('month-end against the simulator', 'month-end', sim, simUrl);
      const instant = await startSink({ national: true });
      let instantRun: Awaited<ReturnType<typeof monthEnd>>;
      try {
        instantRun = await monthEnd('month-end against an instant national side', 'month-end-instant', null, instant.baseUrl);
        report.monthEndInstant = instantRun;
      } finally {
        await instant.close();
      }
      // The like-for-like ratio: the gateway and the reference over the same records, each against a
      // receiver that does no work (the simulator's parsing is the national side's cost, not the gateway's).
      if (!o.skip.has('reference')) report.referenceMonthEnd = await reference('CAP_NHAT', instantRun.since, instantRun.sync);
    }
    // ── 5. API reads at a fixed rate ────────────────────────────────────────
    if (!o.skip.has('api')) {
      const port = await freePort();
      const api = spawnCli('api', 'serve', { env: envOf(config, { PORT: String(port), HOST: '127.0.0.1' }), nodeArgs: profiled('api') });
      children.push(api);
      await api.waitForLine(/API listening/, 60_000);
      const { rows } = await db.pool.query<{ id: string }>('SELECT personal_id AS id FROM person ORDER BY md5(personal_id) LIMIT 20000');
      const ids = rows.map((r) => r.id);
      const token = await issueDevToken({ role: 'PROVINCE_OPERATOR', agency: config.provinceCode, subject: 'bench-reader' });
      const load = (seconds: number, offset: number) => fixedRateLoad({
        origin: `http://127.0.0.1:${port}`, rate: o.apiRate, seconds, headers: { authorization: `Bearer ${token}` },
        path: (i) => `/api/v1/persons/${ids[(i + offset) % ids.length]}`,
      });
      // After the syncs PostgreSQL is still vacuuming and writing: let it settle (autovacuum done, a
      // checkpoint), then warm the API up (JIT, connections, lazily loaded modules) at the same rate.
      const settleEnd = performance.now() + 180_000;
      while (performance.now() < settleEnd) {
        const { rows: [v] } = await db.pool.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
        if (v!.n === '0') break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await db.pool.query('CHECKPOINT');
      await load(Math.max(5, o.apiSeconds), 0);
      const a0 = api.stats();
      const r = await load(o.apiSeconds, 7919);
      const a1 = api.stats();
      await api.stop();
      if (o.profile) say(formatTopFrames(mainThreadProfile(join(profileDir, 'api')), 25));
      const api_ = {
        rate: o.apiRate, seconds: o.apiSeconds, sent: r.sent, ok: r.ok, errors: r.errors, statuses: r.statuses,
        achievedRate: r.sent / r.elapsedSeconds, p50: percentile(r.latencies, 50), p90: percentile(r.latencies, 90), p99: percentile(r.latencies, 99),
        max: r.latencies.at(-1) ?? Number.NaN, maxDispatchLagMs: r.maxDispatchLagMs,
        cpuSeconds: a1.cpuSeconds - a0.cpuSeconds, peakRssMiB: a1.peakRssMiB, auditReads: config.readAuditEnabled,
      };
      report.api = api_;
      say(`API reads: ${r.sent} GET /api/v1/persons/{id} at ${o.apiRate}/s for ${o.apiSeconds} s: ${r.ok} × 200, ${r.errors} errors; ` +
        `p50 ${fmt(api_.p50)} ms, p90 ${fmt(api_.p90)} ms, p99 ${fmt(api_.p99)} ms, max ${fmt(api_.max)} ms; API CPU ${fmt(api_.cpuSeconds)} s, peak RSS ${fmt(api_.peakRssMiB, 0)} MiB`);
    }

    report.stages = stages;
    report.finishedAt = clock.now().toISOString();
    const out = join(workDir, `bench-${o.count}-${runId}.json`);
    writeFileSync(out, JSON.stringify(report, null, 2));
    say(`figures written to ${out}`);
    return report;
  } finally {
    for (const p of children.reverse()) await p.stop(10_000).catch(() => {});
    await db.close();
    if (!o.keep) await dropDatabase(databaseUrl).catch(() => {});
    else say(`database ${benchUrl.pathname.slice(1)} kept`);
  }
}

function printSync(say: (line: string) => void, title: string, s: SyncFigures): void {
  say(`${title}: ${s.records} records in ${s.batches} batches (${fmt(s.payloadMiB)} MiB of XML) in ${fmt(s.wallSeconds)} s — ${fmt(s.recordsPerSecond, 0)} records/s, ${fmt(s.mibPerSecond)} MiB/s`);
  say(`   build+sign+store (in the worker) ${fmt(s.buildSeconds)} s (CPU ${fmt(s.buildCpuSeconds)} s); last receipt ${fmt(s.tailSeconds)} s after the build`);
  say(`   receipts: ${s.accepted} accepted, ${s.rejected} rejected, ${s.failedBatches} batches failed`);
  say(`   worker CPU ${fmt(s.worker.cpuSeconds)} s, peak RSS ${fmt(s.worker.peakRssMiB, 0)} MiB (${fmt(s.worker.startRssMiB, 0)} MiB when idle; idle ${JSON.stringify(s.worker.idleMiB)}, at the peak ${JSON.stringify(s.worker.atPeakMiB)}); ${s.simulator ? `simulator CPU ${fmt(s.simulator.cpuSeconds)} s, peak RSS ${fmt(s.simulator.peakRssMiB, 0)} MiB` : 'instant national side'}; PostgreSQL CPU ${fmt(s.postgresCpuSeconds)} s`);
}


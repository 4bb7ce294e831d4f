// The one command line: `csdl-gateway <command>`. Each command loads only what it needs.
import { Command, Option } from 'commander';
import { describeSettings, loadConfig } from './config.ts';
import { roles, type Role } from './auth/principal.ts';

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('csdl-gateway')
    .description('Cổng dữ liệu CBCCVC: provincial civil-servant database, signed approvals, national sync')
    .showHelpAfterError();

  program.command('serve').description('start the HTTP API').action(async () => {
    const { serve } = await import('./commands/serve.ts');
    await serve(loadConfig());
  });

  program.command('migrate').description('create the database if needed and apply the SQL migrations').action(async () => {
    const { ensureDatabase, migrate } = await import('./store/migrate.ts');
    const config = loadConfig();
    if (await ensureDatabase(config.databaseUrl)) console.log('created the database');
    const applied = await migrate(config.databaseUrl);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  });

  program.command('seed').description('generate a demo province (agencies and persons with complete profiles)')
    .option('--count <n>', 'number of persons', '2000')
    .option('--seed <n>', 'random seed (same seed, same province)', '1')
    .action(async (opts: { count: string; seed: string }) => {
      const { seedDemoProvince } = await import('./commands/seed.ts');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 0 || count > 1_000_000) fail('--count must be an integer 0..1000000');
      await seedDemoProvince(loadConfig(), { count, seed: Number(opts.seed) || 1 });
    });

  program.command('token').description('issue a development JWT signed by the demo key in certs.example/jwt')
    .addOption(new Option('--role <role>').choices([...roles]).makeOptionMandatory())
    .requiredOption('--agency <code>', 'agency code of the user (their scope)')
    .option('--subject <sub>', 'user id')
    .option('--personal-id <id>', 'for STAFF: their own personal id')
    .option('--expires <span>', 'lifetime, e.g. 8h', '8h')
    .action(async (opts: { role: Role; agency: string; subject?: string; personalId?: string; expires: string }) => {
      const { issueDevToken } = await import('./auth/dev-token.ts');
      console.log(await issueDevToken({ role: opts.role, agency: opts.agency, subject: opts.subject, personalId: opts.personalId, expiresIn: opts.expires }));
    });

  const audit = program.command('audit').description('the hash-chained audit log');
  audit.command('verify').description('recompute the chain; exit 2 and name the first broken row if it was altered').action(async () => {
    const { openDb } = await import('./store/db.ts');
    const { verifyAuditChain } = await import('./store/audit-log.ts');
    const db = openDb(loadConfig().databaseUrl);
    try {
      const result = await verifyAuditChain(db);
      if (result.ok) console.log(`audit chain intact: ${result.rows} rows, head ${result.lastHash}`);
      else {
        console.error(`AUDIT_CHAIN_BROKEN at seq ${result.brokenAt!.seq} (${result.brokenAt!.reason}); ${result.rows} rows verified before it`);
        process.exitCode = 2;
      }
    } finally {
      await db.close();
    }
  });

  program.command('worker').description('push batches to the national side and relay the outbox (graceful stop on SIGTERM)').action(async () => {
    const { runWorker } = await import('./commands/worker.ts');
    await runWorker(loadConfig());
  });

  program.command('simulator').description('the national side of NATIONAL_API.md, for demos and tests (SIM_* settings)').action(async () => {
    const { runSimulator } = await import('./commands/simulator.ts');
    await runSimulator(loadConfig());
  });

  program.command('sync').description('build and push what is approved for a period; progress and a summary')
    .option('--period <YYYY-MM>', 'approval month (default: every approved change)')
    .action(async (opts: { period?: string }) => {
      if (opts.period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.period)) fail('--period must be YYYY-MM');
      const { runSync } = await import('./commands/sync.ts');
      const summary = await runSync(loadConfig(), opts.period ?? null);
      if (summary.batches.failed > 0) process.exitCode = 3;
    });

  program.addCommand((await import('./commands/report.ts')).reportCommand());

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program.command('sign').description('sign a file: detached CMS (CAdES-BES, SHA-256, RSA-PSS or ECDSA), DER')
    .requiredOption('--in <file>', 'the file to sign (its exact bytes)')
    .requiredOption('--out <file>', 'where to write the .p7s')
    .option('--p12 <file>', 'PKCS#12 with key and certificate chain')
    .option('--p12-password-env <name>', 'environment variable holding the PKCS#12 password', 'SIGNER_P12_PASSWORD')
    .option('--key <file>', 'PEM private key (instead of --p12)')
    .option('--cert <file>', 'PEM certificate, optionally followed by its chain')
    .option('--chain <file>', 'PEM intermediates to embed')
    .option('--tsa <url>', 'RFC 3161 time-stamping authority (CAdES-T)')
    .action(async (opts: { in: string; out: string; p12?: string; p12PasswordEnv: string; key?: string; cert?: string; chain?: string; tsa?: string }) => {
      const { runSign } = await import('./pki/cli-commands.ts');
      const r = await runSign(opts);
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.exitCode;
    });

  program.command('verify').description('verify a detached CMS signature; prints the signer on success, the error code otherwise')
    .requiredOption('--in <file>', 'the signed file')
    .requiredOption('--sig <file>', 'the DER .p7s')
    .requiredOption('--ca <file>', 'trust anchor PEM (repeatable)', collect)
    .option('--crl <file>', 'CRL (repeatable); revocation is then required', collect)
    .option('--intermediates <file>', 'intermediate certificates PEM (repeatable)', collect)
    .option('--ocsp <url>', 'OCSP responder')
    .option('--require-timestamp', 'refuse a signature without an RFC 3161 time-stamp')
    .action(async (opts: { in: string; sig: string; ca: string[]; crl?: string[]; intermediates?: string[]; ocsp?: string; requireTimestamp?: boolean }) => {
      const { runVerify } = await import('./pki/cli-commands.ts');
      const r = await runVerify({ in: opts.in, sig: opts.sig, ca: opts.ca, ...(opts.crl ? { crl: opts.crl } : {}),
        ...(opts.intermediates ? { intermediates: opts.intermediates } : {}), ...(opts.ocsp ? { ocspUrl: opts.ocsp } : {}),
        ...(opts.requireTimestamp ? { requireTimestamp: true } : {}) });
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.exitCode;
    });

  program.command('config').description('list every environment variable the gateway reads').action(() => {
    for (const s of describeSettings()) console.log(`${s.env.padEnd(28)} ${s.default.padEnd(48)} ${s.description}`);
  });

  program.command('demo').description('the month-end sync end to end with the simulator (recreates the database csdl_gateway_demo)')
    .option('--count <n>', 'persons to seed', '2000')
    .option('--changes <n>', 'changes entered during the month', '40')
    .option('--serve', 'keep the API and simulator running afterwards')
    .action(async (opts: { count: string; changes: string; serve?: boolean }) => {
      const { runDemo } = await import('./commands/demo.ts');
      await runDemo({ count: Number(opts.count) || 2000, changes: Number(opts.changes) || 40, serve: opts.serve ?? false });
    });

  program.command('bench').description('the provincial-scale benchmark in a database of its own (csdl_gateway_bench_<run>, dropped after): initial sync, reference, month-end, API reads')
    .option('--count <n>', 'records in the initial load', '250000')
    .option('--month-end <n>', 'records changed in the month-end scenario', '30000')
    .option('--rate <n>', 'API reads per second', '500')
    .option('--seconds <n>', 'duration of the API read load', '10')
    .option('--profile', 'run the worker under node --cpu-prof and print its top frames')
    .option('--skip <stages>', 'comma-separated: reference, month-end, api')
    .option('--keep', 'keep the benchmark database afterwards')
    .action(async (opts: { count: string; monthEnd: string; rate: string; seconds: string; profile?: boolean; skip?: string; keep?: boolean }) => {
      const { runBench } = await import('./commands/bench.ts');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('--count must be an integer 1..1000000');
      await runBench({ count, monthEnd: Number(opts.monthEnd) || 0, apiRate: Number(opts.rate) || 500, apiSeconds: Number(opts.seconds) || 10,
        profile: opts.profile ?? false, keep: opts.keep ?? false, skip: new Set((opts.skip ?? '').split(',').filter(Boolean) as never[]) });
    });

  program.command('backup').description('sao lưu cơ sở dữ liệu (pg_dump, kèm manifest); dòng cuối là đường dẫn tệp sao lưu')
    .option('--to <dir>', 'thư mục lưu (mặc định BACKUP_DIR)')
    .action(async (opts: { to?: string }) => {
      const { runBackup } = await import('./commands/backup.ts');
      await runBackup(loadConfig(), opts.to === undefined ? {} : { to: opts.to });
    });

  program.command('restore').description('khôi phục một bản sao lưu vào cơ sở dữ liệu (không ghi đè cơ sở dữ liệu đã có dữ liệu nếu thiếu --force)')
    .argument('<file>', 'tệp .dump do lệnh backup in ra')
    .option('--into <database-url>', 'cơ sở dữ liệu đích (mặc định DATABASE_URL)')
    .option('--force', 'xóa và tạo lại cơ sở dữ liệu đích nếu nó đã có dữ liệu')
    .option('--verify', 'chỉ diễn tập: khôi phục vào cơ sở dữ liệu tạm trên máy chủ của --into, đối chiếu với manifest rồi xóa')
    .action(async (file: string, opts: { into?: string; force?: boolean; verify?: boolean }) => {
      const { runRestore } = await import('./commands/backup.ts');
      await runRestore(loadConfig(), file, opts);
    });

  program.command('restore-drill').description('diễn tập khôi phục: khôi phục vào cơ sở dữ liệu tạm, đối chiếu mã băm, lược đồ, số dòng, chuỗi nhật ký kiểm toán, rồi xóa')
    .argument('<file>', 'tệp .dump do lệnh backup in ra')
    .option('--server <database-url>', 'máy chủ PostgreSQL để tạo cơ sở dữ liệu tạm (mặc định máy chủ của DATABASE_URL)')
    .action(async (file: string, opts: { server?: string }) => {
      const { runDrill } = await import('./commands/backup.ts');
      await runDrill(loadConfig(), file, opts);
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    // One line an operator can act on, never a stack trace (LOG_LEVEL=debug shows it).
    const { formatCliError } = await import('./cli/output.ts');
    console.error(formatCliError(err));
    if (process.env.LOG_LEVEL === 'debug') console.error(err);
    process.exitCode = (err as { code?: string }).code === 'RESTORE_VERIFY_FAILED' || (err as { code?: string }).code === 'BACKUP_CORRUPT' ? 2 : 1;
  }
}

// Run directly (`node --import tsx src/cli.ts …`, used by tests that spawn processes) as well as through bin/.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  await main(process.argv);
}

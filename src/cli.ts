// The one command line: `csdl-gateway <command>`. Each command loads only what it needs.
import { Command, Option } from 'commander';
import { describeSettings, loadConfig } from './config.ts';
import { roles, type Role } from './auth/principal.ts';
import { GatewayError } from './errors.ts';
import { cliErrorLine, endpointOf, type CliEndpoints } from './commands/cli-errors.ts';

function fail(message: string): never {
  throw new GatewayError('BAD_REQUEST', { hint: message });
}

function emit(r: { stdout?: string; stderr?: string; exitCode: number }): void {
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

function endpoints(): CliEndpoints {
  try {
    const c = loadConfig();
    const database = endpointOf(c.databaseUrl);
    const redis = endpointOf(c.redisUrl);
    return { ...(database ? { database } : {}), ...(redis ? { redis } : {}) };
  } catch {
    return {}; // the configuration itself is what failed: the line says so
  }
}

/** A configuration refusal at start-up is one line naming the setting, not a stack trace. */
async function orConfigLine<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: string; details?: { variable?: string; reason?: string } };
    if (e.code === 'CONFIG_INVALID') fail(`CONFIG_INVALID ${e.details?.variable ?? ''}: ${e.details?.reason ?? ''}`.trim());
    throw err;
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('csdl-gateway')
    .description('Cổng dữ liệu CBCCVC: provincial civil-servant database, signed approvals, national sync')
    .showHelpAfterError()
    .option('--verbose', 'on an error, also print its stack trace');

  program.command('serve').description('start the HTTP API').action(async () => {
    const { serve } = await import('./commands/serve.ts');
    await orConfigLine(() => serve(loadConfig()));
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

  program.command('signer-agent').description('signing agent for the signer’s computer: the console signs with the USB token through it (127.0.0.1 only)')
    .requiredOption('--module <lib>', 'PKCS#11 library of the USB token (e.g. /usr/lib/softhsm/libsofthsm2.so)')
    .option('--slot <id>', 'slot id of the token')
    .option('--token-label <label>', 'label of the token (instead of --slot)')
    .requiredOption('--origin <url>', 'origin of the console allowed to call the agent (e.g. https://csdl.sonoivu.example.gov.vn)')
    .option('--port <n>', 'local port', '8730')
    .action(async (opts: { module: string; slot?: string; tokenLabel?: string; origin: string; port: string }) => {
      const { runSignerAgent } = await import('./commands/signer-agent.ts');
      const agent = await runSignerAgent(opts);
      const stop = () => { void agent.close().finally(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  program.command('grant').description('grant a role to an SSO subject (the first operator and administrator of Sở Nội vụ; later ones through the API)')
    .requiredOption('--subject <sub>', 'the `sub` of the person at the provincial SSO')
    .addOption(new Option('--role <role>').choices([...roles]).makeOptionMandatory())
    .requiredOption('--agency <code>', 'agency code the role applies to (its subtree)')
    .option('--personal-id <id>', 'for STAFF: their own personal id')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .action(async (opts: { subject: string; role: string; agency: string; personalId?: string; reason: string }) => {
      const { bootstrapGrant } = await import('./commands/grant.ts');
      const g = await bootstrapGrant(loadConfig(), opts);
      console.log(`${g.id} ${g.subject} ${g.role} ${g.agencyCode}`);
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
  audit.command('verify').description('recompute the chain and check it against the signed checkpoints (database and AUDIT_CHECKPOINT_DIR); exit 2 naming the first bad row')
    .action(async () => {
      const { runAuditVerify } = await import('./commands/audit.ts');
      emit(await runAuditVerify(loadConfig()));
    });
  audit.command('checkpoint').description('sign the head of the chain now with the organisation key (also done after every build, approval and daily)')
    .action(async () => {
      const { runAuditCheckpoint } = await import('./commands/audit.ts');
      emit(await runAuditCheckpoint(loadConfig()));
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
  program.addCommand((await import('./commands/import.ts')).importCommand());
  program.command('bench-records').description('benchmark of the legacy import (rows/s, peak RSS of the import process)')
    .option('--count <n>', 'rows of the generated legacy workbook', '100000')
    .option('--cv <k>', 'signed CV PDFs to print (pages/s); 0 to skip', '50')
    .option('--headcount <p>', 'persons to seed for the annual headcount workbook timing; 0 to skip', '250000')
    .action(async (opts: { count: string; cv: string; headcount: string }) => {
      const { benchRecords } = await import('./bench/records-bench.ts');
      const [count, cv, headcount] = [Number(opts.count), Number(opts.cv), Number(opts.headcount)];
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('--count must be an integer 1..1000000');
      if (!Number.isInteger(cv) || cv < 0 || cv > 10_000) fail('--cv must be an integer 0..10000');
      if (!Number.isInteger(headcount) || headcount < 0 || headcount > 1_000_000) fail('--headcount must be an integer 0..1000000');
      console.log(JSON.stringify(await benchRecords(loadConfig(), { count, cv, headcount, say: (l) => console.log(`[bench-records] ${l}`) }), null, 2));
    });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program.command('sign').description('sign a file: detached CMS (CAdES-BES, SHA-256, RSA-PSS or ECDSA), DER')
    .requiredOption('--in <file>', 'the file to sign (its exact bytes)')
    .requiredOption('--out <file>', 'where to write the .p7s')
    .option('--p12 <file>', 'PKCS#12 with key and certificate chain')
    .option('--p12-password-env <name>', 'environment variable holding the PKCS#12 password', 'SIGNER_P12_PASSWORD')
    .option('--key <file>', 'PEM private key (instead of --p12)')
    .option('--cert <file>', 'PEM certificate, optionally followed by its chain')
    .option('--chain <file>', 'PEM intermediates to embed')
    .option('--pkcs11-module <lib>', 'PKCS#11 library of a USB token or HSM (instead of --p12/--key); PIN from PKCS11_PIN or asked here')
    .option('--token-label <label>', 'token label (with --pkcs11-module)')
    .option('--slot <id>', 'slot id (with --pkcs11-module, instead of --token-label)')
    .option('--key-label <label>', 'CKA_LABEL of the key on the token; its certificate is the one stored beside it')
    .option('--key-id <hex>', 'CKA_ID of the key on the token (instead of or with --key-label)')
    .option('--tsa <url>', 'RFC 3161 time-stamping authority (CAdES-T)')
    .action(async (opts: { in: string; out: string; p12?: string; p12PasswordEnv: string; key?: string; cert?: string; chain?: string; tsa?: string;
      pkcs11Module?: string; tokenLabel?: string; slot?: string; keyLabel?: string; keyId?: string }) => {
      const { runSign } = await import('./pki/cli-commands.ts');
      const { askHidden } = await import('./commands/terminal-prompt.ts');
      const r = await runSign({ ...opts, askPin: () => askHidden('Mã PIN của thiết bị ký số: ') });
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
    .option('--national-base-url <url>', 'rehearse against this national side instead of the simulator (credentials, TLS, NATIONAL_TRUST_ANCHORS from the environment)')
    .option('--national-token-url <url>', 'its token endpoint (default NATIONAL_TOKEN_URL, else <base>/token)')
    .option('--hsm', 'the organisation key in an HSM: a SoftHSM2 token made for the run, signing through PKCS#11')
    .action(async (opts: { count: string; changes: string; serve?: boolean; hsm?: boolean; nationalBaseUrl?: string; nationalTokenUrl?: string }) => {
      const { runDemo } = await import('./commands/demo.ts');
      await runDemo({ count: Number(opts.count) || 2000, changes: Number(opts.changes) || 40, serve: opts.serve ?? false, hsm: opts.hsm ?? false,
        ...(opts.nationalBaseUrl ? { nationalBaseUrl: opts.nationalBaseUrl } : {}), ...(opts.nationalTokenUrl ? { nationalTokenUrl: opts.nationalTokenUrl } : {}) });
    });

  program.command('bench').description('the provincial-scale benchmark in a database of its own (csdl_gateway_bench_<run>, dropped after): initial sync, reference, month-end, API reads')
    .option('--count <n>', 'records in the initial load', '250000')
    .option('--month-end <n>', 'records changed in the month-end scenario', '30000')
    .option('--rate <n>', 'API reads per second', '500')
    .option('--seconds <n>', 'duration of the API read load', '10')
    .option('--profile', 'run the worker under node --cpu-prof and print its top frames')
    .option('--skip <stages>', 'comma-separated: reference, month-end, api, hsm')
    .option('--keep', 'keep the benchmark database afterwards')
    .action(async (opts: { count: string; monthEnd: string; rate: string; seconds: string; profile?: boolean; skip?: string; keep?: boolean }) => {
      const { runBench } = await import('./commands/bench.ts');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('--count must be an integer 1..1000000');
      await runBench({ count, monthEnd: Number(opts.monthEnd) || 0, apiRate: Number(opts.rate) || 500, apiSeconds: Number(opts.seconds) || 10,
        profile: opts.profile ?? false, keep: opts.keep ?? false, skip: new Set((opts.skip ?? '').split(',').filter(Boolean) as never[]) });
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    // One line an operator can act on: code, Vietnamese message, what to do; the stack only on --verbose.
    console.error(cliErrorLine(err, endpoints()));
    if (program.opts<{ verbose?: boolean }>().verbose || argv.includes('--verbose')) console.error(err);
    process.exitCode = 1;
    // A command that failed half-way may leave pools or a Redis client open: they must not keep it alive.
    setTimeout(() => process.exit(1), 1_000).unref();
  }
}

// Run directly (`node --import tsx src/cli.ts …`, used by tests that spawn processes) as well as through bin/.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  await main(process.argv);
}

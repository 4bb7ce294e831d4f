// The one command line: `csdl-gateway <command>`. Each command loads only what it needs.
import { Command, Option } from 'commander';
import { describeSettings, loadConfig } from './config.ts';
import { roles, type Role } from './auth/principal.ts';
import { GatewayError } from './errors.ts';
import { cliErrorLine, endpointOf, type CliEndpoints } from './commands/cli-errors.ts';
import { translateCommanderError, vietnameseHelpTitle } from './cli/output.ts';

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

export async function main(argv: string[]): Promise<void> {
  const program = new Command('csdl-gateway')
    .description('Cổng dữ liệu CBCCVC của tỉnh: cơ sở dữ liệu cán bộ, công chức, viên chức; phê duyệt bằng chữ ký số; đồng bộ với CSDL quốc gia')
    .helpOption('-h, --help', 'hiển thị trợ giúp')
    .helpCommand('help [command]', 'hiển thị trợ giúp của một lệnh')
    .configureHelp({ styleTitle: vietnameseHelpTitle })
    .configureOutput({ outputError: (text, write) => write(translateCommanderError(text)) })
    .option('--verbose', 'khi có lỗi, in thêm vết ngăn xếp (stack trace)');

  program.command('serve').description('chạy API HTTP (SIGTERM: chờ các yêu cầu đang xử lý xong)').action(async () => {
    const { serve } = await import('./commands/serve.ts');
    await serve(loadConfig()); // a refused configuration is one line naming the setting (the handler below)
  });

  program.command('migrate').description('tạo cơ sở dữ liệu nếu chưa có và áp dụng các bản cập nhật lược đồ (migration)').action(async () => {
    const { ensureDatabase, migrate } = await import('./store/migrate.ts');
    const config = loadConfig();
    if (await ensureDatabase(config.databaseUrl)) console.log('Đã tạo cơ sở dữ liệu');
    const applied = await migrate(config.databaseUrl);
    console.log(applied.length ? `Đã áp dụng: ${applied.join(', ')}` : 'Lược đồ cơ sở dữ liệu đã mới nhất');
  });

  program.command('seed').description('sinh dữ liệu minh họa của một tỉnh (cơ quan, đơn vị và hồ sơ đầy đủ)')
    .option('--count <n>', 'số hồ sơ', '2000')
    .option('--seed <n>', 'hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)', '1')
    .action(async (opts: { count: string; seed: string }) => {
      const { seedDemoProvince } = await import('./commands/seed.ts');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 0 || count > 1_000_000) fail('--count phải là số nguyên từ 0 đến 1000000');
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

    program.command('token').description('cấp mã truy cập (JWT) thử nghiệm, ký bằng khóa minh họa trong certs.example/jwt')
    .addOption(new Option('--role <role>').choices([...roles]).makeOptionMandatory())
    .requiredOption('--agency <code>', 'mã định danh cơ quan của người dùng (phạm vi quản lý)')
    .option('--subject <sub>', 'mã người dùng')
    .option('--personal-id <id>', 'với STAFF: số định danh cá nhân của chính họ')
    .option('--expires <span>', 'thời hạn, ví dụ 8h', '8h')
    .action(async (opts: { role: Role; agency: string; subject?: string; personalId?: string; expires: string }) => {
      const { issueDevToken } = await import('./auth/dev-token.ts');
      console.log(await issueDevToken({ role: opts.role, agency: opts.agency, subject: opts.subject, personalId: opts.personalId, expiresIn: opts.expires }));
    });

  const audit = program.command('audit').description('nhật ký kiểm toán (chuỗi băm)');
  audit.command('verify').description('tính lại chuỗi băm và đối chiếu với các điểm kiểm tra đã ký (cơ sở dữ liệu và AUDIT_CHECKPOINT_DIR); nếu bị sửa, thoát mã 2 và chỉ ra dòng đầu tiên bị đứt')
    .action(async () => {
      const { runAuditVerify } = await import('./commands/audit.ts');
      emit(await runAuditVerify(loadConfig()));
    });
  audit.command('checkpoint').description('ký ngay đầu chuỗi nhật ký bằng khóa của tổ chức (cũng tự động sau mỗi lần lập gói, phê duyệt và hằng ngày)')
    .action(async () => {
      const { runAuditCheckpoint } = await import('./commands/audit.ts');
      emit(await runAuditCheckpoint(loadConfig()));
    });

  program.command('worker').description('gửi gói đồng bộ lên hệ thống quốc gia, chạy lịch (sao lưu, cuối tháng); SIGTERM: dừng an toàn').action(async () => {
    const { runWorker } = await import('./commands/worker.ts');
    await runWorker(loadConfig());
  });

  program.command('simulator').description('hệ thống quốc gia giả lập (NATIONAL_API.md) cho demo và kiểm thử (biến SIM_*)').action(async () => {
    const { runSimulator } = await import('./commands/simulator.ts');
    await runSimulator(loadConfig());
  });

  program.command('sync').description('lập và gửi các gói đã phê duyệt của một kỳ; hiện tiến độ và tổng kết')
    .option('--period <YYYY-MM>', 'tháng phê duyệt (mặc định: mọi đề nghị đã phê duyệt)')
    .action(async (opts: { period?: string }) => {
      if (opts.period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.period)) fail('--period phải có dạng YYYY-MM (ví dụ 2026-11)');
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
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('--count phải là số nguyên từ 1 đến 1000000');
      if (!Number.isInteger(cv) || cv < 0 || cv > 10_000) fail('--cv phải là số nguyên từ 0 đến 10000');
      if (!Number.isInteger(headcount) || headcount < 0 || headcount > 1_000_000) fail('--headcount phải là số nguyên từ 0 đến 1000000');
      console.log(JSON.stringify(await benchRecords(loadConfig(), { count, cv, headcount, say: (l) => console.log(`[bench-records] ${l}`) }), null, 2));
    });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program.command('sign').description('ký số một tệp: CMS tách rời (CAdES-BES, SHA-256, RSA-PSS hoặc ECDSA), DER')
    .requiredOption('--in <file>', 'tệp cần ký (đúng từng byte)')
    .requiredOption('--out <file>', 'nơi ghi tệp chữ ký .p7s')
    .option('--p12 <file>', 'tệp PKCS#12 chứa khóa và chuỗi chứng thư')
    .option('--p12-password-env <name>', 'biến môi trường chứa mật khẩu PKCS#12', 'SIGNER_P12_PASSWORD')
    .option('--key <file>', 'khóa bí mật PEM (thay cho --p12)')
    .option('--cert <file>', 'chứng thư số PEM, có thể kèm chuỗi chứng thư')
    .option('--chain <file>', 'chứng thư trung gian PEM cần nhúng')
    .option('--pkcs11-module <lib>', 'thư viện PKCS#11 của USB token hoặc HSM (thay cho --p12/--key); mã PIN lấy từ PKCS11_PIN hoặc hỏi tại đây')
    .option('--token-label <label>', 'nhãn của token (cùng --pkcs11-module)')
    .option('--slot <id>', 'số khe (slot) của token (cùng --pkcs11-module, thay cho --token-label)')
    .option('--key-label <label>', 'CKA_LABEL của khóa trên token; chứng thư số là chứng thư lưu cạnh khóa')
    .option('--key-id <hex>', 'CKA_ID (hex) của khóa trên token (thay cho hoặc cùng --key-label)')
    .option('--tsa <url>', 'máy chủ cấp dấu thời gian RFC 3161 (CAdES-T)')
    .action(async (opts: { in: string; out: string; p12?: string; p12PasswordEnv: string; key?: string; cert?: string; chain?: string; tsa?: string;
      pkcs11Module?: string; tokenLabel?: string; slot?: string; keyLabel?: string; keyId?: string }) => {
      const { runSign } = await import('./pki/cli-commands.ts');
      const { askHidden } = await import('./commands/terminal-prompt.ts');
      const r = await runSign({ ...opts, askPin: () => askHidden('Mã PIN của thiết bị ký số: ') });
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.exitCode;
    });

  program.command('verify').description('kiểm tra chữ ký CMS tách rời; in người ký nếu hợp lệ, mã lỗi nếu không')
    .requiredOption('--in <file>', 'tệp đã ký')
    .requiredOption('--sig <file>', 'tệp chữ ký .p7s (DER)')
    .requiredOption('--ca <file>', 'chứng thư gốc tin cậy PEM (lặp lại được)', collect)
    .option('--crl <file>', 'danh sách thu hồi CRL (lặp lại được); khi có thì bắt buộc kiểm tra thu hồi', collect)
    .option('--intermediates <file>', 'chứng thư trung gian PEM (lặp lại được)', collect)
    .option('--ocsp <url>', 'máy chủ OCSP')
    .option('--require-timestamp', 'từ chối chữ ký không có dấu thời gian RFC 3161')
    .action(async (opts: { in: string; sig: string; ca: string[]; crl?: string[]; intermediates?: string[]; ocsp?: string; requireTimestamp?: boolean }) => {
      const { runVerify } = await import('./pki/cli-commands.ts');
      const r = await runVerify({ in: opts.in, sig: opts.sig, ca: opts.ca, ...(opts.crl ? { crl: opts.crl } : {}),
        ...(opts.intermediates ? { intermediates: opts.intermediates } : {}), ...(opts.ocsp ? { ocspUrl: opts.ocsp } : {}),
        ...(opts.requireTimestamp ? { requireTimestamp: true } : {}) });
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      process.exitCode = r.exitCode;
    });

  program.command('config').description('liệt kê mọi biến môi trường cấu hình').action(() => {
    for (const s of describeSettings()) console.log(`${s.env.padEnd(28)} ${s.default.padEnd(48)} ${s.description}`);
  });

  program.command('demo').description('minh họa trọn một tháng với hệ thống quốc gia giả lập (tạo lại cơ sở dữ liệu csdl_gateway_demo)')
    .option('--count <n>', 'số hồ sơ sinh ra', '2000')
    .option('--changes <n>', 'số đề nghị cập nhật trong tháng', '40')
    .option('--serve', 'giữ API và hệ thống giả lập chạy sau khi xong (in địa chỉ bảng điều khiển và cách đăng nhập)')
    .option('--national-base-url <url>', 'diễn tập với hệ thống quốc gia này thay cho hệ thống giả lập (thông tin đăng nhập, TLS, NATIONAL_TRUST_ANCHORS lấy từ môi trường)')
    .option('--national-token-url <url>', 'địa chỉ cấp mã truy cập của hệ thống đó (mặc định NATIONAL_TOKEN_URL, hoặc <base>/token)')
    .option('--hsm', 'khóa của tổ chức trong HSM: một token SoftHSM2 tạo cho lần chạy, ký qua PKCS#11')
    .action(async (opts: { count: string; changes: string; serve?: boolean; hsm?: boolean; nationalBaseUrl?: string; nationalTokenUrl?: string }) => {
      const { runDemo } = await import('./commands/demo.ts');
      await runDemo({ count: Number(opts.count) || 2000, changes: Number(opts.changes) || 40, serve: opts.serve ?? false, hsm: opts.hsm ?? false,
        ...(opts.nationalBaseUrl ? { nationalBaseUrl: opts.nationalBaseUrl } : {}), ...(opts.nationalTokenUrl ? { nationalTokenUrl: opts.nationalTokenUrl } : {}) });
    });

  program.command('bench').description('đo hiệu năng quy mô cấp tỉnh trên cơ sở dữ liệu riêng (csdl_gateway_bench_<lần chạy>, xóa sau khi xong)')
    .option('--count <n>', 'số hồ sơ nạp ban đầu', '250000')
    .option('--month-end <n>', 'số hồ sơ thay đổi trong kịch bản cuối tháng', '30000')
    .option('--rate <n>', 'số lượt đọc API mỗi giây', '500')
    .option('--seconds <n>', 'thời gian tải đọc API (giây)', '10')
    .option('--profile', 'chạy worker với node --cpu-prof và in các hàm tốn CPU nhất')
    .option('--skip <stages>', 'bỏ qua (phân cách bằng dấu phẩy): reference, month-end, api, hsm')
    .option('--keep', 'giữ lại cơ sở dữ liệu đo hiệu năng')
    .action(async (opts: { count: string; monthEnd: string; rate: string; seconds: string; profile?: boolean; skip?: string; keep?: boolean }) => {
      const { runBench } = await import('./commands/bench.ts');
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('--count phải là số nguyên từ 1 đến 1000000');
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
    // One line an operator can act on: code, Vietnamese message, what to do; the stack only on --verbose.
    console.error(cliErrorLine(err, endpoints()));
    if (program.opts<{ verbose?: boolean }>().verbose || argv.includes('--verbose')) console.error(err);
    const code = (err as { code?: string }).code;
    process.exitCode = code === 'RESTORE_VERIFY_FAILED' || code === 'BACKUP_CORRUPT' ? 2 : 1;
    // A command that failed half-way may leave pools or a Redis client open: they must not keep it alive.
    setTimeout(() => process.exit(process.exitCode ?? 1), 1_000).unref();
  }
}

// Run directly (`node --import tsx src/cli.ts …`, used by tests that spawn processes) as well as through bin/.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  await main(process.argv);
}

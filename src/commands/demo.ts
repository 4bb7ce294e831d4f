// `csdl-gateway demo` (npm run demo): the month-end sync end to end on this machine. It checks
// PostgreSQL and Redis (one line saying exactly what is missing otherwise), makes the demo PKI, recreates
// the demo database and seeds a province, starts the national simulator with injected faults, the API and
// a worker, walks a month through the API (src/demo/month-demo.ts) and prints the summary.
// With `--national-base-url` it rehearses the same month against another national side (the national
// platform's test environment, or a simulator started apart) instead of starting the simulator: the
// client id/secret, mutual-TLS files and NATIONAL_TRUST_ANCHORS come from the environment exactly as in
// production. Steps that need the national side to act (the STALE_VERSION set-up, the inbound transfer)
// are then skipped; `--serve` keeps the API up so that the national side can send §7 requests to it.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { migrate, recreateDatabase } from '../store/migrate.ts';
import { checkServices, ensureDemoPki } from './local-setup.ts';
import { openDb } from '../store/db.ts';
import { seedProvince } from './seed.ts';
import { buildGatewayApp, openRuntime } from '../runtime.ts';
import { startWorker } from './worker.ts';
import { startConfiguredSimulator } from './simulator.ts';
import { importPrivateKeyPem } from '../pki/keys.ts';
import { formatDemoSummary, runMonth, type DemoSummary } from '../demo/month-demo.ts';
import type { FaultPlan } from '../simulator/index.ts';
import { createRng, generateProfile } from '../seed/demo-profiles.ts';
import { localDate } from '../domain/working-days.ts';
import { systemClock } from '../clock.ts';
import { provisionSoftHsmOrgKey } from '../pki/softhsm-provision.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { issueDevToken } from '../auth/dev-token.ts';

const faultNames: Record<string, string> = { status: 'trả mã lỗi HTTP', 'reset-after': 'ngắt kết nối sau khi lưu', delay: 'trả lời chậm' };

/** `trả mã lỗi HTTP ×12, ngắt kết nối sau khi lưu ×3` — what the simulator did, not its JSON. */
export function describeInjected(injected: Readonly<Record<string, number>>): string {
  const parts = Object.entries(injected).filter(([, n]) => n > 0).map(([action, n]) => `${faultNames[action] ?? action} ×${n}`);
  return parts.join(', ') || 'không có';
}

export interface DemoOptions {
  count: number;
  changes: number;
  serve: boolean;
  /** The organisation key in an HSM (a SoftHSM2 token made for the run) instead of the PKCS#12 file. */
  hsm?: boolean;
  /** Database for the demo (recreated!); default csdl_gateway_demo on the DATABASE_URL server. */
  databaseUrl?: string;
  queuePrefix?: string;
  print?: (line: string) => void;
  /** Rehearse against this national side instead of starting the simulator (§4 base URL). */
  nationalBaseUrl?: string;
  /** Its token endpoint (§2); default NATIONAL_TOKEN_URL when set, else `{nationalBaseUrl}/token`. */
  nationalTokenUrl?: string;
  /** Where the settings come from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The national side of a rehearsal: the settings production would use, with the given URLs. */
export function externalNationalSettings(env: NodeJS.ProcessEnv, baseUrl: string, tokenUrl?: string): Pick<ReturnType<typeof loadConfig>,
  'nationalBaseUrl' | 'nationalTokenUrl' | 'nationalTrustAnchorFiles'> {
  const fromEnv = loadConfig(env);
  const base = baseUrl.replace(/\/+$/, '');
  return {
    nationalBaseUrl: base,
    nationalTokenUrl: tokenUrl ?? (env.NATIONAL_TOKEN_URL ? fromEnv.nationalTokenUrl : `${base}/token`),
    nationalTrustAnchorFiles: fromEnv.nationalTrustAnchorFiles,
  };
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The national side misbehaves as the issue asks: errors, resets after storing, rate limits. */
export const demoFaults: FaultPlan = { seed: 2026, rules: [
  // The first push is refused for good (403): that batch ends FAILED and the operator re-runs it from the console.
  { action: 'status', status: 403, code: 'SENDER_NOT_ALLOWED', times: 1, routes: ['pushBatch'] },
  { action: 'status', status: 503, rate: 0.25, routes: ['pushBatch'] },
  { action: 'reset-after', rate: 0.15, routes: ['pushBatch'] },
  { action: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '1', rate: 0.1, routes: ['pushBatch'] },
] };

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const say = options.print ?? ((line: string) => console.log(`[demo] ${line}`));
  const env = options.env ?? process.env;
  const base = loadConfig(env);
  const demoUrl = new URL(base.databaseUrl);
  demoUrl.pathname = '/csdl_gateway_demo';
  const databaseUrl = options.databaseUrl ?? demoUrl.toString();
  await checkServices({ ...base, databaseUrl });

  const pkiDir = process.env.DEMO_PKI_DIR ?? join(root, 'certs.example/out');
  const manifest = await ensureDemoPki(pkiDir);
  const pki = (file: string) => join(pkiDir, file);
  say(`PKI minh họa tại ${pkiDir} (khóa chỉ dùng cho demo)`);

  await recreateDatabase(databaseUrl, 'demo');
  await migrate(databaseUrl);
  const seedDb = openDb(databaseUrl);
  const seeded = await seedProvince(seedDb, base.provinceCode, { count: options.count, seed: 1 });
  await seedDb.close();
  say(`Đã tạo lại cơ sở dữ liệu ${new URL(databaseUrl).pathname.slice(1)}; sinh ${seeded.agencies} cơ quan, đơn vị và ${seeded.persons} hồ sơ của tỉnh ${base.provinceCode}`);

  // --hsm: the Sở Nội vụ key generated inside a SoftHSM2 token (never extractable); the API and the
  // worker then sign approvals and batches through PKCS#11, configured as a deployment would be.
  const hsmDir = options.hsm ? mkdtempSync(join(tmpdir(), 'csdl-demo-hsm-')) : undefined;
  const hsm = hsmDir ? await provisionSoftHsmOrgKey({ dir: hsmDir, pkiDir, now: systemClock.now() }) : undefined;
  if (hsm) say(`organisation key: RSA-3072 generated inside SoftHSM2 token "${hsm.tokenLabel}" (SOFTHSM2_CONF=${hsm.conf}), signing through PKCS#11`);
  const orgKey = hsm
    ? { signerPkcs11Module: hsm.modulePath, signerPkcs11TokenLabel: hsm.tokenLabel, signerPkcs11KeyLabel: hsm.keyLabel, signerPkcs11PinFile: hsm.pinFile,
      signerP12File: '', signerP12Password: '', signerKeyFile: '', signerCertFile: '' }
    : { signerP12File: pki('org-signer.p12'), signerP12Password: manifest.p12Password };
  const config = loadConfig({}, {
    ...base, databaseUrl, logLevel: process.env.LOG_LEVEL ?? 'fatal', port: 0, authDevMode: true,
    queuePrefix: options.queuePrefix ?? `demo-${randomBytes(3).toString('hex')}`,
    trustAnchorFiles: [pki('trust-anchors.pem')], intermediateFiles: [pki('intermediates.pem')], crlFiles: [pki('crls.pem')],
    ...orgKey,
    nationalTrustAnchorFiles: [pki('national-trust-anchors.pem')],
    simSignerKeyFile: pki('national-signer.key.pem'), simSignerCertFile: pki('national-signer.pem'), simDatabaseUrl: databaseUrl,
    retryBaseMs: 200, retryMaxMs: 2_000, relayIntervalMs: 250, batchMaxRecords: 5,
  });
  const external = options.nationalBaseUrl ? externalNationalSettings(env, options.nationalBaseUrl, options.nationalTokenUrl) : undefined;
  // PORT and SIM_PORT when the operator gives them (to reach the console from a browser); free ports otherwise.
  const sim = external ? undefined : await startConfiguredSimulator(config, { port: process.env.SIM_PORT ? base.simPort : 0, faults: demoFaults });
  const live = loadConfig({}, { ...config, ...(external ?? { nationalBaseUrl: sim!.url, nationalTokenUrl: `${sim!.url}/token` }) });
  if (sim) say(`Hệ thống quốc gia giả lập tại ${sim.url}: khi nhận gói, lần đầu từ chối hẳn (403), sau đó 25% trả lỗi 503, 15% ngắt kết nối sau khi đã lưu, 10% trả 429`);
  else {
    say(`Hệ thống quốc gia ${live.nationalBaseUrl} (cấp mã ${live.nationalTokenUrl}), client ${live.nationalClientId}, đơn vị gửi ${live.senderCode}`
      + `${live.nationalTlsCertFile ? ', TLS hai chiều' : ''}; NATIONAL_TRUST_ANCHORS: ${live.nationalTrustAnchorFiles.join(', ') || 'chưa đặt (không xác minh được hồ sơ kéo về)'}`);
  }

  const rt = openRuntime(live, createLogger(live.logLevel));
  const app = await buildGatewayApp(rt);
  const address = await app.listen({ host: '127.0.0.1', port: process.env.PORT ? base.port : 0 });
  const worker = await startWorker(live);
  say(`API tại ${address} (tài liệu OpenAPI: ${address}/docs); worker đã chạy`);

  const stopAll = async () => {
    await worker.close();
    await app.close();
    await rt.close();
    await sim?.close();
    if (hsmDir) rmSync(hsmDir, { recursive: true, force: true });
  };
  try {
    const summary = await runMonth({
      config: live, apiUrl: address, logger: rt.logger, say,
      headKey: await importPrivateKeyPem(readFileSync(pki('head-ec.key.pem'), 'utf8')),
      headCertificatePem: readFileSync(pki('head-ec.pem'), 'utf8'),
      preloadNewerNationalVersion: sim && (async (personalId) => {
        const p = await rt.db.prisma.person.findUniqueOrThrow({ where: { personalId } });
        await sim.sim.preloadRecord({ version: p.version + 50, holderCode: p.employingAgencyCode, hoSo: {
          SoDinhDanh: p.personalId, MaDonViQuanLy: p.managingAgencyCode, MaDonViSuDung: p.employingAgencyCode, PhanLoai: p.category, TrangThai: p.status,
          SoYeuLyLich: p.profile as never,
          PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: live.senderCode, ThoiGian: '2026-01-30T10:00:00+07:00', SoHieuChungThu: '01', MaBamBienBan: '0'.repeat(64) }],
        } });
      }),
      waitForSettled: () => waitForSettled(rt.db, 180_000),
      // A civil servant of a ministry moves into the province: the national side signs and sends §7.
      sendInboundTransfer: sim && (async (toAgencyCode) => {
        const person = generateProfile(createRng(77), { agencyCode: 'G09.20', today: localDate(systemClock.now()), category: 'CONG_CHUC', serial: 999_001 });
        await sim.sim.preloadRecord({ version: 4, holderCode: 'G09.20', hoSo: {
          SoDinhDanh: person.personalId, MaDonViQuanLy: 'G09.20', MaDonViSuDung: 'G09.20', PhanLoai: person.category, TrangThai: 'DANG_CONG_TAC',
          SoYeuLyLich: person.SoYeuLyLich,
          PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: 'G09.20', ThoiGian: '2026-06-30T10:00:00+07:00', SoHieuChungThu: '0A', MaBamBienBan: '1'.repeat(64) }],
        } });
        const requestId = `YC-${systemClock.now().getTime()}`;
        const sent = await sim.sim.sendTransferRequest(address, { requestId, personalId: person.personalId, fromAgencyCode: 'G09.20', toAgencyCode,
          decisionNo: '456/QĐ-BNV', effectiveDate: localDate(systemClock.now()) });
        say(`   Hệ thống quốc gia gửi yêu cầu chuyển hồ sơ ${requestId} từ G09.20 đến ${toAgencyCode}: HTTP ${sent.status}`);
        return sent.status === 202 ? requestId : null;
      }),
    }, { changes: options.changes });
    if (sim) {
      const stats = await sim.sim.stats();
      say(`   Hệ thống quốc gia nhận ${stats.pushAttempts} lần gửi cho ${Object.values(summary.batches).reduce((a, b) => a + b, 0)} gói; lỗi giả lập đã gây ra: ${describeInjected(stats.faults.injected)}`);
    }
    say('');
    for (const line of formatDemoSummary(summary).split('\n')) say(line);
    if (options.serve) {
      const operatorToken = await issueDevToken({ role: 'PROVINCE_OPERATOR', agency: live.provinceCode, subject: 'snv-van-hanh', expiresIn: '8h' });
      say(`Đang chạy: bảng điều khiển ${address}/console/ — API ${address}` + (sim ? ` — hệ thống quốc gia giả lập ${sim.url}` : ` — hệ thống quốc gia có thể gửi yêu cầu chuyển dữ liệu (§7) tới ${address}/api/v1/inbound/transfer-requests`));
      say('Đăng nhập bảng điều khiển: dán mã truy cập (hiệu lực 8 giờ) của cán bộ vận hành Sở Nội vụ dưới đây;');
      say(`  mã khác: csdl-gateway token --role PROVINCE_OPERATOR --agency ${live.provinceCode} (hoặc UNIT_OFFICER, AGENCY_HEAD, ADMIN)`);
      say(operatorToken);
      say('Nhấn Ctrl-C để dừng.');
      await new Promise<void>((resolveStop) => { process.once('SIGINT', () => resolveStop()); process.once('SIGTERM', () => resolveStop()); });
    }
    return summary;
  } finally {
    await stopAll();
  }
}

/** Until nothing is left to deliver: no pending outbox row and no batch in progress. */
async function waitForSettled(db: ReturnType<typeof openDb>, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const pending = await db.prisma.outbox.count({ where: { doneAt: null } });
    const approved = await db.prisma.profileChange.count({ where: { state: 'PROVINCE_APPROVED', batchId: null } });
    if (pending === 0 && approved === 0) return;
    if (performance.now() > end) {
      // Name what is stuck (topic, key, whether the relay handed it to the queue): a stuck row is a bug to chase.
      const stuck = await db.prisma.outbox.findMany({ where: { doneAt: null }, select: { topic: true, key: true, dispatchedAt: true }, take: 5 });
      const rows = stuck.map((r) => `${r.topic}/${r.key}${r.dispatchedAt ? ' (in the queue)' : ' (not yet in the queue)'}`).join(', ');
      throw new Error(`the month-end push did not settle in ${timeoutMs / 1000} s (${pending} outbox rows pending: ${rows}; ${approved} approved changes without a batch)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

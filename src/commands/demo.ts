// `csdl-gateway demo` (npm run demo): the month-end sync end to end on this machine. It checks
// PostgreSQL and Redis (one line saying exactly what is missing otherwise), makes the demo PKI, recreates
// the demo database and seeds a province, starts the national simulator with injected faults, the API and
// a worker, walks a month through the API (src/demo/month-demo.ts) and prints the summary.
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
  /** Database for the demo (recreated!); default csdl_gateway_demo on the DATABASE_URL server. */
  databaseUrl?: string;
  queuePrefix?: string;
  print?: (line: string) => void;
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
  const base = loadConfig();
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

  const config = loadConfig({}, {
    // The demo narrates failures itself (in Vietnamese); JSON log lines are for LOG_LEVEL=info and up.
    ...base, databaseUrl, logLevel: process.env.LOG_LEVEL ?? 'fatal', port: 0,
    queuePrefix: options.queuePrefix ?? `demo-${randomBytes(3).toString('hex')}`,
    trustAnchorFiles: [pki('trust-anchors.pem')], intermediateFiles: [pki('intermediates.pem')], crlFiles: [pki('crls.pem')],
    signerP12File: pki('org-signer.p12'), signerP12Password: manifest.p12Password,
    nationalTrustAnchorFiles: [pki('national-trust-anchors.pem')],
    simSignerKeyFile: pki('national-signer.key.pem'), simSignerCertFile: pki('national-signer.pem'), simDatabaseUrl: databaseUrl,
    retryBaseMs: 200, retryMaxMs: 2_000, relayIntervalMs: 250, batchMaxRecords: 5,
  });
  // PORT and SIM_PORT when the operator gives them (to reach the console from a browser); free ports otherwise.
  const sim = await startConfiguredSimulator(config, { port: process.env.SIM_PORT ? base.simPort : 0, faults: demoFaults });
  const live = loadConfig({}, { ...config, nationalBaseUrl: sim.url, nationalTokenUrl: `${sim.url}/token` });
  say(`Hệ thống quốc gia giả lập tại ${sim.url}: khi nhận gói, lần đầu từ chối hẳn (403), sau đó 25% trả lỗi 503, 15% ngắt kết nối sau khi đã lưu, 10% trả 429`);

  const rt = openRuntime(live, createLogger(live.logLevel));
  const app = await buildGatewayApp(rt);
  const address = await app.listen({ host: '127.0.0.1', port: process.env.PORT ? base.port : 0 });
  const worker = await startWorker(live);
  say(`API tại ${address} (tài liệu OpenAPI: ${address}/docs); worker đã chạy`);

  const stopAll = async () => {
    await worker.close();
    await app.close();
    await rt.close();
    await sim.close();
  };
  try {
    const summary = await runMonth({
      config: live, apiUrl: address, logger: rt.logger, say,
      headKey: await importPrivateKeyPem(readFileSync(pki('head-ec.key.pem'), 'utf8')),
      headCertificatePem: readFileSync(pki('head-ec.pem'), 'utf8'),
      preloadNewerNationalVersion: async (personalId) => {
        const p = await rt.db.prisma.person.findUniqueOrThrow({ where: { personalId } });
        await sim.sim.preloadRecord({ version: p.version + 50, holderCode: p.employingAgencyCode, hoSo: {
          SoDinhDanh: p.personalId, MaDonViQuanLy: p.managingAgencyCode, MaDonViSuDung: p.employingAgencyCode, PhanLoai: p.category, TrangThai: p.status,
          SoYeuLyLich: p.profile as never,
          PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: live.senderCode, ThoiGian: '2026-01-30T10:00:00+07:00', SoHieuChungThu: '01', MaBamBienBan: '0'.repeat(64) }],
        } });
      },
      waitForSettled: () => waitForSettled(rt.db, 180_000),
      // A civil servant of a ministry moves into the province: the national side signs and sends §7.
      sendInboundTransfer: async (toAgencyCode) => {
        const person = generateProfile(createRng(77), { agencyCode: 'G09.20', today: localDate(new Date()), category: 'CONG_CHUC', serial: 999_001 });
        await sim.sim.preloadRecord({ version: 4, holderCode: 'G09.20', hoSo: {
          SoDinhDanh: person.personalId, MaDonViQuanLy: 'G09.20', MaDonViSuDung: 'G09.20', PhanLoai: person.category, TrangThai: 'DANG_CONG_TAC',
          SoYeuLyLich: person.SoYeuLyLich,
          PheDuyet: [{ Cap: 'SO_NOI_VU', MaDonVi: 'G09.20', ThoiGian: '2026-06-30T10:00:00+07:00', SoHieuChungThu: '0A', MaBamBienBan: '1'.repeat(64) }],
        } });
        const requestId = `YC-${Date.now()}`;
        const sent = await sim.sim.sendTransferRequest(address, { requestId, personalId: person.personalId, fromAgencyCode: 'G09.20', toAgencyCode,
          decisionNo: '456/QĐ-BNV', effectiveDate: localDate(new Date()) });
        say(`   inbound transfer ${requestId} from G09.20 to ${toAgencyCode}: HTTP ${sent.status}`);
        return sent.status === 202 ? requestId : null;
      },
    }, { changes: options.changes });
    const stats = await sim.sim.stats();
    say(`   Hệ thống quốc gia nhận ${stats.pushAttempts} lần gửi cho ${Object.values(summary.batches).reduce((a, b) => a + b, 0)} gói; lỗi giả lập đã gây ra: ${describeInjected(stats.faults.injected)}`);
    say('');
    for (const line of formatDemoSummary(summary).split('\n')) say(line);
    if (options.serve) {
      const operatorToken = await issueDevToken({ role: 'PROVINCE_OPERATOR', agency: live.provinceCode, subject: 'snv-van-hanh', expiresIn: '8h' });
      say(`Đang chạy: bảng điều khiển ${address}/console/ — API ${address} — hệ thống quốc gia giả lập ${sim.url}`);
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
  const end = Date.now() + timeoutMs;
  for (;;) {
    const pending = await db.prisma.outbox.count({ where: { doneAt: null } });
    const approved = await db.prisma.profileChange.count({ where: { state: 'PROVINCE_APPROVED', batchId: null } });
    if (pending === 0 && approved === 0) return;
    if (Date.now() > end) throw new Error(`the month-end push did not settle in ${timeoutMs / 1000} s (${pending} outbox rows pending)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Shared by the transfer tests: a gateway over a real test database (seeded demo province H55) listening
// on 127.0.0.1 so that the national simulator can call it (§7), the simulator over HTTP on the same
// database (its own schema), and the configuration a worker or a national client needs to reach it.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { HoSo } from '../../../src/domain/profile.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { createNationalClient, type NationalClient } from '../../../src/exchange/national-client.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { createLogger } from '../../../src/logger.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';
import { loadNationalTrust } from '../../../src/transfer/national-trust.ts';
import type { TransferJobDeps } from '../../../src/transfer/pull-transfer.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { getTestPki } from '../../support/pki.ts';
import { CLIENT, sampleHoSo, startTestSimulator } from '../simulator/harness.ts';
import { SEED_TODAY } from '../../support/database.ts';
import { testGate } from '../../support/sender-gate.ts';

export interface TransferWorld {
  gateway: TestApp;
  /** Where the gateway listens (the simulator POSTs §7 requests there). */
  gatewayUrl: string;
  sim: RunningSimulator;
  /** Configuration of a worker or client of this gateway and simulator. */
  config: Config;
  close(): Promise<void>;
}

export async function startWorld(options: { persons?: number; simSchema?: string } = {}): Promise<TransferWorld> {
  const pki = await getTestPki();
  const gateway = await createTestApp({ nationalTrustAnchorFiles: [pki.path('national-trust-anchors.pem')], retryDeadlineHours: 1 });
  await seedProvince(gateway.database.db, 'H55', { today: SEED_TODAY, count: options.persons ?? 20, seed: 11 });
  const gatewayUrl = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const sim = await startTestSimulator(gateway.database.url, options.simSchema ? { schema: options.simSchema } : {});
  const config = loadConfig({}, {
    databaseUrl: gateway.database.url, redisUrl: 'redis://127.0.0.1:6379', queuePrefix: `test-transfers-${randomBytes(4).toString('hex')}`,
    logLevel: 'silent', nationalBaseUrl: sim.url, nationalTokenUrl: `${sim.url}/token`, nationalClientId: CLIENT.clientId,
    nationalClientSecret: CLIENT.clientSecret, senderCode: 'H55.19', retryBaseMs: 20, retryMaxMs: 200, relayIntervalMs: 100,
    workerLockMs: 2_000, nationalTrustAnchorFiles: [pki.path('national-trust-anchors.pem')],
  });
  return {
    gateway, gatewayUrl, sim, config,
    close: async () => {
      await sim.close();
      await gateway.close();
    },
  };
}

/** A national client of `sim` (the province's credentials). */
export function clientOf(sim: RunningSimulator): NationalClient {
  return createNationalClient({ baseUrl: sim.url, tokenUrl: `${sim.url}/token`, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, senderCode: 'H55.19', gate: testGate() });
}

/** What the pull and acknowledgement jobs need, for tests that call them directly. */
export function jobDeps(world: TransferWorld, client: NationalClient): TransferJobDeps {
  return {
    db: world.gateway.database.db, client, trust: loadNationalTrust(world.config), logger: createLogger('silent'),
    ackWindowMs: 60_000, maxRecordBytes: 1 << 20,
  };
}

/** A record held by a ministry (G09.20) for the national side to answer; `seq` makes the personal id. */
export function ministryRecord(seq: number, overrides: Partial<HoSo> = {}): HoSo {
  return sampleHoSo(seq, { MaDonViQuanLy: 'G09.20', MaDonViSuDung: 'G09.20', TrangThai: 'CHUYEN_RA_NGOAI_TINH', ...overrides });
}

/** The acknowledgement the simulator recorded for a request. */
export async function simAck(world: TransferWorld, requestId: string, schema = 'national_sim'): Promise<{ ack_status: string | null; ack_reason: string | null } | undefined> {
  const { rows } = await world.gateway.database.db.pool.query<{ ack_status: string | null; ack_reason: string | null }>(
    `SELECT ack_status, ack_reason FROM ${schema}.transfer_requests WHERE request_id = $1`, [requestId]);
  return rows[0];
}

export async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw JSON POST (for bodies the simulator's sender would refuse to build). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? null : JSON.parse(text) };
}

// `csdl-gateway sync --period`: progress per batch and a summary an operator can read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, SEED_TODAY } from '../../support/database.ts';
import { approvedChanges } from '../../support/approved-changes.ts';
import { getTestPki } from '../../support/pki.ts';
import { seedProvince } from '../../../src/commands/seed.ts';
import { runSync } from '../../../src/commands/sync.ts';
import { loadConfig } from '../../../src/config.ts';
import { CLIENT, startTestSimulator } from '../simulator/harness.ts';
import type { RunningSimulator } from '../../../src/simulator/index.ts';

let database: TestDatabase;
let sim: RunningSimulator;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedProvince(database.db, 'H55', { today: SEED_TODAY, count: 100, seed: 21 });
  sim = await startTestSimulator(database.url);
});
afterAll(async () => {
  await sim?.close();
  await database?.drop();
});

describe('csdl-gateway sync', () => {
  it('builds, pushes and prints a progress line per batch and a summary', async () => {
    const pki = await getTestPki();
    const { period } = await approvedChanges(database.db, 9);
    sim.sim.setFaults({ seed: 1, rules: [{ action: 'status', status: 503, rate: 0.3, routes: ['pushBatch'] }] });
    const lines: string[] = [];
    const summary = await runSync(loadConfig({}, {
      databaseUrl: database.url, logLevel: 'silent', nationalBaseUrl: sim.url, nationalTokenUrl: `${sim.url}/token`,
      nationalClientId: CLIENT.clientId, nationalClientSecret: CLIENT.clientSecret, senderCode: 'H55.19', batchMaxRecords: 4,
      retryBaseMs: 10, retryMaxMs: 100, signerKeyFile: pki.identity('org-signer').keyPath, signerCertFile: pki.path('org-signer.chain.pem'),
    }), period, (line) => lines.push(line));
    expect(summary.batches).toEqual({ accepted: 3, partial: 0, failed: 0 });
    expect(lines[0]).toBe('Đã lập 3 gói (9 hồ sơ)');
    expect(lines.filter((l) => /^\[\d\/3\] H55\.19-\d{4}-\d{2}-\d+ ACCEPTED sau \d+ lần gửi$/.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toContain('Hồ sơ: 9 được chấp nhận, 0 bị từ chối');
  }, 60_000);

  it('refuses to run without the organisation key', async () => {
    await expect(runSync(loadConfig({}, { databaseUrl: database.url, logLevel: 'silent' }), null, () => {}))
      .rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

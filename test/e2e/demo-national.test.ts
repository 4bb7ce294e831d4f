// `csdl-gateway demo --national-base-url URL`: the month rehearsed against a national side the demo did
// not start — here `csdl-gateway simulator` in a process of its own, on its own database, signing with
// the demo PKI's national signer (certs.example/README.md) — with the client credentials and
// NATIONAL_TRUST_ANCHORS taken from the environment as production takes them.
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from 'undici';
import { runDemo } from '../../src/commands/demo.ts';
import { ensureDemoPki } from '../../src/commands/local-setup.ts';
import { createTestDatabase, type TestDatabase, scratchDatabase } from '../support/database.ts';
import { dumpProcessOutput, freePort, REPO_ROOT, spawnCli, stopAllProcesses } from '../support/worker-process.ts';

const scratch = scratchDatabase('demo_national');
let simDb: TestDatabase | undefined;

afterAll(async () => {
  await stopAllProcesses();
  await simDb?.drop();
  await scratch.drop();
});

describe('demo --national-base-url', () => {
  it('runs the month against a national side started separately, with the production settings from the environment', async () => {
    onTestFailed(() => console.error(dumpProcessOutput()));
    const pkiDir = process.env.DEMO_PKI_DIR ?? join(REPO_ROOT, 'certs.example/out');
    await ensureDemoPki(pkiDir);
    const pki = (file: string) => join(pkiDir, file);
    simDb = await createTestDatabase('gw_national_side');
    const port = await freePort();
    const credentials = { NATIONAL_CLIENT_ID: `rehearsal-${randomBytes(3).toString('hex')}`, NATIONAL_CLIENT_SECRET: randomBytes(12).toString('hex') };
    const national = spawnCli('national-side', ['simulator'], {
      DATABASE_URL: simDb.url, HOST: '127.0.0.1', SIM_PORT: String(port), ...credentials, SENDER_CODE: 'H55.19', PROVINCE_CODE: 'H55',
      TRUST_ANCHORS: pki('trust-anchors.pem'), CRL_FILES: pki('crls.pem'),
      SIM_SIGNER_KEY_FILE: pki('national-signer.key.pem'), SIM_SIGNER_CERT_FILE: pki('national-signer.pem'),
    }, 'national simulator listening on');
    await national.started;
    const base = `http://127.0.0.1:${port}`;

    const lines: string[] = [];
    const env: NodeJS.ProcessEnv = { ...process.env, ...credentials, NATIONAL_TRUST_ANCHORS: pki('national-trust-anchors.pem'), PROVINCE_CODE: 'H55', SENDER_CODE: 'H55.19' };
    delete env.NATIONAL_TOKEN_URL;
    const summary = await runDemo({ count: 200, changes: 8, serve: false, databaseUrl: scratch.url, queuePrefix: `demo-national-${randomBytes(3).toString('hex')}`,
      print: (line) => lines.push(line), nationalBaseUrl: base, env });

    const text = lines.join('\n');
    expect(text).not.toContain('Hệ thống quốc gia giả lập tại');
    expect(text).toContain(`Hệ thống quốc gia ${base} (cấp mã ${base}/token), client ${credentials.NATIONAL_CLIENT_ID}`);
    expect(text).toContain('bỏ qua hồ sơ chuyển đến');
    expect(summary).toMatchObject({ entered: 8, returned: 1, provinceApproved: 7, synced: 7, rejected: [], transfers: [] });
    expect(Object.keys(summary.batches).every((s) => s === 'ACCEPTED')).toBe(true);

    // The national side, asked directly, holds what the demo says it sent, and saw the §4 limits kept.
    const stats = await request(`${base}/_sim/stats`).then((r) => r.body.json()) as {
      stored: { records: number }; calls: Record<string, number>; senders: Record<string, { maxInFlight: number; early: { count: number } }>;
    };
    expect(stats.stored.records).toBe(7);
    expect(stats.calls.token).toBeGreaterThanOrEqual(1);
    expect(stats.senders['H55.19']!.maxInFlight).toBeLessThanOrEqual(4);
    expect(stats.senders['H55.19']!.early.count).toBe(0);
    await national.terminate(10_000);
  }, 240_000);
});

// `npm run demo -- --hsm`: the same month with the organisation key inside a SoftHSM2 token; the
// province approvals and every batch the national side received are signed through PKCS#11.
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runDemo } from '../../src/commands/demo.ts';
import { scratchDatabase } from '../support/database.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates } from '../../src/pki/certificates.ts';
import { parseCrls } from '../../src/pki/crl.ts';
import { verifyDetached } from '../../src/pki/verify-cms.ts';


const scratch = scratchDatabase('demo_hsm_test');

afterAll(async () => {
  await scratch.drop();
});

describe('npm run demo -- --hsm', () => {
  it('walks the month with the organisation key in the HSM', async () => {
    const lines: string[] = [];
    const summary = await runDemo({ count: 300, changes: 14, serve: false, hsm: true, databaseUrl: scratch.url,
      queuePrefix: `demo-hsm-test-${randomBytes(3).toString('hex')}`, print: (line) => lines.push(line) });
    expect(lines.join('\n')).toContain('generated inside SoftHSM2 token "csdl-hsm"');
    expect(summary.provinceApproved).toBe(13);
    expect(summary.synced).toBe(12);
    expect(Object.keys(summary.batches).every((s) => s === 'ACCEPTED' || s === 'PARTIAL')).toBe(true);

    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const approvals = await client.query<{ signer_subject: string }>(`SELECT signer_subject FROM approval WHERE level = 'SO_NOI_VU'`);
      expect(approvals.rows.length).toBeGreaterThan(0);
      expect(approvals.rows.every((r) => r.signer_subject.includes('(HSM)'))).toBe(true);
      const pkiDir = process.env.DEMO_PKI_DIR ?? join(import.meta.dirname, '../../certs.example/out');
      const trust = { trustAnchors: parseCertificates(readFileSync(join(pkiDir, 'trust-anchors.pem'))), crls: parseCrls(readFileSync(join(pkiDir, 'crls.pem'))) };
      const batches = await client.query<{ payload: Buffer; signature: Buffer }>('SELECT payload, signature FROM batch');
      expect(batches.rows.length).toBeGreaterThan(0);
      for (const b of batches.rows) {
        expect((await verifyDetached(b.payload, b.signature, { ...trust, requireRevocation: true })).subject).toContain('Sở Nội vụ tỉnh Demo (HSM)');
      }
    } finally {
      await client.end();
    }
  }, 240_000);
});

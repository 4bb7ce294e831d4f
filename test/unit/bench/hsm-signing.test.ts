// The HSM stage of `npm run bench` on a small month: every batch signed by both keys, the HSM's
// signatures verified, the figures consistent (no speed is asserted: that is the bench's job).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { benchHsmSigning } from '../../../src/bench/hsm-signing.ts';
import { getTestPki } from '../../support/pki.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-hsm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('signs the month’s batches with the file key and the HSM key and reports the ratio', async () => {
  const pki = await getTestPki();
  const h = await benchHsmSigning({ records: 12, batchSize: 5, pkiDir: pki.dir, p12Password: pki.p12Password, workDir: join(dir, 'hsm'), now: new Date(), senderCode: 'H55.19' });
  expect(h).toMatchObject({ records: 12, batches: 3, key: 'RSA-3072 (file: RSA-3072), RSASSA-PSS' });
  expect(h.payloadMiB).toBeGreaterThan(0);
  expect(h.fileSeconds).toBeGreaterThan(0);
  expect(h.hsmSeconds).toBeGreaterThan(0);
  expect(h.ratio).toBeCloseTo(h.hsmSeconds / h.fileSeconds, 10);
  expect(h.perBatchMs.hsm).toBeCloseTo((h.hsmSeconds * 1000) / 3, 6);
});

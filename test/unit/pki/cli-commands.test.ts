import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subjectOf } from '../../../src/pki/certificates.ts';
import { runSign, runVerify } from '../../../src/pki/cli-commands.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

let pki: TestPki;
let dir: string;
const env = { DEMO_P12_PASSWORD: '' };

beforeAll(async () => {
  pki = await getTestPki();
  env.DEMO_P12_PASSWORD = pki.p12Password;
  dir = await mkdtemp(join(tmpdir(), 'pki-cli-'));
  await writeFile(join(dir, 'batch.xml'), '<GoiTinDongBo>Lê Thị Hà</GoiTinDongBo>');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runSign', () => {
  it('signs with the PKCS#12 file, its password taken from the named environment variable', async () => {
    const out = join(dir, 'p12.p7s');
    const result = await runSign({ in: join(dir, 'batch.xml'), out, p12: pki.path('org-signer.p12'), p12PasswordEnv: 'DEMO_P12_PASSWORD', env });
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toContain(subjectOf(pki.certificate('org-signer')));
    expect((await readFile(out)).byteLength).toBeGreaterThan(1000);
  });

  it('signs with PEM key, certificate and chain', async () => {
    const signer = pki.identity('head-ec');
    const result = await runSign({
      in: join(dir, 'batch.xml'), out: join(dir, 'pem.p7s'), key: signer.keyPath, cert: signer.certificatePath, chain: pki.path('intermediates.pem'),
    });
    expect(result.exitCode).toBe(0);
  });

  it.each([
    ['the password variable is not set', { p12PasswordEnv: 'NOT_SET_ANYWHERE' }, 'KEY_LOAD_FAILED'],
    ['the password is wrong', { p12PasswordEnv: 'WRONG' }, 'KEY_LOAD_FAILED'],
    ['no password variable named', {}, 'BAD_REQUEST'],
  ])('exit 2 when %s', async (_name, extra, code) => {
    const result = await runSign({ in: join(dir, 'batch.xml'), out: join(dir, 'x.p7s'), p12: pki.path('org-signer.p12'), env: { ...env, WRONG: 'sai-mat-khau' }, ...extra });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.startsWith(`${code}:`)).toBe(true);
  });

  it('exit 2 for a missing input file', async () => {
    const signer = pki.identity('head-ec');
    const result = await runSign({ in: join(dir, 'missing.xml'), out: join(dir, 'y.p7s'), key: signer.keyPath, cert: signer.certificatePath });
    expect(result).toMatchObject({ exitCode: 2 });
    expect(result.stderr).toMatch(/^BAD_REQUEST:/);
  });
});

describe('runVerify', () => {
  beforeAll(async () => {
    await runSign({ in: join(dir, 'batch.xml'), out: join(dir, 'ok.p7s'), p12: pki.path('org-signer.p12'), p12PasswordEnv: 'DEMO_P12_PASSWORD', env });
    const revoked = pki.identity('revoked-signer');
    await runSign({ in: join(dir, 'batch.xml'), out: join(dir, 'revoked.p7s'), key: revoked.keyPath, cert: revoked.certificatePath, chain: pki.path('intermediates.pem') });
  });

  it('prints the signer’s subject first and exits 0', async () => {
    const result = await runVerify({ in: join(dir, 'batch.xml'), sig: join(dir, 'ok.p7s'), ca: [pki.path('trust-anchors.pem')], crl: [pki.path('crls.pem')] });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(subjectOf(pki.certificate('org-signer')));
    expect(result.stdout).toContain('algorithm: RSASSA-PSS/SHA-256');
    expect(result.stdout).toContain('revocation: crl:good, crl:good');
  });

  it.each([
    ['changed content', 'changed.xml', 'ok.p7s', ['trust-anchors.pem'], 'DIGEST_MISMATCH'],
    ['another trust anchor', 'batch.xml', 'ok.p7s', ['national-trust-anchors.pem'], 'CERT_UNTRUSTED'],
    ['a revoked signer', 'batch.xml', 'revoked.p7s', ['trust-anchors.pem'], 'CERT_REVOKED'],
    ['a file that is not a signature', 'batch.xml', 'batch.xml', ['trust-anchors.pem'], 'BAD_SIGNATURE'],
  ])('prints the error code and exits 1 for %s', async (_name, input, sig, ca, code) => {
    await writeFile(join(dir, 'changed.xml'), '<GoiTinDongBo>Lê Thị Hà.</GoiTinDongBo>');
    const result = await runVerify({ in: join(dir, input), sig: join(dir, sig), ca: ca.map((file) => pki.path(file)), crl: [pki.path('crls.pem')] });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(`${code}:`)).toBe(true);
  });

  it('exits 2 without a trust anchor or with an unreadable one', async () => {
    expect((await runVerify({ in: join(dir, 'batch.xml'), sig: join(dir, 'ok.p7s'), ca: [] })).exitCode).toBe(2);
    expect((await runVerify({ in: join(dir, 'batch.xml'), sig: join(dir, 'ok.p7s'), ca: [join(dir, 'batch.xml')] })).exitCode).toBe(2);
  });
});

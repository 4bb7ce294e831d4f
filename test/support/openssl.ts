// `openssl cms -verify` of a detached CMS against the test PKI's anchors and CRLs (Debian's OpenSSL 3).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestPki } from './pki.ts';

const run = promisify(execFile);

export async function opensslVerifyDetached(pki: TestPki, content: Uint8Array, cms: Uint8Array): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'openssl-verify-'));
  try {
    await writeFile(join(dir, 'content'), content);
    await writeFile(join(dir, 'sig.p7s'), cms);
    // `cms` has no -CRLfile: CRLs placed in the CAfile are loaded with the anchors.
    await writeFile(join(dir, 'anchors.pem'), `${await readFile(pki.path('trust-anchors.pem'), 'utf8')}${await readFile(pki.path('crls.pem'), 'utf8')}`);
    try {
      const { stderr } = await run('/usr/bin/openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'sig.p7s'),
        '-content', join(dir, 'content'), '-CAfile', join(dir, 'anchors.pem'), '-purpose', 'any', '-crl_check_all', '-out', '/dev/null'], { encoding: 'utf8' });
      return { ok: stderr.includes('Verification successful'), output: stderr };
    } catch (err) {
      const failed = err as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

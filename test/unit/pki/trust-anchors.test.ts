// TRUST_ANCHORS must be CA certificates unless pinning is configured; a garbage signature is refused
// with a stable reason, never asn1js's text.
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorFault, assertTrustAnchors } from '../../../src/pki/trust-anchors.ts';
import { loadSigningSetup } from '../../../src/approval/signing-setup.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import { loadConfig } from '../../../src/config.ts';
import { isGatewayError } from '../../../src/errors.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';

let pki: TestPki;
beforeAll(async () => { pki = await getTestPki(); });

async function refusal(p: Promise<unknown> | (() => unknown)) {
  try {
    if (typeof p === 'function') p(); else await p;
  } catch (err) {
    if (isGatewayError(err)) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('trust anchors', () => {
  it('accepts the root and intermediate CAs', () => {
    expect(anchorFault(pki.certificate('root-ca'))).toBeUndefined();
    expect(anchorFault(pki.certificate('intermediate-ca'))).toBeUndefined();
  });

  it('refuses a leaf at start-up, naming the variable and what to do, unless pinning is configured', async () => {
    expect(anchorFault(pki.certificate('org-signer'))).toBe('NOT_A_CA');
    const err = await refusal(() => assertTrustAnchors([pki.certificate('org-signer')], 'TRUST_ANCHORS', false));
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', details: { variable: 'TRUST_ANCHORS', reason: 'NOT_A_CA', hint: expect.stringContaining('TRUST_ANCHOR_PINNING') } });
    expect(() => assertTrustAnchors([pki.certificate('org-signer')], 'TRUST_ANCHORS', true)).not.toThrow();

    const leaf = loadConfig({}, { trustAnchorFiles: [pki.path('org-signer.pem')] });
    expect(await refusal(loadSigningSetup(leaf))).toMatchObject({ code: 'CONFIG_INVALID', details: { reason: 'NOT_A_CA' } });
    const pinned = loadConfig({}, { trustAnchorFiles: [pki.path('org-signer.pem')], trustAnchorPinning: true });
    expect((await loadSigningSetup(pinned)).trustAnchors).toHaveLength(1);
  });
});

describe('garbage signatures', () => {
  it.each([
    ['random bytes', new Uint8Array([0x30, 0x82, 0xff, 0xff, 0x01, 0x02, 0x03])],
    ['not DER at all', new TextEncoder().encode('<html>not a signature</html>')],
    ['an empty value', new Uint8Array()],
    ['a certificate instead of a CMS', new Uint8Array(0)],
  ])('%s: BAD_SIGNATURE with a stable reason and no library text', async (what, given) => {
    const bytes = what === 'a certificate instead of a CMS' ? new Uint8Array(Buffer.from(pki.certificate('root-ca').toSchema().toBER())) : given;
    const err = await refusal(verifyDetached(new Uint8Array([1, 2, 3]), bytes, { trustAnchors: pki.trustAnchors }));
    expect(err.code).toBe('BAD_SIGNATURE');
    const answer = JSON.stringify(err.toJSON());
    expect(answer).not.toMatch(/asn1|ASN\.1|block|Wrong|length|Object's schema|Unknown|pkijs|TypeError/i);
    expect(Object.keys((err.details ?? {}) as object).every((k) => ['reason', 'what', 'field'].includes(k))).toBe(true);
  });
});

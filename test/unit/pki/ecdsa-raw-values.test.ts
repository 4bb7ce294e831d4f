// Regression: raw ECDSA values (r‖s) whose first byte looks like another ASN.1 tag must be accepted.
import { describe, expect, it } from 'vitest';
import { getTestPki } from '../../support/pki.ts';
import { assembleExternalSignature, prepareExternalSignature, signPreparedDigest } from '../../../src/pki/external-signing.ts';

describe('raw ECDSA signature values from a token', () => {
  it('assemble for 64 different signing times, whatever their first byte', async () => {
    const pki = await getTestPki();
    const id = pki.identity('head-ec');
    const firstBytes = new Set<number>();
    for (let i = 0; i < 64; i++) {
      const prepared = prepareExternalSignature({ data: Buffer.from(`manifest ${i}`), signerCertificate: id.certificate, signingTime: new Date(Date.now() + i * 1000) });
      const value = await signPreparedDigest(pki.key('head-ec'), prepared.signedAttrsDer);
      firstBytes.add(value[0]!);
      await expect(assembleExternalSignature({ prepared, signatureValue: value, signerCertificate: id.certificate })).resolves.toBeInstanceOf(Uint8Array);
    }
    expect(firstBytes.size).toBeGreaterThan(20);
  });
});

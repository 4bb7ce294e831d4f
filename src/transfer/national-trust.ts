// What the gateway trusts from the national side: the CAs of NATIONAL_TRUST_ANCHORS, loaded once at
// start-up, and the one way a national signature (pulled records §5, transfer requests §7) is checked.
// Every verification failure is BAD_SIGNATURE (the code §7 names), with the PKI's own code (CERT_UNTRUSTED,
// DIGEST_MISMATCH, CERT_EXPIRED…) kept in `details.reason`.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { parseCertificates, type Certificate } from '../pki/certificates.ts';
import { verifyDetached, type VerifyResult } from '../pki/verify-cms.ts';
import { assertTrustAnchors } from '../pki/trust-anchors.ts';

export interface NationalTrust {
  readonly trustAnchors: readonly Certificate[];
}

export function loadNationalTrust(config: Pick<Config, 'nationalTrustAnchorFiles'> & Partial<Pick<Config, 'trustAnchorPinning'>>): NationalTrust {
  const trustAnchors = config.nationalTrustAnchorFiles.flatMap((file) => {
    try {
      return parseCertificates(readFileSync(file));
    } catch (err) {
      throw new GatewayError('CONFIG_INVALID', { variable: 'NATIONAL_TRUST_ANCHORS', file, reason: (err as Error).message });
    }
  });
  assertTrustAnchors(trustAnchors, 'NATIONAL_TRUST_ANCHORS', config.trustAnchorPinning ?? false);
  return { trustAnchors };
}

/**
 * Verifies a detached CMS of the national signer over `data` (NATIONAL_API.md §3). Without a configured
 * trust anchor nothing can be verified: CONFIG_INVALID (a server error, so a sender tries again later).
 */
export async function verifyNationalSignature(data: Uint8Array, cms: Uint8Array, trust: NationalTrust, now?: Date): Promise<VerifyResult> {
  if (trust.trustAnchors.length === 0) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'NATIONAL_TRUST_ANCHORS', reason: 'no trust anchor configured' });
  }
  try {
    return await verifyDetached(data, cms, { trustAnchors: trust.trustAnchors, ...(now ? { now } : {}) });
  } catch (err) {
    if (isGatewayError(err)) throw new GatewayError('BAD_SIGNATURE', { reason: err.code, ...(err.details ? { pki: err.details } : {}) });
    throw new GatewayError('BAD_SIGNATURE', { reason: 'UNREADABLE' }, { cause: err });
  }
}

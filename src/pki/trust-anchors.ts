// What may be a trust anchor. A trust anchor vouches for every certificate it issued, so it must be a CA
// certificate (basicConstraints cA TRUE and, when keyUsage is present, keyCertSign; RFC 5280 §4.2.1.9,
// §4.2.1.3). A leaf put in TRUST_ANCHORS by mistake (a signer's certificate instead of its root) is
// refused at start-up: it would otherwise "trust" whatever chain the verifier builds to it. Pinning one
// end-entity certificate is a legitimate choice for some deployments, so it is allowed, but only when
// TRUST_ANCHOR_PINNING says so explicitly.
import { GatewayError } from '../errors.ts';
import { basicConstraintsOf, keyUsageOf, subjectOf, type Certificate } from './certificates.ts';

export type AnchorFault = 'NOT_A_CA' | 'NO_KEY_CERT_SIGN';

export function anchorFault(cert: Certificate): AnchorFault | undefined {
  if (basicConstraintsOf(cert)?.ca !== true) return 'NOT_A_CA';
  const usage = keyUsageOf(cert);
  if (usage && !usage.has('keyCertSign')) return 'NO_KEY_CERT_SIGN';
  return undefined;
}

/** Refuses (CONFIG_INVALID naming the variable and the certificate) any anchor that is not a CA, unless pinning is configured. */
export function assertTrustAnchors(certs: readonly Certificate[], variable: string, pinningAllowed: boolean): void {
  if (pinningAllowed) return;
  for (const cert of certs) {
    const fault = anchorFault(cert);
    if (fault) {
      throw new GatewayError('CONFIG_INVALID', {
        variable, reason: fault, subject: subjectOf(cert),
        hint: 'a trust anchor must be a CA certificate (the root that issued the signer); set TRUST_ANCHOR_PINNING=true to pin an end-entity certificate on purpose',
      });
    }
  }
}

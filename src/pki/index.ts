// The public face of src/pki: what the rest of the gateway (approval workflow, exchange, simulator,
// CLI, metrics) uses. The modules behind it own one structure or step each (STYLE.md rule 8).
export { signDetached, addSignatureTimestamp, type SignOptions } from './sign-cms.ts';
export { verifyDetached, type VerifyOptions, type VerifyResult } from './verify-cms.ts';
export {
  prepareExternalSignature, assembleExternalSignature, signPreparedDigest,
  type PrepareOptions, type PreparedSignature, type AssembleOptions, type ExternalAlgorithmHint,
} from './external-signing.ts';
export { loadSigningIdentity, type SigningIdentity, type IdentitySource } from './signing-identity.ts';
export { importPrivateKeyPem, importPkcs8, type SigningKey } from './keys.ts';
export {
  parseCertificate, parseCertificates, certificateDer, subjectOf, issuerOf, serialNumberHex, notBefore, notAfter,
  daysToExpiry, keyUsageOf, extendedKeyUsageOf, summarizeCertificate, type Certificate, type CertificateSummary,
} from './certificates.ts';
export { validateCertificatePath, type PathOptions } from './cert-chain.ts';
export { parseCrls, parseCrl, crlDer, createCrl, type Crl, type RevocationEntry } from './crl.ts';
export { checkRevocation, type RevocationEvidence, type RevocationOptions } from './revocation.ts';
export { queryOcsp, readOcspResponse, type OcspSource, type OcspTransport } from './ocsp.ts';
export { createOcspResponder, ocspRoutes, type OcspResponderOptions, type OcspCertStatus } from './ocsp-responder.ts';
export { requestTimestamp, type TsaEndpoint, type TimestampTransport, type TimestampRequestOptions } from './timestamp-client.ts';
export { verifyTimestampToken, type VerifiedTimestamp } from './timestamp-token.ts';
export { createTsaHandler, tsaRoutes, DEMO_TSA_POLICY, type TsaOptions, type TsaHandler } from './tsa.ts';
export { runSign, runVerify, type CommandResult, type RunSignOptions, type RunVerifyOptions } from './cli-commands.ts';
export type { SignatureAlgorithm, SignatureScheme, HashName } from './algorithms.ts';

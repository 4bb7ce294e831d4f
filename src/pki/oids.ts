// Object identifiers used by the signature code, named after their RFC names.

// ── hashes (RFC 5754) ──────────────────────────────────────────────────────
export const OID_SHA1 = '1.3.14.3.2.26';
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
export const OID_SHA384 = '2.16.840.1.101.3.4.2.2';
export const OID_SHA512 = '2.16.840.1.101.3.4.2.3';

// ── public keys and signatures (RFC 8017, RFC 5480, RFC 5758) ─────────────
export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_MGF1 = '1.2.840.113549.1.1.8';
export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const OID_SHA384_WITH_RSA = '1.2.840.113549.1.1.12';
export const OID_SHA512_WITH_RSA = '1.2.840.113549.1.1.13';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
export const OID_ECDSA_SHA384 = '1.2.840.10045.4.3.3';
export const OID_ECDSA_SHA512 = '1.2.840.10045.4.3.4';
export const OID_P256 = '1.2.840.10045.3.1.7';
export const OID_P384 = '1.3.132.0.34';
export const OID_P521 = '1.3.132.0.35';

// ── CMS content types and attributes (RFC 5652, RFC 5035, RFC 3161) ───────
export const OID_DATA = '1.2.840.113549.1.7.1';
export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
export const OID_ATTR_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_ATTR_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_ATTR_SIGNING_TIME = '1.2.840.113549.1.9.5';
export const OID_ATTR_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
export const OID_ATTR_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
export const OID_ATTR_SIGNATURE_TIME_STAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';

// ── certificate and CRL extensions (RFC 5280) ─────────────────────────────
export const OID_EXT_SUBJECT_KEY_ID = '2.5.29.14';
export const OID_EXT_KEY_USAGE = '2.5.29.15';
export const OID_EXT_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_EXT_ISSUER_ALT_NAME = '2.5.29.18';
export const OID_EXT_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_EXT_CRL_NUMBER = '2.5.29.20';
export const OID_EXT_CRL_REASON = '2.5.29.21';
export const OID_EXT_DELTA_CRL_INDICATOR = '2.5.29.27';
export const OID_EXT_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
export const OID_EXT_CERTIFICATE_ISSUER = '2.5.29.29';
export const OID_EXT_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
export const OID_EXT_CERTIFICATE_POLICIES = '2.5.29.32';
export const OID_EXT_POLICY_CONSTRAINTS = '2.5.29.36';
export const OID_EXT_AUTHORITY_KEY_ID = '2.5.29.35';
export const OID_EXT_EXT_KEY_USAGE = '2.5.29.37';
export const OID_EXT_INHIBIT_ANY_POLICY = '2.5.29.54';
export const OID_EXT_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';

// ── extended key usages and access methods (RFC 5280, RFC 6960) ───────────
export const OID_KP_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const OID_KP_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
export const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
export const OID_OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';

// ── names (RFC 5280 appendix A, RFC 4519) ─────────────────────────────────
export const OID_AT_COMMON_NAME = '2.5.4.3';
export const OID_AT_SERIAL_NUMBER = '2.5.4.5';
export const OID_AT_COUNTRY = '2.5.4.6';
export const OID_AT_LOCALITY = '2.5.4.7';
export const OID_AT_STATE = '2.5.4.8';
export const OID_AT_ORGANIZATION = '2.5.4.10';
export const OID_AT_ORGANIZATIONAL_UNIT = '2.5.4.11';
export const OID_AT_TITLE = '2.5.4.12';
export const OID_AT_UID = '0.9.2342.19200300.100.1.1';
export const OID_AT_EMAIL = '1.2.840.113549.1.9.1';

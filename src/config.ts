// Every setting of the gateway, read from the environment once at start-up and validated there.
// Each entry says where its default comes from; the README's configuration table mirrors this list
// (`csdl-gateway config` prints it).
import { GatewayError } from './errors.ts';

type Parser<T> = (raw: string, name: string) => T;

interface Setting<T> {
  readonly env: string;
  readonly description: string;
  readonly default?: T;
  readonly parse: Parser<T>;
}

function invalid(name: string, reason: string): never {
  throw new GatewayError('CONFIG_INVALID', { variable: name, reason });
}

const str: Parser<string> = (raw) => raw;
const int = (min: number, max: number): Parser<number> => (raw, name) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) invalid(name, `expected an integer ${min}..${max}`);
  return n;
};
const bool: Parser<boolean> = (raw, name) => {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  return invalid(name, 'expected true or false');
};
const authority: Parser<'grants' | 'claims' | ''> = (raw, name) => {
  if (!['grants', 'claims', ''].includes(raw)) invalid(name, 'expected grants or claims');
  return raw as 'grants' | 'claims' | '';
};
const list: Parser<string[]> = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean);
const provinceCode: Parser<string> = (raw, name) => {
  if (!/^[GHK][0-9]{2}$/.test(raw)) invalid(name, 'expected a level-1 agency code such as H55');
  return raw;
};
const logLevel: Parser<string> = (raw, name) => {
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)) invalid(name, 'unknown log level');
  return raw;
};

function setting<T>(env: string, description: string, parse: Parser<T>, fallback?: T): Setting<T> {
  return fallback === undefined ? { env, description, parse } : { env, description, parse, default: fallback };
}

const MiB = 1024 * 1024;

export const settings = {
  databaseUrl: setting('DATABASE_URL', 'PostgreSQL connection string of the provincial database', str, 'postgresql://postgres@127.0.0.1:5432/csdl_gateway'),
  databaseConnectTimeoutMs: setting('DATABASE_CONNECT_TIMEOUT_MS', 'Longest wait for a database connection (a new one, or a free one of the pool) before a request answers 503 DATABASE_UNAVAILABLE', int(100, 600_000), 15_000),
  redisUrl: setting('REDIS_URL', 'Redis for the job queues (BullMQ), or redis+sentinel://host:port,…/master for Sentinel', str, 'redis://127.0.0.1:6379'),
  queuePrefix: setting('QUEUE_PREFIX', 'BullMQ key prefix: deployments (or test runs) sharing one Redis use different prefixes', str, 'csdl'),
  host: setting('HOST', 'Address the API listens on', str, '127.0.0.1'),
  port: setting('PORT', 'Port the API listens on', int(0, 65535), 3000),
  logLevel: setting('LOG_LEVEL', 'pino log level (fatal … trace, silent)', logLevel, 'info'),
  provinceCode: setting('PROVINCE_CODE', "The province's level-1 agency code (NATIONAL_API.md §1), e.g. H55", provinceCode, 'H55'),
  senderCode: setting('SENDER_CODE', 'Agency code of Sở Nội vụ, the sender of batches (X-Sender-Code)', str, ''),
  authPublicKeyFile: setting('AUTH_JWT_PUBLIC_KEY_FILE', 'PEM public key (or certificate) that verifies bearer JWTs from the provincial SSO', str, ''),
  authJwksUrl: setting('AUTH_JWKS_URL', 'JWKS URL of the provincial SSO (used instead of AUTH_JWT_PUBLIC_KEY_FILE)', str, ''),
  authIssuer: setting('AUTH_JWT_ISSUER', 'Required `iss` of bearer JWTs; required unless AUTH_DEV_MODE (empty in development: not checked)', str, ''),
  authAudience: setting('AUTH_JWT_AUDIENCE', 'Required `aud` of bearer JWTs', str, 'csdl-gateway'),
  authMaxTokenMinutes: setting('AUTH_JWT_MAX_LIFETIME_MINUTES', 'Longest validity a bearer JWT may have (exp − iat, and exp − now); longer ones are refused', int(1, 7 * 24 * 60), 12 * 60),
  authClockSkewSeconds: setting('AUTH_JWT_CLOCK_SKEW_SECONDS', 'Tolerance between the SSO’s clock and ours for exp, nbf and iat', int(0, 600), 60),
  authJwksCacheMinutes: setting('AUTH_JWKS_CACHE_MINUTES', 'How long fetched JWKS keys are used before they are fetched again (an unknown kid refetches at once: key rotation)', int(1, 24 * 60), 10),
  authDevMode: setting('AUTH_DEV_MODE', 'Development only: without AUTH_JWT_PUBLIC_KEY_FILE/AUTH_JWKS_URL trust the demo key in certs.example/jwt, and do not require AUTH_JWT_ISSUER (the demo and tests)', bool, false),
  authAuthority: setting('AUTH_AUTHORITY', 'Where a caller’s role and agency come from: `grants` (stored in the gateway, managed by Sở Nội vụ; the token’s role/agency claims only choose among them) or `claims` (trusted from the SSO). Empty: grants, or claims when AUTH_DEV_MODE', authority, ''),
  oidcIssuerUrl: setting('OIDC_ISSUER_URL', 'Issuer URL of the provincial SSO (OpenID Connect) for the console’s sign-in; empty: the console has no SSO sign-in', str, ''),
  oidcClientId: setting('OIDC_CLIENT_ID', 'client_id of the gateway at the provincial SSO', str, 'csdl-gateway'),
  oidcClientSecret: setting('OIDC_CLIENT_SECRET', 'client_secret of the gateway at the provincial SSO (from a secret store)', str, ''),
  oidcRedirectUrl: setting('OIDC_REDIRECT_URL', 'Public URL of /auth/callback registered at the SSO, e.g. https://csdl.h55.gov.vn/auth/callback', str, ''),
  oidcPersonalIdClaim: setting('OIDC_PERSONAL_ID_CLAIM', 'Claim of the SSO’s ID token (or UserInfo) carrying the person’s 12-digit personal id: at their first sign-in the STAFF grant reserved for a transferred-in person is bound to their account. Empty: no binding', str, ''),
  sessionIdleMinutes: setting('SESSION_IDLE_MINUTES', 'A console session unused this long ends', int(1, 24 * 60), 30),
  sessionAbsoluteHours: setting('SESSION_ABSOLUTE_HOURS', 'A console session ends this long after sign-in, however active', int(1, 7 * 24), 10),
  maxAttachmentBytes: setting('MAX_ATTACHMENT_BYTES', 'Largest digitised document accepted (bytes)', int(1, 100 * MiB), 10 * MiB),
  maxBodyBytes: setting('MAX_BODY_BYTES', 'Largest JSON request body (bytes); attachments travel base64-encoded inside it', int(1024, 200 * MiB), 16 * MiB),
  textMaxLength: setting('TEXT_MAX_LENGTH', 'Longest free-text value accepted in a request (characters, after NFC); base64/PEM fields are bounded by their routes', int(100, 1_000_000), 10_000),
  inputMaxDepth: setting('INPUT_MAX_DEPTH', 'Deepest nesting of objects and arrays accepted in a request body (a TT 06/2023 profile needs about 4)', int(4, 256), 32),
  holidays: setting('HOLIDAYS', 'Extra public holidays YYYY-MM-DD, comma-separated (added to the built-in list)', list, []),
  deadlineNewRecordDays: setting('DEADLINE_NEW_RECORD_DAYS', 'Working days to enter a new record (5–30 by province; Tây Ninh 5)', int(1, 60), 5),
  deadlineUpdateDays: setting('DEADLINE_UPDATE_DAYS', 'Working days to update a record after a decision (15)', int(1, 60), 15),
  deadlineVerifyDays: setting('DEADLINE_VERIFY_DAYS', 'Working days for the unit HR officer to verify (Tây Ninh: 5)', int(1, 60), 5),
  deadlineTransferDays: setting('DEADLINE_TRANSFER_DAYS', 'Working days to complete a transfer (10)', int(1, 60), 10),
  deadlineStatusDays: setting('DEADLINE_STATUS_DAYS', 'Working days to record a status change (15)', int(1, 60), 15),
  deadlineSyncDays: setting('DEADLINE_SYNC_DAYS', 'Working days to synchronise approved data (NĐ 27/2026: 3)', int(1, 30), 3),
  trustAnchorFiles: setting('TRUST_ANCHORS', 'PEM files (comma-separated) of the CAs trusted for approvers’ and the province’s signatures', list, []),
  trustAnchorPinning: setting('TRUST_ANCHOR_PINNING', 'Allow an end-entity (non-CA) certificate in TRUST_ANCHORS / NATIONAL_TRUST_ANCHORS as a pinned certificate; false: refused at start-up', bool, false),
  intermediateFiles: setting('INTERMEDIATES', 'PEM files of intermediate CA certificates, besides those embedded in signatures', list, []),
  crlFiles: setting('CRL_FILES', 'PEM/DER CRL files used for revocation checks; when set (or OCSP_URL), revocation data is required', list, []),
  ocspUrl: setting('OCSP_URL', 'OCSP responder asked for certificates no CRL covers', str, ''),
  tsaUrl: setting('TSA_URL', 'RFC 3161 time-stamping authority: when set, approvals and batches are time-stamped (CAdES-T)', str, ''),
  signerP12File: setting('SIGNER_P12_FILE', 'PKCS#12 of the Sở Nội vụ organisation signer (its password in SIGNER_P12_PASSWORD)', str, ''),
  signerP12Password: setting('SIGNER_P12_PASSWORD', 'Password of SIGNER_P12_FILE (from a secret store, never in a file)', str, ''),
  signerKeyFile: setting('SIGNER_KEY_FILE', 'PEM private key of the organisation signer (instead of PKCS#12)', str, ''),
  signerCertFile: setting('SIGNER_CERT_FILE', 'PEM certificate of the organisation signer followed by its intermediates', str, ''),
  signerPkcs11Module: setting('SIGNER_PKCS11_MODULE', 'PKCS#11 library of the HSM holding the organisation key (instead of SIGNER_P12_FILE/SIGNER_KEY_FILE)', str, ''),
  signerPkcs11Slot: setting('SIGNER_PKCS11_SLOT', 'HSM slot id (as pkcs11-tool -L prints it); or SIGNER_PKCS11_TOKEN_LABEL', str, ''),
  signerPkcs11TokenLabel: setting('SIGNER_PKCS11_TOKEN_LABEL', 'Label of the HSM token/partition holding the organisation key', str, ''),
  signerPkcs11KeyLabel: setting('SIGNER_PKCS11_KEY_LABEL', 'CKA_LABEL of the organisation key on the HSM (its certificate: the one on the token holding its public key)', str, ''),
  signerPkcs11KeyId: setting('SIGNER_PKCS11_KEY_ID', 'CKA_ID (hex) of the organisation key, instead of or with SIGNER_PKCS11_KEY_LABEL', str, ''),
  signerPkcs11Pin: setting('SIGNER_PKCS11_PIN', 'User PIN of the HSM token (from a secret store); or SIGNER_PKCS11_PIN_FILE', str, ''),
  signerPkcs11PinFile: setting('SIGNER_PKCS11_PIN_FILE', 'File holding the HSM user PIN (first line)', str, ''),
  signerPkcs11ChainFile: setting('SIGNER_PKCS11_CHAIN_FILE', 'PEM intermediates to embed when they are not stored on the HSM', str, ''),
  cvFontDir: setting('CV_FONT_DIR', 'Folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf for the printable CV (default: the npm package dejavu-fonts-ttf)', str, ''),
  approverCertificatesRequired: setting('APPROVER_CERTIFICATES_REQUIRED', 'Two-step approvals only with a signing certificate Sở Nội vụ registered for the signer (POST /api/v1/approvers/{subject}/certificates)', bool, true),
  signingSessionMinutes: setting('SIGNING_SESSION_MINUTES', 'How long a two-step signing session waits for the signer’s token', int(1, 24 * 60), 30),
  nationalBaseUrl: setting('NATIONAL_BASE_URL', 'Base URL of the national CSDL CBCCVC API on the data-sharing platform (NATIONAL_API.md §4)', str, 'http://127.0.0.1:4100'),
  nationalTokenUrl: setting('NATIONAL_TOKEN_URL', 'OAuth2 client-credentials token endpoint (§2)', str, 'http://127.0.0.1:4100/token'),
  nationalClientId: setting('NATIONAL_CLIENT_ID', 'client_id issued to the province by the platform', str, 'demo-province'),
  nationalClientSecret: setting('NATIONAL_CLIENT_SECRET', 'client_secret issued to the province (from a secret store)', str, 'demo-secret'),
  nationalMaxInFlight: setting('NATIONAL_MAX_IN_FLIGHT', 'Most calls to the national side at once (§4)', int(1, 64), 4),
  nationalConnectTimeoutMs: setting('NATIONAL_CONNECT_TIMEOUT_MS', 'TCP/TLS connect timeout', int(100, 600_000), 10_000),
  nationalResponseTimeoutMs: setting('NATIONAL_RESPONSE_TIMEOUT_MS', 'Time to wait for an answer (headers, then body) before the outcome counts as unknown', int(100, 3_600_000), 120_000),
  nationalTlsCertFile: setting('NATIONAL_TLS_CERT_FILE', 'Client certificate (PEM) for mutual TLS with the platform', str, ''),
  nationalTlsKeyFile: setting('NATIONAL_TLS_KEY_FILE', 'Client key (PEM) for mutual TLS', str, ''),
  nationalTlsCaFile: setting('NATIONAL_TLS_CA_FILE', 'CA bundle (PEM) that verifies the platform’s TLS certificate', str, ''),
  nationalTrustAnchorFiles: setting('NATIONAL_TRUST_ANCHORS', 'PEM files of the CAs of the national signer (pulled records, transfer requests)', list, []),
  retryDeadlineHours: setting('NATIONAL_RETRY_DEADLINE_HOURS', 'How long a batch, pull or ack is retried before it is FAILED for an operator', int(1, 24 * 30), 72),
  retryBaseMs: setting('NATIONAL_RETRY_BASE_MS', 'First backoff ceiling (exponential, full jitter)', int(1, 3_600_000), 2_000),
  retryMaxMs: setting('NATIONAL_RETRY_MAX_MS', 'Largest backoff ceiling', int(1, 24 * 3_600_000), 300_000),
  batchMaxRecords: setting('BATCH_MAX_RECORDS', 'Most records in one batch', int(1, 100_000), 1000),
  batchMaxBytes: setting('BATCH_MAX_BYTES', 'Largest batch payload in bytes (base64 inside a 32 MiB body: at most 24 MiB)', int(4096, 24 * MiB), 16 * MiB),
  leaseMs: setting('BATCH_LEASE_MS', 'How long a pusher holds a batch; a crashed pusher’s batch is taken over after it', int(1000, 3_600_000), 300_000),
  relayIntervalMs: setting('OUTBOX_RELAY_INTERVAL_MS', 'Fallback poll of the outbox (committed work wakes the relay at once through LISTEN/NOTIFY; this also re-drives lost jobs)', int(50, 600_000), 2_000),
  monthEndHour: setting('MONTH_END_SYNC_HOUR', 'Local hour (Asia/Ho_Chi_Minh) on the last day of the month from which the month-end sync runs', int(0, 23), 20),
  schedulesEnabled: setting('SCHEDULES_ENABLED', 'Whether this worker registers and runs the scheduled jobs (reminders, month-end sync, reconciliation)', bool, true),
  workerLockMs: setting('WORKER_LOCK_MS', 'BullMQ job lock; a job of a crashed worker is taken over after about this long', int(500, 600_000), 30_000),
  workerConcurrency: setting('WORKER_CONCURRENCY', 'Push jobs processed at once by one worker', int(1, 64), 4),
  simPort: setting('SIM_PORT', 'Port of `csdl-gateway simulator` (the national side for tests and demos)', int(0, 65535), 4100),
  simDatabaseUrl: setting('SIM_DATABASE_URL', 'PostgreSQL database of the simulator (its own schema national_sim); default: DATABASE_URL', str, ''),
  simSignerKeyFile: setting('SIM_SIGNER_KEY_FILE', 'PEM key of the national signer the simulator signs records with', str, ''),
  simSignerCertFile: setting('SIM_SIGNER_CERT_FILE', 'PEM certificate (and chain) of the national signer', str, ''),
  simFaults: setting('SIM_FAULTS', 'Fault plan of the simulator as JSON, e.g. {"seed":1,"rules":[{"action":"status","status":503,"rate":0.3}]}', str, ''),
  metricsToken: setting('METRICS_TOKEN', 'Bearer token Prometheus sends to GET /metrics (empty: /metrics is open, to be scraped inside the network only)', str, ''),
  metricsPort: setting('METRICS_PORT', 'Port on which `csdl-gateway worker` serves /metrics and /health (0: none; the API serves them on PORT)', int(0, 65535), 0),
  auditCheckpointDir: setting('AUDIT_CHECKPOINT_DIR', 'Directory (make it append-only: chattr +a, WORM or remote mount) that receives a copy of every signed audit checkpoint; empty: database copy only', str, ''),
  backupDir: setting('BACKUP_DIR', 'Directory of `csdl-gateway backup` and the scheduled backups (a mounted backup volume in production)', str, 'var/backups'),
  backupPgBinDir: setting('BACKUP_PG_BIN_DIR', 'Directory of pg_dump/pg_restore, same major version as the server (empty: PATH)', str, ''),
  backupEncryptKeyFile: setting('BACKUP_ENCRYPT_KEY_FILE', 'RSA public key or certificate (PEM) backups are encrypted to (empty: not encrypted)', str, ''),
  backupDecryptKeyFile: setting('BACKUP_DECRYPT_KEY_FILE', 'Private key (PEM) for restoring encrypted backups; kept off the backup host', str, ''),
  backupMonthlyHour: setting('BACKUP_MONTHLY_HOUR', 'Local hour (Asia/Ho_Chi_Minh) from which the month’s backup is taken on the 1st (regulation: monthly backups)', int(0, 23), 2),
  backupFrequentHours: setting('BACKUP_FREQUENT_HOURS', 'Hours between frequent backups besides the monthly one (0: none)', int(0, 24 * 31), 24),
  backupKeepMonthly: setting('BACKUP_KEEP_MONTHLY', 'Monthly backups kept (at least 3: "tối thiểu ba tháng")', int(3, 1200), 3),
  backupKeepFrequent: setting('BACKUP_KEEP_FREQUENT', 'Frequent backups kept', int(0, 10_000), 7),
  backupMaxAgeHours: setting('BACKUP_MAX_AGE_HOURS', 'Alert BACKUP_TOO_OLD when the newest good backup is older than this', int(1, 24 * 62), 36),
  readAuditEnabled: setting('AUDIT_READS', "Write an audit row for every read of another person's record", bool, true),
} as const;

type Settings = typeof settings;
export type Config = { readonly [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

/** Reads and validates the configuration; a bad value stops start-up with CONFIG_INVALID naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [keyof Settings, Setting<unknown>][]) {
    const raw = env[s.env];
    if (key in overrides) out[key] = overrides[key];
    else if (raw !== undefined && raw !== '') out[key] = s.parse(raw, s.env);
    else if ('default' in s) out[key] = s.default;
    else invalid(s.env, 'required');
  }
  const config = out as Config;
  if (config.senderCode === '') (out as { senderCode: string }).senderCode = `${config.provinceCode}.19`;
  return config;
}

/** The table of settings, for `csdl-gateway config` and the README. */
export function describeSettings(): Array<{ env: string; description: string; default: string }> {
  return Object.values(settings).map((s: Setting<unknown>) => ({
    env: s.env,
    description: s.description,
    default: s.default === undefined ? '(required)' : Array.isArray(s.default) ? s.default.join(',') : String(s.default),
  }));
}

// Signing keys on PKCS#11 devices (USB tokens, HSMs, SoftHSM in tests) through pkcs11js. The key never
// leaves the device: we find it by label or id, the device signs a SHA-256 digest (or the whole
// message, for devices without raw mechanisms), and the result is turned into what CMS expects.
//
// One PKCS#11 module is initialised once per process (C_Initialize is process-wide), shared by every
// token opened from it and finalised when the last is closed. Every failure of the device becomes a
// GatewayError PKCS11_* (pkcs11Error below) so callers never see CKR_* numbers.
import { createHash, createPublicKey, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type * as Pkcs11Types from 'pkcs11js';
import { GatewayError, isGatewayError, type ErrorCode } from '../errors.ts';
import { describePublicKey, digestBytes, hashAlgorithmIdentifier, isAcceptedKey, type SignatureAlgorithm, type SignatureScheme } from './algorithms.ts';
import { parseCertificates, publicKeyDer as certificatePublicKeyDer, type Certificate } from './certificates.ts';
import { bytesEqual, encodeDer, toArrayBuffer, toHex } from './der.ts';
import type { DeviceSigningKey } from './keys.ts';

type Pkcs11Module = typeof Pkcs11Types;
type Handle = Buffer;

const require = createRequire(import.meta.url);
let binding: Pkcs11Module | undefined;
/** pkcs11js is a native addon (CommonJS); loaded only when a device is used. */
function pkcs11(): Pkcs11Module {
  binding ??= require('pkcs11js') as Pkcs11Module;
  return binding;
}

// ── errors ────────────────────────────────────────────────────────────────

/** CKR_* names grouped by what the caller can do about them. */
const CKR_CODES: ReadonlyArray<readonly [ErrorCode, readonly string[]]> = [
  ['PKCS11_PIN_INCORRECT', ['CKR_PIN_INCORRECT', 'CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE']],
  ['PKCS11_PIN_LOCKED', ['CKR_PIN_LOCKED', 'CKR_PIN_EXPIRED']],
  // Transient: the device went away, was reset, or lost our session. Nothing was signed; try later.
  ['PKCS11_TOKEN_UNAVAILABLE', [
    'CKR_TOKEN_NOT_PRESENT', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_RECOGNIZED', 'CKR_DEVICE_ERROR', 'CKR_DEVICE_MEMORY',
    'CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_OBJECT_HANDLE_INVALID', 'CKR_KEY_HANDLE_INVALID',
    'CKR_CRYPTOKI_NOT_INITIALIZED', 'CKR_USER_NOT_LOGGED_IN', 'CKR_SLOT_ID_INVALID', 'CKR_GENERAL_ERROR', 'CKR_HOST_MEMORY',
  ]],
  ['PKCS11_MECHANISM_UNSUPPORTED', [
    'CKR_MECHANISM_INVALID', 'CKR_MECHANISM_PARAM_INVALID', 'CKR_KEY_TYPE_INCONSISTENT', 'CKR_KEY_FUNCTION_NOT_PERMITTED',
    'CKR_KEY_SIZE_RANGE', 'CKR_DATA_LEN_RANGE',
  ]],
  // A PIN pad's Cancel key.
  ['SIGNING_DECLINED', ['CKR_FUNCTION_CANCELED']],
];
const CODE_OF_CKR = new Map(CKR_CODES.flatMap(([code, names]) => names.map((name) => [name, code] as const)));

/** The GatewayError for a failure of a PKCS#11 call (a GatewayError passes through unchanged). */
export function pkcs11Error(err: unknown, operation: string, device?: string): GatewayError {
  if (isGatewayError(err)) return err;
  const ckr = err instanceof Error ? /CKR_[A-Z_]+/.exec(err.message)?.[0] : undefined;
  const code: ErrorCode = (ckr ? CODE_OF_CKR.get(ckr) : undefined) ?? 'PKCS11_ERROR';
  return new GatewayError(code, { operation, ckr: ckr ?? null, ...(device ? { device } : {}), ...(ckr ? {} : { error: String(err) }) }, { cause: err });
}

/** True for failures a later retry may not have (the device back, a new session). */
export function isTransientDeviceError(err: unknown): boolean {
  return isGatewayError(err, 'PKCS11_TOKEN_UNAVAILABLE') || isGatewayError(err, 'PKCS11_TOKEN_NOT_FOUND');
}

function attempt<T>(operation: string, device: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw pkcs11Error(err, operation, device);
  }
}

// ── modules ───────────────────────────────────────────────────────────────

interface LoadedModule { lib: Pkcs11Types.PKCS11; users: number }
const modules = new Map<string, LoadedModule>();

/**
 * PKCS#11 login state belongs to the whole process on a token, not to a session: a second C_Login
 * answers CKR_USER_ALREADY_LOGGED_IN without checking its PIN, and one C_Logout logs every session
 * out. So logins are counted per module and slot: the first holder logs in, later ones must bring the
 * same PIN, the last one logs out.
 */
const logins = new Map<string, { pinHash: Buffer; holders: number }>();
const loginKey = (modulePath: string, slotId: bigint) => `${modulePath}#${slotId}`;
const pinHash = (pin: string) => createHash('sha256').update(pin, 'utf8').digest();

function acquireModule(path: string): Pkcs11Types.PKCS11 {
  const known = modules.get(path);
  if (known) {
    known.users += 1;
    return known.lib;
  }
  const p = pkcs11();
  const lib = new p.PKCS11();
  try {
    lib.load(path);
  } catch (err) {
    throw new GatewayError('PKCS11_MODULE_LOAD_FAILED', { module: path, error: String(err) }, { cause: err });
  }
  try {
    lib.C_Initialize();
  } catch (err) {
    if (!/CKR_CRYPTOKI_ALREADY_INITIALIZED/.test(String(err))) {
      lib.close();
      throw pkcs11Error(err, 'C_Initialize', path);
    }
  }
  modules.set(path, { lib, users: 1 });
  return lib;
}

function releaseModule(path: string): void {
  const known = modules.get(path);
  if (!known) return;
  known.users -= 1;
  if (known.users > 0) return;
  modules.delete(path);
  for (const key of logins.keys()) if (key.startsWith(`${path}#`)) logins.delete(key); // C_Finalize ends every login
  try {
    known.lib.C_Finalize();
  } catch {
    // already finalised or the device is gone: nothing left to free
  }
  known.lib.close();
}

// ── tokens ────────────────────────────────────────────────────────────────

export interface TokenSelector {
  /** Path of the PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  readonly modulePath: string;
  /** Slot id as `pkcs11-tool -L` / `softhsm2-util --show-slots` print it… */
  readonly slot?: number | bigint;
  /** …or the token's label (the first token with it). Neither: the only token present. */
  readonly tokenLabel?: string;
}

export interface KeySelector {
  readonly keyLabel?: string;
  /** CKA_ID in hex. */
  readonly keyId?: string;
}

export interface TokenCertificate {
  readonly label: string;
  /** CKA_ID in hex ('' when none). */
  readonly id: string;
  readonly certificate: Certificate;
  readonly der: Uint8Array;
}

export interface TokenKeyInfo {
  readonly label: string;
  readonly id: string;
  readonly kind: 'RSA' | 'EC';
  readonly extractable: boolean;
  readonly sensitive: boolean;
  /** Whether C_GetAttributeValue(CKA_VALUE) was refused, as it must be for a private key. */
  readonly valueReadable: boolean;
}

/** A logged-in session on a token (see Pkcs11Token.withSession). */
export interface TokenSession {
  listCertificates(): TokenCertificate[];
  describeKey(selector: KeySelector): TokenKeyInfo;
  /** A signing key usable while the session lasts. */
  signingKey(selector: KeySelector): DeviceSigningKey;
  /**
   * Provisioning (demo, tests, an administrator's first set-up): generates a key pair inside the token,
   * private half sensitive and never extractable; returns the public key's SPKI DER.
   */
  generateKeyPair(spec: 'RSA-2048' | 'RSA-3072' | 'EC-P256', object: { label: string; id: string }): Uint8Array;
  /** Stores a certificate on the token (public object, beside its key: same label and id). */
  storeCertificate(der: Uint8Array, object: { label: string; id: string }): void;
}

export interface Pkcs11Token {
  /** "pkcs11:token=<label>;slot=<id>" for logs and errors. */
  readonly device: string;
  readonly label: string;
  readonly slotId: bigint;
  /** CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED as the token reports them now. */
  pinStatus(): { countLow: boolean; finalTry: boolean; locked: boolean };
  /** Certificates are public objects: readable without a PIN. */
  listCertificates(): TokenCertificate[];
  /**
   * Opens a session, logs in with `pin`, runs `fn`, then logs out and closes the session whatever
   * happens: the PIN is used for this one piece of work and not kept.
   */
  withSession<T>(pin: string, fn: (session: TokenSession) => Promise<T>): Promise<T>;
  /**
   * A key that stays logged in for the life of the process (the server's organisation key). A
   * signature that fails because the device went away drops the session; the next one opens a new
   * session and logs in again.
   */
  persistentKey(pin: string, selector: KeySelector): Promise<PersistentDeviceKey>;
  close(): void;
}

export interface PersistentDeviceKey extends DeviceSigningKey {
  close(): void;
}

const CKF_USER_PIN_COUNT_LOW = 0x10000;
const CKF_USER_PIN_FINAL_TRY = 0x20000;
const CKF_USER_PIN_LOCKED = 0x40000;

const slotIdOf = (handle: Handle): bigint => handle.readBigUInt64LE(0);
/** A CK_ULONG attribute (native-endian, 8 bytes on 64-bit Linux). */
const ulong = (value: Buffer | undefined): number => (value && value.length >= 4 ? value.readUIntLE(0, Math.min(6, value.length)) : -1);
const text = (value: Buffer | undefined) => (value ? value.toString('utf8') : '');
const trimLabel = (label: string) => label.replace(/[\s\0]+$/, '');

/** Opens the token named by `selector` (no login yet). */
export function openPkcs11Token(selector: TokenSelector): Pkcs11Token {
  const lib = acquireModule(selector.modulePath);
  try {
    return makeToken(lib, selector);
  } catch (err) {
    releaseModule(selector.modulePath);
    throw err;
  }
}

function findSlot(lib: Pkcs11Types.PKCS11, selector: TokenSelector): { handle: Handle; label: string } {
  const slots = attempt('C_GetSlotList', selector.modulePath, () => lib.C_GetSlotList(true));
  // A slot whose token was just pulled out answers C_GetTokenInfo with an error: it is skipped, not fatal.
  const described = slots.flatMap((handle) => {
    try {
      return [{ handle, label: trimLabel(lib.C_GetTokenInfo(handle).label) }];
    } catch {
      return [];
    }
  });
  const found = selector.slot !== undefined ? described.find((s) => slotIdOf(s.handle) === BigInt(selector.slot!))
    : selector.tokenLabel !== undefined ? described.find((s) => s.label === selector.tokenLabel)
    : described.length === 1 ? described[0] : undefined;
  if (!found) {
    throw new GatewayError('PKCS11_TOKEN_NOT_FOUND', {
      ...(selector.slot !== undefined ? { slot: String(selector.slot) } : {}), ...(selector.tokenLabel !== undefined ? { tokenLabel: selector.tokenLabel } : {}),
      present: described.map((s) => ({ slot: String(slotIdOf(s.handle)), label: s.label })),
    });
  }
  return found;
}

function makeToken(lib: Pkcs11Types.PKCS11, selector: TokenSelector): Pkcs11Token {
  const p = pkcs11();
  let slot = findSlot(lib, selector);
  const device = `pkcs11:token=${slot.label};slot=${slotIdOf(slot.handle)}`;
  let closed = false;
  // PKCS#11 sessions are not for concurrent use: every call on this token goes through one queue.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => {});
    return run;
  };
  const ensureOpen = () => {
    if (closed) throw new GatewayError('PKCS11_TOKEN_UNAVAILABLE', { device, reason: 'token-closed' });
  };

  /** A new session, logged in (see `logins`); give it back with closeLoggedIn. */
  const openSession = (pin: string): Handle => {
    ensureOpen();
    if (pin === '') throw new GatewayError('PKCS11_PIN_REQUIRED', { device });
    // The slot handle may be stale after the device was unplugged and plugged back: look it up again.
    slot = findSlot(lib, { ...selector, tokenLabel: slot.label, slot: undefined });
    const session = attempt('C_OpenSession', device, () => lib.C_OpenSession(slot.handle, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION));
    const key = loginKey(selector.modulePath, slotIdOf(slot.handle));
    const held = logins.get(key);
    try {
      if (held) {
        // Already logged in by another piece of work of this process: the device would not check this
        // PIN (CKR_USER_ALREADY_LOGGED_IN), so we do, against the one that logged in.
        if (!timingSafeEqual(pinHash(pin), held.pinHash)) throw new GatewayError('PKCS11_PIN_INCORRECT', { device, operation: 'C_Login' });
        held.holders += 1;
        return session;
      }
      attempt('C_Login', device, () => {
        try {
          lib.C_Login(session, p.CKU_USER, pin);
        } catch (err) {
          if (!/CKR_USER_ALREADY_LOGGED_IN/.test(String(err))) throw err;
          // Logged in by no one we know of (a state left from before): log in again so this PIN is checked.
          lib.C_Logout(session);
          lib.C_Login(session, p.CKU_USER, pin);
        }
      });
      logins.set(key, { pinHash: pinHash(pin), holders: 1 });
      return session;
    } catch (err) {
      closeSession(session);
      throw err;
    }
  };
  /** Closes a session from openSession; the last holder of the login logs out. */
  const closeLoggedIn = (session: Handle) => {
    const key = loginKey(selector.modulePath, slotIdOf(slot.handle));
    const held = logins.get(key);
    if (held) {
      held.holders -= 1;
      if (held.holders <= 0) {
        logins.delete(key);
        try { lib.C_Logout(session); } catch { /* device gone or already logged out */ }
      }
    }
    closeSession(session);
  };
  const closeSession = (session: Handle) => {
    try {
      lib.C_CloseSession(session);
    } catch {
      // the session is already gone with the device
    }
  };

  const findObjects = (session: Handle, template: Pkcs11Types.Template): Handle[] => attempt('C_FindObjects', device, () => {
    lib.C_FindObjectsInit(session, template);
    try {
      const found: Handle[] = [];
      for (;;) {
        const batch = lib.C_FindObjects(session, 64);
        if (batch.length === 0) return found;
        found.push(...batch);
      }
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  });
  const attributes = (session: Handle, object: Handle, types: number[]): Map<number, Buffer> =>
    new Map(attempt('C_GetAttributeValue', device, () => lib.C_GetAttributeValue(session, object, types.map((type) => ({ type }))))
      .map((a) => [a.type, a.value] as const));

  const certificatesIn = (session: Handle): TokenCertificate[] =>
    findObjects(session, [{ type: p.CKA_CLASS, value: p.CKO_CERTIFICATE }, { type: p.CKA_CERTIFICATE_TYPE, value: p.CKC_X_509 }])
      .flatMap((object) => {
        const a = attributes(session, object, [p.CKA_VALUE, p.CKA_LABEL, p.CKA_ID]);
        const der = new Uint8Array(a.get(p.CKA_VALUE) ?? []);
        try {
          const [certificate] = parseCertificates(der, 'PKCS11_ERROR');
          return certificate ? [{ label: text(a.get(p.CKA_LABEL)), id: toHex(a.get(p.CKA_ID) ?? Buffer.alloc(0)), certificate, der }] : [];
        } catch {
          return []; // a certificate object we cannot read is not offered
        }
      });

  const findPrivateKey = (session: Handle, selector: KeySelector): Handle => {
    if (selector.keyLabel === undefined && selector.keyId === undefined) throw new GatewayError('PKCS11_KEY_NOT_FOUND', { device, reason: 'no-key-label-or-id' });
    const template: Pkcs11Types.Template = [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }];
    if (selector.keyLabel !== undefined) template.push({ type: p.CKA_LABEL, value: selector.keyLabel });
    if (selector.keyId !== undefined) template.push({ type: p.CKA_ID, value: Buffer.from(selector.keyId, 'hex') });
    const found = findObjects(session, template);
    if (found.length !== 1) throw new GatewayError('PKCS11_KEY_NOT_FOUND', { device, ...selector, matches: found.length });
    return found[0]!;
  };

  /** SPKI DER of a private key: RSA from its public attributes, EC from its public key object or certificate. */
  const publicKeyOfKey = (session: Handle, key: Handle): { kind: 'RSA' | 'EC'; spki: Uint8Array } => {
    const a = attributes(session, key, [p.CKA_KEY_TYPE, p.CKA_ID, p.CKA_LABEL]);
    const keyType = ulong(a.get(p.CKA_KEY_TYPE));
    const id = a.get(p.CKA_ID) ?? Buffer.alloc(0);
    const label = text(a.get(p.CKA_LABEL));
    if (keyType === p.CKK_RSA) {
      const rsa = attributes(session, key, [p.CKA_MODULUS, p.CKA_PUBLIC_EXPONENT]);
      const jwk = { kty: 'RSA', n: (rsa.get(p.CKA_MODULUS) ?? Buffer.alloc(0)).toString('base64url'), e: (rsa.get(p.CKA_PUBLIC_EXPONENT) ?? Buffer.alloc(0)).toString('base64url') };
      return { kind: 'RSA', spki: new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })) };
    }
    if (keyType !== p.CKK_EC) throw new GatewayError('PKCS11_MECHANISM_UNSUPPORTED', { device, reason: 'key-type-not-rsa-or-ec', keyType });
    const match: Pkcs11Types.Template = id.length > 0 ? [{ type: p.CKA_ID, value: id }] : [{ type: p.CKA_LABEL, value: label }];
    const [publicObject] = findObjects(session, [{ type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY }, ...match]);
    if (publicObject) {
      const ec = attributes(session, publicObject, [p.CKA_EC_PARAMS, p.CKA_EC_POINT]);
      return { kind: 'EC', spki: ecSpki(ec.get(p.CKA_EC_PARAMS), ec.get(p.CKA_EC_POINT), device) };
    }
    // No public key object: the certificate stored beside the key (same id or label) names it. signingKey()
    // proves the pairing with a test signature before the key is used.
    const cert = certificatesIn(session).find((c) => (id.length > 0 ? c.id === toHex(id) : c.label === label));
    if (!cert) throw new GatewayError('PKCS11_KEY_NOT_FOUND', { device, reason: 'no-public-key-for-ec-key', label });
    return { kind: 'EC', spki: certificatePublicKeyDer(cert.certificate) };
  };

  const deviceKey = (session: () => Handle, keyHandle: () => Handle, kind: 'RSA' | 'EC', spki: Uint8Array, name: string,
    onFailure: (err: GatewayError) => void): DeviceSigningKey => {
    const description = describePublicKey(spki);
    if (!isAcceptedKey(description)) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'key-type-or-size-not-accepted', key: description ?? null, device: name });
    const schemes: SignatureScheme[] = kind === 'EC' ? ['ECDSA'] : ['RSASSA-PSS', 'RSASSA-PKCS1-v1_5'];
    return {
      kind, sizeBits: description.sizeBits, publicKeyDer: spki, device: name, schemes,
      sign: (algorithm, data) => serial(async () => {
        try {
          const s = session();
          const mechanism = mechanismFor(algorithm, kind);
          const input = mechanism.input(data);
          const out = Buffer.alloc(kind === 'EC' ? 2 * Math.ceil(description.sizeBits / 8) : Math.ceil(description.sizeBits / 8));
          attempt('C_SignInit', name, () => lib.C_SignInit(s, mechanism.mechanism, keyHandle()));
          let raw: Buffer;
          try {
            raw = await lib.C_SignAsync(s, Buffer.from(input), out);
          } catch (err) {
            throw pkcs11Error(err, 'C_Sign', name);
          }
          return kind === 'EC' ? ecdsaRawToDer(new Uint8Array(raw), description.sizeBits, name) : new Uint8Array(raw);
        } catch (err) {
          const failure = pkcs11Error(err, 'sign', name);
          onFailure(failure);
          throw failure;
        }
      }),
    };
  };

  const keyOnSession = (session: Handle, selector: KeySelector, onFailure: (err: GatewayError) => void = () => {}): DeviceSigningKey => {
    const handle = findPrivateKey(session, selector);
    const { kind, spki } = publicKeyOfKey(session, handle);
    return deviceKey(() => session, () => handle, kind, spki, `${device};object=${selector.keyLabel ?? selector.keyId}`, onFailure);
  };

  const mechanismFor = (algorithm: SignatureAlgorithm, kind: 'RSA' | 'EC'): { mechanism: Pkcs11Types.Mechanism; input: (data: Uint8Array) => Uint8Array } => {
    if (algorithm.hash !== 'SHA-256') throw new GatewayError('PKCS11_MECHANISM_UNSUPPORTED', { device, hash: algorithm.hash });
    const sha256 = (data: Uint8Array) => digestBytes('SHA-256', data);
    if (algorithm.scheme === 'ECDSA' && kind === 'EC') return { mechanism: { mechanism: p.CKM_ECDSA }, input: sha256 };
    if (algorithm.scheme === 'RSASSA-PSS' && kind === 'RSA') {
      // Raw PSS over our digest: 32 bytes to the device whatever the message size (USB tokens are slow links).
      const parameter = { type: p.CK_PARAMS_RSA_PSS, hashAlg: p.CKM_SHA256, mgf: p.CKG_MGF1_SHA256, saltLen: algorithm.saltLength ?? 32 };
      return { mechanism: { mechanism: p.CKM_RSA_PKCS_PSS, parameter }, input: sha256 };
    }
    if (algorithm.scheme === 'RSASSA-PKCS1-v1_5' && kind === 'RSA') return { mechanism: { mechanism: p.CKM_RSA_PKCS }, input: (data) => digestInfo(sha256(data)) };
    throw new GatewayError('PKCS11_MECHANISM_UNSUPPORTED', { device, scheme: algorithm.scheme, kind });
  };

  const describeKey = (session: Handle, selector: KeySelector): TokenKeyInfo => {
    const handle = findPrivateKey(session, selector);
    const a = attributes(session, handle, [p.CKA_LABEL, p.CKA_ID, p.CKA_KEY_TYPE, p.CKA_EXTRACTABLE, p.CKA_SENSITIVE]);
    let valueReadable = true;
    try {
      lib.C_GetAttributeValue(session, handle, [{ type: p.CKA_VALUE }]);
    } catch {
      valueReadable = false;
    }
    const bool = (v: Buffer | undefined) => v !== undefined && v.length > 0 && v[0] !== 0;
    return {
      label: text(a.get(p.CKA_LABEL)), id: toHex(a.get(p.CKA_ID) ?? Buffer.alloc(0)),
      kind: ulong(a.get(p.CKA_KEY_TYPE)) === p.CKK_EC ? 'EC' : 'RSA',
      extractable: bool(a.get(p.CKA_EXTRACTABLE)), sensitive: bool(a.get(p.CKA_SENSITIVE)), valueReadable,
    };
  };

  const generateKeyPair = (session: Handle, spec: 'RSA-2048' | 'RSA-3072' | 'EC-P256', object: { label: string; id: string }): Uint8Array => {
    const common = [{ type: p.CKA_TOKEN, value: true }, { type: p.CKA_LABEL, value: object.label }, { type: p.CKA_ID, value: Buffer.from(object.id, 'hex') }];
    const privateTemplate = [...common, { type: p.CKA_PRIVATE, value: true }, { type: p.CKA_SIGN, value: true },
      { type: p.CKA_SENSITIVE, value: true }, { type: p.CKA_EXTRACTABLE, value: false }];
    const publicTemplate = [...common, { type: p.CKA_VERIFY, value: true }, { type: p.CKA_PRIVATE, value: false },
      ...(spec === 'EC-P256' ? [{ type: p.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') }]
        : [{ type: p.CKA_MODULUS_BITS, value: spec === 'RSA-3072' ? 3072 : 2048 }, { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }])];
    const mechanism = { mechanism: spec === 'EC-P256' ? p.CKM_EC_KEY_PAIR_GEN : p.CKM_RSA_PKCS_KEY_PAIR_GEN };
    const pair = attempt('C_GenerateKeyPair', device, () => lib.C_GenerateKeyPair(session, mechanism, publicTemplate, privateTemplate));
    return publicKeyOfKey(session, pair.privateKey).spki;
  };

  /** Signs a probe and checks it with the public key: catches a certificate/key pairing that does not hold. */
  const proveKey = async (key: DeviceSigningKey) => {
    const { verify } = await import('node:crypto');
    const probe = digestBytes('SHA-256', new TextEncoder().encode(`csdl-gateway key check ${key.device}`));
    const algorithm: SignatureAlgorithm = key.kind === 'EC' ? { scheme: 'ECDSA', hash: 'SHA-256' } : { scheme: 'RSASSA-PSS', hash: 'SHA-256', saltLength: 32 };
    const signature = await key.sign(algorithm, probe);
    const publicKey = createPublicKey({ key: Buffer.from(key.publicKeyDer), format: 'der', type: 'spki' });
    const ok = key.kind === 'EC' ? verify('sha256', probe, publicKey, signature)
      : verify('sha256', probe, { key: publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, signature);
    if (!ok) throw new GatewayError('PKCS11_KEY_NOT_FOUND', { device: key.device, reason: 'key-does-not-match-its-public-key' });
  };

  const token: Pkcs11Token = {
    device,
    get label() { return slot.label; },
    get slotId() { return slotIdOf(slot.handle); },
    pinStatus() {
      ensureOpen();
      const flags = attempt('C_GetTokenInfo', device, () => lib.C_GetTokenInfo(slot.handle)).flags;
      return { countLow: (flags & CKF_USER_PIN_COUNT_LOW) !== 0, finalTry: (flags & CKF_USER_PIN_FINAL_TRY) !== 0, locked: (flags & CKF_USER_PIN_LOCKED) !== 0 };
    },
    listCertificates() {
      ensureOpen();
      slot = findSlot(lib, { ...selector, tokenLabel: slot.label, slot: undefined });
      const session = attempt('C_OpenSession', device, () => lib.C_OpenSession(slot.handle, p.CKF_SERIAL_SESSION));
      try {
        return certificatesIn(session);
      } finally {
        closeSession(session);
      }
    },
    withSession(pin, fn) {
      return serialSession(pin, fn);
    },
    async persistentKey(pin, selector) {
      let session: Handle | undefined;
      let handle: Handle | undefined;
      const reopen = () => {
        if (session) closeLoggedIn(session);
        session = openSession(pin);
        handle = findPrivateKey(session, selector);
      };
      const drop = (err: GatewayError) => {
        if (!isTransientDeviceError(err)) return;
        if (session) closeLoggedIn(session);
        session = undefined; // the next signature opens a new session and logs in again
      };
      reopen();
      const { kind, spki } = publicKeyOfKey(session!, handle!);
      const inner = deviceKey(() => {
        if (!session) reopen();
        return session!;
      }, () => handle!, kind, spki, `${device};object=${selector.keyLabel ?? selector.keyId}`, drop);
      await proveKey(inner);
      return {
        ...inner,
        close() {
          if (session) {
            closeLoggedIn(session);
          }
          session = undefined;
        },
      };
    },
    close() {
      if (closed) return;
      closed = true;
      releaseModule(selector.modulePath);
    },
  };

  // withSession runs outside the signing queue (its keys' sign() calls use the queue themselves).
  async function serialSession<T>(pin: string, fn: (session: TokenSession) => Promise<T>): Promise<T> {
    const session = openSession(pin);
    try {
      return await fn({
        listCertificates: () => certificatesIn(session),
        describeKey: (selector) => describeKey(session, selector),
        signingKey: (selector) => keyOnSession(session, selector),
        generateKeyPair: (spec, object) => generateKeyPair(session, spec, object),
        storeCertificate: (der, object) => {
          const [certificate] = parseCertificates(der, 'BAD_REQUEST');
          attempt('C_CreateObject', device, () => lib.C_CreateObject(session, [
            { type: p.CKA_CLASS, value: p.CKO_CERTIFICATE }, { type: p.CKA_CERTIFICATE_TYPE, value: p.CKC_X_509 },
            { type: p.CKA_TOKEN, value: true }, { type: p.CKA_PRIVATE, value: false },
            { type: p.CKA_LABEL, value: object.label }, { type: p.CKA_ID, value: Buffer.from(object.id, 'hex') },
            { type: p.CKA_SUBJECT, value: Buffer.from(certificate!.subject.toSchema().toBER(false)) },
            { type: p.CKA_VALUE, value: Buffer.from(der) },
          ]));
        },
      });
    } finally {
      closeLoggedIn(session);
    }
  }

  return token;
}

/** The certificate on the token stored beside a key: same CKA_ID, else same label. */
export function certificateForKey(certificates: readonly TokenCertificate[], key: { publicKeyDer: Uint8Array }): TokenCertificate | undefined {
  const wanted = normalizedSpki(key.publicKeyDer);
  return certificates.find((c) => {
    const spki = normalizedSpki(certificatePublicKeyDer(c.certificate));
    return spki !== undefined && wanted !== undefined && bytesEqual(spki, wanted);
  });
}

function normalizedSpki(spki: Uint8Array): Uint8Array | undefined {
  try {
    return new Uint8Array(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }));
  } catch {
    return undefined;
  }
}

const CURVE_OF_PARAMS: Record<string, string> = {
  '06082a8648ce3d030107': 'P-256', '06052b81040022': 'P-384', '06052b81040023': 'P-521',
};

/** SPKI from CKA_EC_PARAMS (DER OID) and CKA_EC_POINT (DER OCTET STRING of the point, or the bare point). */
function ecSpki(params: Buffer | undefined, point: Buffer | undefined, device: string): Uint8Array {
  const crv = CURVE_OF_PARAMS[params?.toString('hex') ?? ''];
  if (!crv || !point) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'ec-curve-not-accepted', device });
  let bare = point;
  if (point[0] === 0x04 && point.length > 2 && point[1] === point.length - 2) bare = point.subarray(2);
  else if (point[0] === 0x04 && point[1] === 0x81 && point[2] === point.length - 3) bare = point.subarray(3);
  const size = (bare.length - 1) / 2;
  const jwk = { kty: 'EC', crv, x: bare.subarray(1, 1 + size).toString('base64url'), y: bare.subarray(1 + size).toString('base64url') };
  return new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' }));
}

/** PKCS#11 returns ECDSA as raw r‖s; CMS and X.509 carry the DER ECDSA-Sig-Value. */
function ecdsaRawToDer(raw: Uint8Array, fieldBits: number, device: string): Uint8Array {
  if (raw.byteLength !== 2 * Math.ceil(fieldBits / 8)) throw new GatewayError('PKCS11_ERROR', { device, reason: 'ecdsa-value-length', length: raw.byteLength });
  return new Uint8Array(pkijs.createCMSECDSASignature(toArrayBuffer(raw)));
}

/** DER DigestInfo for CKM_RSA_PKCS (PKCS#1 v1.5 over our own hash). */
function digestInfo(digest: Uint8Array): Uint8Array {
  return encodeDer(new asn1js.Sequence({
    value: [hashAlgorithmIdentifier('SHA-256').toSchema(), new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })],
  }));
}

const CKF_TOKEN_INITIALIZED = 0x400;

/**
 * Initialises the first uninitialised token of a module with a label, SO PIN and user PIN (SoftHSM
 * always offers one; demo and tests). Returns the label; open it with openPkcs11Token({ tokenLabel }).
 */
export function initializeToken(modulePath: string, token: { label: string; soPin: string; pin: string }): string {
  const lib = acquireModule(modulePath);
  const p = pkcs11();
  try {
    const free = attempt('C_GetSlotList', modulePath, () => lib.C_GetSlotList(true))
      .find((slot) => (lib.C_GetTokenInfo(slot).flags & CKF_TOKEN_INITIALIZED) === 0);
    if (!free) throw new GatewayError('PKCS11_TOKEN_NOT_FOUND', { module: modulePath, reason: 'no-uninitialised-token' });
    attempt('C_InitToken', modulePath, () => lib.C_InitToken(free, token.soPin, token.label));
    const after = lib.C_GetSlotList(true).find((slot) => trimLabel(lib.C_GetTokenInfo(slot).label) === token.label);
    if (!after) throw new GatewayError('PKCS11_TOKEN_NOT_FOUND', { module: modulePath, tokenLabel: token.label });
    const session = attempt('C_OpenSession', modulePath, () => lib.C_OpenSession(after, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION));
    try {
      attempt('C_Login', modulePath, () => lib.C_Login(session, p.CKU_SO, token.soPin));
      attempt('C_InitPIN', modulePath, () => lib.C_InitPIN(session, token.pin));
      lib.C_Logout(session);
    } finally {
      lib.C_CloseSession(session);
    }
    return token.label;
  } finally {
    releaseModule(modulePath);
  }
}

export interface DeviceKeySource extends TokenSelector, KeySelector {
  readonly pin: string;
}

/**
 * The server's organisation key on an HSM: opens the token, logs in for the life of the process, finds
 * the key and proves it signs. Returns the key (close() logs out and releases the module) and the
 * certificates stored on the token (the key's own and any intermediates).
 */
export async function openDeviceKey(source: DeviceKeySource): Promise<{ key: PersistentDeviceKey; certificates: TokenCertificate[] }> {
  const token = openPkcs11Token(source);
  try {
    const selector: KeySelector = { ...(source.keyLabel !== undefined ? { keyLabel: source.keyLabel } : {}), ...(source.keyId !== undefined ? { keyId: source.keyId } : {}) };
    const key = await token.persistentKey(source.pin, selector);
    const certificates = token.listCertificates();
    return { key: { ...key, close: () => { key.close(); token.close(); } }, certificates };
  } catch (err) {
    token.close();
    throw err;
  }
}

// The logic of `csdl-gateway sign` and `csdl-gateway verify` (src/cli.ts wires the flags). Each
// returns its exit code and output instead of printing, so it is tested without a process.
//   exit 0: done / signature valid (stdout starts with the signer's subject)
//   exit 1: the signature is not valid, or signing failed (TSA down…); stderr: "CODE: message"
//   exit 2: bad usage or unreadable input (files, keys, password variable)
import { readFile, writeFile } from 'node:fs/promises';
import { GatewayError, isGatewayError } from '../errors.ts';
import { parseCertificates, subjectOf, type Certificate } from './certificates.ts';
import { parseCrls, type Crl } from './crl.ts';
import { signDetached } from './sign-cms.ts';
import { loadSigningIdentity, type SigningIdentity } from './signing-identity.ts';
import { isDeviceKey } from './keys.ts';
import type { PersistentDeviceKey } from './pkcs11.ts';
import { verifyDetached } from './verify-cms.ts';
import { systemClock, type Clock } from '../clock.ts';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunSignOptions {
  /** File to sign (its exact bytes). */
  readonly in: string;
  /** Where the DER CMS goes. */
  readonly out: string;
  /** PKCS#12 file; its password is read from the environment variable named by p12PasswordEnv. */
  readonly p12?: string;
  readonly p12PasswordEnv?: string;
  /** Or: PEM private key + PEM certificate (+ PEM intermediates). */
  readonly key?: string;
  readonly cert?: string;
  readonly chain?: string;
  /** Or: a key on a PKCS#11 token (USB token, HSM); its certificate is the one on the token holding its public key. */
  readonly pkcs11Module?: string;
  readonly tokenLabel?: string;
  readonly slot?: string;
  readonly keyLabel?: string;
  /** CKA_ID in hex. */
  readonly keyId?: string;
  /** Asks the token PIN when PKCS11_PIN is not set (the CLI: on the terminal, not echoed). */
  readonly askPin?: () => Promise<string>;
  /** TSA URL: adds a signature time-stamp (CAdES-T). */
  readonly tsa?: string;
  /** Where p12PasswordEnv and PKCS11_PIN are looked up (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunVerifyOptions {
  readonly in: string;
  /** The DER CMS signature. */
  readonly sig: string;
  /** PEM/DER trust anchor files. */
  readonly ca: readonly string[];
  /** PEM/DER CRL files; with any given, revocation data becomes required. */
  readonly crl?: readonly string[];
  readonly intermediates?: readonly string[];
  readonly ocspUrl?: string;
  readonly requireTimestamp?: boolean;
  /** When the verification happens (default: the system clock). */
  readonly clock?: Clock;
}

const OK = 0;
const FAILED = 1;
const USAGE = 2;

export async function runSign(options: RunSignOptions): Promise<CommandResult> {
  let signer: SigningIdentity | undefined;
  try {
    const data = await readInput(options.in);
    signer = await loadSigner(options);
    const cms = await signDetached(data, signer, options.tsa ? { tsaUrl: options.tsa } : {});
    await writeFile(options.out, cms);
    return { exitCode: OK, stdout: `${options.out}: ${cms.byteLength} bytes, signed by ${subjectOf(signer.certificate)}\n`, stderr: '' };
  } catch (err) {
    return failure(err);
  } finally {
    if (signer && isDeviceKey(signer.key)) (signer.key as PersistentDeviceKey).close();
  }
}

export async function runVerify(options: RunVerifyOptions): Promise<CommandResult> {
  let inputs: { data: Uint8Array; cms: Uint8Array; trustAnchors: Certificate[]; intermediates: Certificate[]; crls: Crl[] };
  try {
    if (options.ca.length === 0) throw new GatewayError('BAD_REQUEST', { reason: 'no-trust-anchor', hint: '--ca <file>' });
    inputs = {
      data: await readInput(options.in),
      cms: await readInput(options.sig),
      trustAnchors: (await Promise.all(options.ca.map(readInput))).flatMap((bytes) => parseCertificates(bytes)),
      intermediates: (await Promise.all((options.intermediates ?? []).map(readInput))).flatMap((bytes) => parseCertificates(bytes)),
      crls: (await Promise.all((options.crl ?? []).map(readInput))).flatMap((bytes) => parseCrls(bytes)),
    };
  } catch (err) {
    return failure(err);
  }
  try {
    const result = await verifyDetached(inputs.data, inputs.cms, {
      trustAnchors: inputs.trustAnchors,
      intermediates: inputs.intermediates,
      crls: inputs.crls,
      requireRevocation: inputs.crls.length > 0 || options.ocspUrl !== undefined,
      ...(options.ocspUrl ? { ocsp: { url: options.ocspUrl } } : {}),
      ...(options.requireTimestamp ? { requireTimestamp: true } : {}),
      now: (options.clock ?? systemClock).now(),
    });
    const lines = [
      result.subject,
      `serial: ${result.serialNumber}`,
      `signingTime: ${result.signingTime.toISOString()}`,
      ...(result.timestampTime ? [`timestampTime: ${result.timestampTime.toISOString()}`] : []),
      `algorithm: ${result.algorithm.scheme}/${result.algorithm.hash}`,
      `revocation: ${result.revocation.map((item) => `${item.source}:${item.status}`).join(', ')}`,
    ];
    return { exitCode: OK, stdout: `${lines.join('\n')}\n`, stderr: '' };
  } catch (err) {
    return failure(err);
  }
}

async function loadSigner(options: RunSignOptions): Promise<SigningIdentity> {
  if (options.p12 && (options.key || options.cert)) throw new GatewayError('BAD_REQUEST', { reason: 'p12-or-key-not-both' });
  if (options.pkcs11Module) {
    if (options.p12 || options.key || options.cert) throw new GatewayError('BAD_REQUEST', { reason: 'pkcs11-or-files-not-both' });
    if (!options.keyLabel && !options.keyId) throw new GatewayError('BAD_REQUEST', { reason: 'key-label-or-id-required', hint: '--key-label <label>' });
    if (options.slot !== undefined && !/^[0-9]+$/.test(options.slot)) throw new GatewayError('BAD_REQUEST', { reason: 'slot-not-a-number', slot: options.slot });
    const pin = (options.env ?? process.env).PKCS11_PIN ?? (options.askPin ? await options.askPin() : '');
    return loadSigningIdentity({
      pkcs11: {
        modulePath: options.pkcs11Module, pin,
        ...(options.slot !== undefined ? { slot: BigInt(options.slot) } : {}), ...(options.tokenLabel !== undefined ? { tokenLabel: options.tokenLabel } : {}),
        ...(options.keyLabel !== undefined ? { keyLabel: options.keyLabel } : {}), ...(options.keyId !== undefined ? { keyId: options.keyId } : {}),
      },
      ...(options.chain ? { chainPem: await readInput(options.chain) } : {}),
    });
  }
  if (options.p12) {
    const variable = options.p12PasswordEnv;
    if (!variable) throw new GatewayError('BAD_REQUEST', { reason: 'p12-password-env-required' });
    const password = (options.env ?? process.env)[variable];
    if (password === undefined) throw new GatewayError('KEY_LOAD_FAILED', { reason: 'password-variable-unset', variable });
    return loadSigningIdentity({ pkcs12: await readInput(options.p12), password });
  }
  if (!options.key || !options.cert) throw new GatewayError('BAD_REQUEST', { reason: 'key-and-cert-or-p12-required' });
  return loadSigningIdentity({
    keyPem: await readInput(options.key),
    certificatePem: await readInput(options.cert),
    ...(options.chain ? { chainPem: await readInput(options.chain) } : {}),
  });
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new GatewayError('BAD_REQUEST', { reason: 'unreadable-file', path, error: (err as { code?: string }).code }, { cause: err });
  }
}

/** Our errors become exit codes; anything else is a bug and propagates. */
function failure(err: unknown): CommandResult {
  if (!isGatewayError(err)) throw err;
  const details = err.details === undefined ? '' : ` ${JSON.stringify(err.details)}`;
  const exitCode = ['KEY_LOAD_FAILED', 'BAD_REQUEST', 'PKCS11_MODULE_LOAD_FAILED'].includes(err.code) ? USAGE : FAILED;
  return { exitCode, stdout: '', stderr: `${err.code}: ${err.message}${details}\n` };
}

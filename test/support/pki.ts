// The demo PKI for tests: its dates are relative to the TEST's clock (default: the process clock,
// which faketime moves; a test with a fixed clock passes it, e.g. getTestPki(fixedClock(…))), never
// to the real day. Generated once per day of that clock and per version of the generator into
// os.tmpdir()/csdl-gateway-test-pki-<hash>, shared by every test process (written to a temporary
// directory, then renamed into place, so concurrent workers never see half a PKI), and loaded once
// per process and day.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDemoPki, type DemoCrl, type DemoEntity, type DemoPkiManifest } from '../../certs.example/make-pki.ts';
import { fixedClock, systemClock, type Clock } from '../../src/clock.ts';
import { parseCertificates, type Certificate } from '../../src/pki/certificates.ts';
import { parseCrls, type Crl } from '../../src/pki/crl.ts';
import { importPrivateKeyPem, type SigningKey } from '../../src/pki/keys.ts';
import type { SigningIdentity } from '../../src/pki/signing-identity.ts';

const PREFIX = 'csdl-gateway-test-pki-';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The generator and what it is built from: a change to any of them makes a new PKI. */
const GENERATOR_SOURCES = [
  'src/pki/demo-pki.ts', 'src/pki/issue-certificate.ts', 'src/pki/crl.ts', 'src/pki/pkcs12.ts', 'src/pki/keys.ts',
];

export interface TestIdentity extends SigningIdentity {
  readonly certificatePath: string;
  readonly keyPath: string;
}

export interface TestPki {
  readonly dir: string;
  /** The instant every date of this PKI is relative to (certificates valid from a day before it, CRLs for 30 days after). */
  readonly issuedAt: Date;
  readonly manifest: DemoPkiManifest;
  readonly p12Password: string;
  /** Absolute path of a file of the PKI (e.g. "org-signer.p12"). */
  path(file: string): string;
  /** Key + certificate + chain of an entity (chain: the intermediates only, as a signer embeds them). */
  identity(entity: DemoEntity): TestIdentity;
  certificate(entity: DemoEntity): Certificate;
  key(entity: DemoEntity): SigningKey;
  crl(issuer: DemoCrl): Crl;
  /** [root-ca]: the provincial trust anchors. */
  readonly trustAnchors: Certificate[];
  /** [national-root-ca]. */
  readonly nationalTrustAnchors: Certificate[];
  /** CRLs of the provincial root and intermediate CAs. */
  readonly crls: Crl[];
}

const loaded = new Map<string, Promise<TestPki>>();

/** The test PKI for the day of `clock` (UTC), issued at 00:00Z of that day: every test of that day shares it. */
export function getTestPki(clock: Clock = systemClock): Promise<TestPki> {
  const day = clock.now().toISOString().slice(0, 10);
  let pki = loaded.get(day);
  if (!pki) loaded.set(day, pki = ensureGenerated(day).then(load));
  return pki;
}

async function ensureGenerated(day: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of GENERATOR_SOURCES) hash.update(await readFile(join(ROOT, file)));
  hash.update(day); // dates in the PKI are relative to that day
  const dir = join(tmpdir(), `${PREFIX}${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'manifest.json'))) {
    if (!underFaketime()) await utimes(dir, new Date(), new Date()).catch(() => undefined); // in use: not stale
    return dir;
  }
  const staging = `${dir}.tmp-${process.pid}-${randomUUID()}`;
  await makeDemoPki(staging, { clock: fixedClock(`${day}T00:00:00Z`) });
  try {
    await rename(staging, dir);
  } catch {
    await rm(staging, { recursive: true, force: true }); // another worker was faster: use its PKI
  }
  await removeStale(dir);
  return dir;
}

/** PKIs of earlier days or generator versions, left by earlier runs (none of today's runs uses them). */
async function removeStale(current: string): Promise<void> {
  // Under faketime the process clock is not the file system's: every other PKI (of other checkouts
  // running now) would look stale, so clean up only on runs with the real clock.
  if (underFaketime()) return;
  const cutoff = Date.now() - 2 * 86_400_000;
  for (const name of await readdir(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || path === current) continue;
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
  }
}

function underFaketime(): boolean {
  return process.env.LD_PRELOAD?.includes('faketime') ?? false;
}

async function load(dir: string): Promise<TestPki> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DemoPkiManifest;
  const path = (file: string) => join(dir, file);
  const entities = Object.keys(manifest.files).filter((file) => file.endsWith('.key.pem')).map((file) => file.slice(0, -'.key.pem'.length) as DemoEntity);
  const certificates = new Map<DemoEntity, Certificate>();
  const keys = new Map<DemoEntity, SigningKey>();
  await Promise.all(entities.map(async (entity) => {
    certificates.set(entity, parseCertificates(await readFile(path(`${entity}.pem`)))[0] as Certificate);
    keys.set(entity, await importPrivateKeyPem(await readFile(path(`${entity}.key.pem`), 'utf8')));
  }));
  const crls = new Map<DemoCrl, Crl>();
  for (const ca of ['root-ca', 'intermediate-ca', 'national-root-ca'] as const) {
    crls.set(ca, parseCrls(await readFile(path(`${ca}.crl.pem`)))[0] as Crl);
  }
  const certificate = (entity: DemoEntity): Certificate => required(certificates.get(entity), entity);
  const key = (entity: DemoEntity): SigningKey => required(keys.get(entity), entity);
  const crl = (ca: DemoCrl): Crl => required(crls.get(ca), ca);
  const intermediateOf = (entity: DemoEntity): Certificate[] =>
    entity.startsWith('national') || entity.endsWith('root-ca') || entity === 'intermediate-ca' ? [] : [certificate('intermediate-ca')];
  return {
    dir,
    issuedAt: new Date(manifest.generatedAt),
    manifest,
    p12Password: manifest.p12Password,
    path,
    identity: (entity) => ({
      key: key(entity), certificate: certificate(entity), chain: intermediateOf(entity),
      certificatePath: path(`${entity}.pem`), keyPath: path(`${entity}.key.pem`),
    }),
    certificate,
    key,
    crl,
    trustAnchors: [certificate('root-ca')],
    nationalTrustAnchors: [certificate('national-root-ca')],
    crls: [crl('root-ca'), crl('intermediate-ca')],
  };
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`test PKI has no ${name}`);
  return value;
}

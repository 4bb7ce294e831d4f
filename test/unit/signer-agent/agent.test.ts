// The signing agent against a real token (SoftHSM2): a gateway signing session signed on the token
// through the agent verifies in the gateway and in `openssl cms -verify`; everything the agent must
// refuse is refused with a stable code and nothing signed.
import { randomUUID } from 'node:crypto';
import { isGatewayError } from '../../../src/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.ts';
import { buildApprovalManifest, parseApprovalManifest, sha256Hex, type ManifestInput } from '../../../src/domain/approval-manifest.ts';
import { assembleExternalSignature, prepareExternalSignature } from '../../../src/pki/external-signing.ts';
import { parseCertificates, type Certificate } from '../../../src/pki/certificates.ts';
import { openPkcs11Token, type Pkcs11Token } from '../../../src/pki/pkcs11.ts';
import { verifyDetached } from '../../../src/pki/verify-cms.ts';
import { buildSignerAgent, type SignerPrompter, type SigningSummary } from '../../../src/signer-agent/agent.ts';
import { runSignerAgent, summaryText } from '../../../src/commands/signer-agent.ts';
import { getTestPki, type TestPki } from '../../support/pki.ts';
import { createTestToken, removeTestToken, signerProfile, SOFTHSM_MODULE, TOKEN_PIN } from '../../support/softhsm.ts';
import { opensslVerifyDetached } from '../../support/openssl.ts';

const ORIGIN = 'https://csdl.sonoivu.demo.gov.vn';
const SECRET = '1234-5678-9012';
const now = new Date();
const clock = fixedClock(now);

let pki: TestPki;
let certs: Map<string, Certificate>;
let token: Pkcs11Token;

/** The signer at the agent's terminal: records what was shown, answers as told. */
function signerAt(answers: { confirm?: boolean; pin?: string }) {
  const shown: SigningSummary[] = [];
  const prompter: SignerPrompter = {
    confirm: async (s) => { shown.push(s); return answers.confirm ?? true; },
    askPin: async () => answers.pin ?? TOKEN_PIN,
  };
  return { shown, prompter };
}

function agent(prompter: SignerPrompter, on: Pkcs11Token = token) {
  return buildSignerAgent({ token: on, consoleOrigin: ORIGIN, pairingSecret: SECRET, prompter, clock });
}

const headers = (extra: Record<string, string> = {}) => ({ host: '127.0.0.1:8730', origin: ORIGIN, 'x-pairing-secret': SECRET, ...extra });

function manifestOf(count: number, agencyCode = 'H55.06'): Buffer {
  const input: ManifestInput = {
    level: 'CO_QUAN', agencyCode, period: '2026-11', createdAt: '2026-11-27T09:00:00+07:00',
    items: Array.from({ length: count }, (_v, i) => ({ personalId: `0010900${String(i).padStart(5, '0')}`, changeId: randomUUID(), contentSha256: sha256Hex(Buffer.from(String(i))) })),
  };
  return buildApprovalManifest(input);
}

/** What POST /api/v1/approvals/sessions returns to the console, for `certificate`. */
function session(manifest: Buffer, certificate: Certificate) {
  const prepared = prepareExternalSignature({ data: manifest, signerCertificate: certificate, signingTime: now });
  const { digestInfo: _d, mgf: _m, ...algorithm } = prepared.algorithm;
  return {
    prepared,
    body: {
      sessionId: randomUUID(), manifestBase64: manifest.toString('base64'), manifestSha256: sha256Hex(manifest),
      signedAttributesBase64: Buffer.from(prepared.signedAttrsDer).toString('base64'), algorithm,
    },
  };
}

beforeAll(async () => {
  pki = await getTestPki();
  certs = await createTestToken(pki, 'usb-head', [
    { spec: 'RSA-2048', label: 'head-rsa', id: '11', profile: signerProfile('Nguyễn Văn An (token RSA)', now) },
    { spec: 'EC-P256', label: 'head-ec', id: '12', profile: signerProfile('Nguyễn Văn An (token EC)', now) },
    { spec: 'EC-P256', label: 'expired', id: '13', profile: signerProfile('Chứng thư hết hạn', now, -400 * 86_400_000, -30 * 86_400_000) },
  ]);
  const other = await createTestToken(pki, 'usb-other', [{ spec: 'EC-P256', label: 'other', id: '21', profile: signerProfile('Trần Thị Bình', now) }]);
  certs.set('other', other.get('other')!);
  token = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'usb-head' });
});
afterAll(() => token?.close());

describe('signing a gateway session on the token', () => {
  it.each([['head-rsa', 'RSASSA-PSS'], ['head-ec', 'ECDSA']] as const)('%s: shown to the signer, signed on the token, verifies in the gateway and openssl', async (label, scheme) => {
    const manifest = manifestOf(3);
    const s = session(manifest, certs.get(label)!);
    const signer = signerAt({});
    const res = await agent(signer.prompter).inject({ method: 'POST', url: '/v1/sign', headers: headers(), payload: s.body });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(signer.shown).toEqual([expect.objectContaining({ level: 'CO_QUAN', agencyCode: 'H55.06', period: '2026-11', count: 3, manifestSha256: sha256Hex(manifest), scheme })]);
    expect(summaryText(signer.shown[0]!)).toContain('tháng 11/2026');
    const out = res.json() as { signatureValueBase64: string; certificatePem: string };
    const certificate = parseCertificates(out.certificatePem)[0]!;
    const cms = await assembleExternalSignature({ prepared: s.prepared, signatureValue: Buffer.from(out.signatureValueBase64, 'base64'),
      signerCertificate: certificate, chain: [pki.certificate('intermediate-ca')] });
    const verified = await verifyDetached(manifest, cms, { trustAnchors: pki.trustAnchors, crls: pki.crls, requireRevocation: true, now });
    expect(verified.algorithm.scheme).toBe(scheme);
    expect((await opensslVerifyDetached(pki, manifest, cms)).output).toContain('Verification successful');
  });

  it('lists the certificates on the token without a PIN', async () => {
    const res = await agent(signerAt({}).prompter).inject({ method: 'GET', url: '/v1/certificates', headers: headers() });
    expect(res.statusCode).toBe(200);
    const list = res.json().certificates as Array<{ label: string; valid: boolean }>;
    expect(list.map((c) => [c.label, c.valid]).sort()).toEqual([['expired', false], ['head-ec', true], ['head-rsa', true]]);
  });

  it('answers the preflight of the console only', async () => {
    const ok = await agent(signerAt({}).prompter).inject({ method: 'OPTIONS', url: '/v1/sign', headers: { host: 'localhost:8730', origin: ORIGIN } });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-headers']).toContain('x-pairing-secret');
    const other = await agent(signerAt({}).prompter).inject({ method: 'OPTIONS', url: '/v1/sign', headers: { host: 'localhost:8730', origin: 'https://evil.example' } });
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('refusals: a stable code, the signer not asked or nothing signed', () => {
  async function refused(body: object, answers: { confirm?: boolean; pin?: string } = {}, h: Record<string, string> = headers(), on?: Pkcs11Token) {
    const signer = signerAt(answers);
    const res = await agent(signer.prompter, on).inject({ method: 'POST', url: '/v1/sign', headers: h, payload: body });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.json().signatureValueBase64).toBeUndefined();
    return { code: res.json().code as string, asked: signer.shown.length, status: res.statusCode };
  }
  const good = () => session(manifestOf(2), certs.get('head-ec')!).body;

  it('a request from another origin, without an origin, from a non-loopback host name, or without the pairing secret', async () => {
    expect(await refused(good(), {}, headers({ origin: 'https://evil.example' }))).toEqual({ code: 'SIGNER_AGENT_ORIGIN_REFUSED', asked: 0, status: 403 });
    const { origin: _o, ...noOrigin } = headers();
    expect((await refused(good(), {}, noOrigin as Record<string, string>)).code).toBe('SIGNER_AGENT_ORIGIN_REFUSED');
    expect((await refused(good(), {}, headers({ host: 'attacker.example:8730' }))).code).toBe('SIGNER_AGENT_ORIGIN_REFUSED');
    expect(await refused(good(), {}, headers({ 'x-pairing-secret': '0000-0000-0000' }))).toEqual({ code: 'SIGNER_AGENT_NOT_PAIRED', asked: 0, status: 401 });
  });

  it('the signer declining, or cancelling the PIN', async () => {
    expect(await refused(good(), { confirm: false })).toEqual({ code: 'SIGNING_DECLINED', asked: 1, status: 422 });
    expect((await refused(good(), { pin: '' })).code).toBe('SIGNING_DECLINED');
  });

  it('a wrong PIN: PKCS11_PIN_INCORRECT; the signer is then warned, and the same session signs with the right PIN', async () => {
    const body = good();
    const signer = signerAt({});
    const app = agent(signer.prompter);
    expect((await refused(body, { pin: '999999' })).code).toBe('PKCS11_PIN_INCORRECT');
    expect((await app.inject({ method: 'POST', url: '/v1/sign', headers: headers(), payload: body })).statusCode).toBe(200);
    // The token counted the wrong PIN (CKF_USER_PIN_COUNT_LOW): the summary carries it to the terminal's warning.
    expect(signer.shown[0]!.pin.countLow).toBe(true);
  });

  it('a locked token: PKCS11_PIN_LOCKED before the signer is asked anything (SoftHSM2 never locks: its status is forced here)', async () => {
    const locked = Object.create(token, { pinStatus: { value: () => ({ countLow: true, finalTry: false, locked: true }) } }) as Pkcs11Token;
    expect(await refused(good(), {}, headers(), locked)).toMatchObject({ code: 'PKCS11_PIN_LOCKED', asked: 0, status: 423 });
  });

  it('a replayed signing request: one signature per session', async () => {
    const body = good();
    const app = agent(signerAt({}).prompter);
    expect((await app.inject({ method: 'POST', url: '/v1/sign', headers: headers(), payload: body })).statusCode).toBe(200);
    const again = await app.inject({ method: 'POST', url: '/v1/sign', headers: headers(), payload: body });
    expect(again.json().code).toBe('SIGNER_AGENT_REPLAYED');
    // The same attributes under a new session id are the same signature: refused too.
    const renamed = await app.inject({ method: 'POST', url: '/v1/sign', headers: headers(), payload: { ...body, sessionId: randomUUID() } });
    expect(renamed.json().code).toBe('SIGNER_AGENT_REPLAYED');
  });

  it('anything that is not a gateway signing session', async () => {
    const body = good();
    const foreign = Buffer.from('<?xml version="1.0"?><HopDong>chuyển 1 tỷ đồng</HopDong>');
    expect((await refused({ ...body, sessionId: 'not-a-uuid' })).code).toBe('SIGNER_AGENT_NOT_A_SESSION');
    expect((await refused({ ...body, manifestBase64: foreign.toString('base64'), manifestSha256: sha256Hex(foreign) })).code).toBe('SIGNER_AGENT_NOT_A_SESSION');
    expect((await refused({ ...body, manifestSha256: sha256Hex(foreign) })).code).toBe('SIGNER_AGENT_NOT_A_SESSION');
    expect((await refused({ ...body, signedAttributesBase64: Buffer.from('garbage').toString('base64') })).code).toBe('SIGNER_AGENT_NOT_A_SESSION');
    expect((await refused({ ...body, algorithm: { scheme: 'RSASSA-PSS', hash: 'SHA-256', saltLength: 20 } })).code).toBe('SIGNER_AGENT_NOT_A_SESSION');
  });

  it('a signature over other attributes than the session’s: attributes over another manifest than the one shown', async () => {
    const shownManifest = manifestOf(1);
    const hidden = session(manifestOf(500, 'H55.07'), certs.get('head-ec')!).body;
    const r = await refused({ ...hidden, manifestBase64: shownManifest.toString('base64'), manifestSha256: sha256Hex(shownManifest) });
    expect(r).toMatchObject({ code: 'SIGNER_AGENT_NOT_A_SESSION', asked: 0 });
  });

  it('a session bound to a certificate that is not on this token (not this approver’s)', async () => {
    expect(await refused(session(manifestOf(1), certs.get('other')!).body)).toMatchObject({ code: 'PKCS11_KEY_NOT_FOUND', asked: 0 });
  });

  it('an expired token certificate (the gateway refuses such a session anyway; the agent checks again at signing time)', async () => {
    // The session is prepared while the certificate was valid; the agent is asked after it expired.
    const expired = certs.get('expired')!;
    const earlier = new Date(now.getTime() - 60 * 86_400_000);
    const manifest = manifestOf(1);
    const prepared = prepareExternalSignature({ data: manifest, signerCertificate: expired, signingTime: earlier });
    const body = { sessionId: randomUUID(), manifestBase64: manifest.toString('base64'), manifestSha256: sha256Hex(manifest),
      signedAttributesBase64: Buffer.from(prepared.signedAttrsDer).toString('base64'), algorithm: { scheme: 'ECDSA', hash: 'SHA-256' } };
    expect(await refused(body)).toMatchObject({ code: 'CERT_EXPIRED', asked: 0 });
  });

  it('the token removed mid-session: PKCS11_TOKEN_UNAVAILABLE, nothing signed', async () => {
    const removable = await createTestToken(pki, 'usb-removable', [{ spec: 'EC-P256', label: 'k', id: '31', profile: signerProfile('Lê Văn Cường', now) }]);
    const t = openPkcs11Token({ modulePath: SOFTHSM_MODULE, tokenLabel: 'usb-removable' });
    try {
      const body = session(manifestOf(1), removable.get('k')!).body;
      // Unplugged while the signer reads the summary.
      const prompter: SignerPrompter = { confirm: async () => { removeTestToken('usb-removable'); return true; }, askPin: async () => TOKEN_PIN };
      const res = await agent(prompter, t).inject({ method: 'POST', url: '/v1/sign', headers: headers(), payload: body });
      expect(['PKCS11_TOKEN_UNAVAILABLE', 'PKCS11_TOKEN_NOT_FOUND']).toContain(res.json().code);
      expect(res.statusCode).toBe(503);
    } finally {
      t.close();
    }
  });
});

describe('parseApprovalManifest', () => {
  it('reads back exactly what buildApprovalManifest made, and nothing else', () => {
    const manifest = manifestOf(4);
    const parsed = parseApprovalManifest(manifest);
    expect(parsed).toMatchObject({ level: 'CO_QUAN', agencyCode: 'H55.06', period: '2026-11', sha256: sha256Hex(manifest) });
    expect(parsed!.items).toHaveLength(4);
    expect(parseApprovalManifest(manifestOf(0))!.items).toEqual([]);
    const text = manifest.toString('utf8');
    expect(parseApprovalManifest(Buffer.from(text.replace('<SoThayDoi>4<', '<SoThayDoi>5<')))).toBeUndefined();
    expect(parseApprovalManifest(Buffer.from(text.replace('</DanhSach>', '<!-- x --></DanhSach>')))).toBeUndefined();
    expect(parseApprovalManifest(Buffer.from(`${text} `))).toBeUndefined();
    expect(parseApprovalManifest(Buffer.from([0xff, 0xfe]))).toBeUndefined();
  });
});

describe('csdl-gateway signer-agent', () => {
  it('listens on 127.0.0.1 with a fresh pairing code, and answers the console through a real socket', async () => {
    const running = await runSignerAgent({ module: SOFTHSM_MODULE, tokenLabel: 'usb-head', origin: `${ORIGIN}/console/ky-so`, port: '0' }, signerAt({}).prompter);
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
      expect(running.pairingSecret).toMatch(/^[0-9]{4}-[0-9]{4}-[0-9]{4}$/);
      const listed = await fetch(`${running.url}/v1/certificates`, { headers: { origin: ORIGIN, 'x-pairing-secret': running.pairingSecret } });
      expect(listed.status).toBe(200);
      expect(listed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(((await listed.json()) as { certificates: unknown[] }).certificates).toHaveLength(3);
      const foreign = await fetch(`${running.url}/v1/certificates`, { headers: { origin: 'https://evil.example', 'x-pairing-secret': running.pairingSecret } });
      expect(foreign.status).toBe(403);
    } finally {
      await running.close();
    }
  });

  it.each([
    ['an origin that is not a URL', { origin: 'console' }],
    ['a port out of range', { port: '70000' }],
    ['a slot that is not a number', { slot: 'one', tokenLabel: undefined }],
  ])('refuses %s (BAD_REQUEST) before opening anything', async (_name, extra) => {
    const started = runSignerAgent({ module: SOFTHSM_MODULE, tokenLabel: 'usb-head', origin: ORIGIN, port: '0', ...extra } as never, signerAt({}).prompter);
    await expect(started).rejects.toSatisfy((err: unknown) => isGatewayError(err, 'BAD_REQUEST'));
  });
});

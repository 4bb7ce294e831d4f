// The signing agent on the signer's computer (the pattern of the vendors' signing plugins): a small HTTP
// service on 127.0.0.1 that the console in the signer's browser calls. It lists the certificates on the
// USB token and, for a gateway signing session, shows the signer what is signed, asks the PIN on the
// agent's own terminal (never the browser, never the server), signs the DER signed attributes on the
// token and returns the signature value with the certificate chain. The key never leaves the token.
//
// Who may call it: only the configured console origin (CORS + an Origin check, and a Host check against
// DNS rebinding), carrying the pairing secret shown on the agent's terminal. What it signs: only signed
// attributes over a manifest this gateway made, bound to a certificate on this token; each session once.
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { parseApprovalManifest, type ParsedManifest } from '../domain/approval-manifest.ts';
import { digestBytes, type SignatureAlgorithm, type SignatureScheme } from '../pki/algorithms.ts';
import { isValidAt, notAfter, notBefore, sameName, subjectOf, summarizeCertificate, type Certificate } from '../pki/certificates.ts';
import { bytesEqual, toHex } from '../pki/der.ts';
import { signWithKey } from '../pki/keys.ts';
import { OID_DATA } from '../pki/oids.ts';
import { toPem } from '../pki/pem.ts';
import { decodeSignedAttributesDer, readSignedAttributes, signedAttributesDer } from '../pki/signed-attributes.ts';
import { essCertIdMatches } from '../pki/signing-certificate.ts';
import type { Pkcs11Token, TokenCertificate } from '../pki/pkcs11.ts';

/** What the signer is shown before confirming. */
export interface SigningSummary {
  readonly sessionId: string;
  readonly level: ParsedManifest['level'];
  readonly agencyCode: string;
  readonly period: string;
  readonly count: number;
  readonly manifestSha256: string;
  readonly signer: string;
  readonly scheme: SignatureScheme;
  /** What the token says of its PIN: wrong PINs already typed (countLow), one try left (finalTry). */
  readonly pin: { readonly countLow: boolean; readonly finalTry: boolean };
}

/** The agent's terminal (or a PIN pad): tests inject their own. */
export interface SignerPrompter {
  /** Shows the summary and asks for confirmation; false when the signer declines. */
  confirm(summary: SigningSummary): Promise<boolean>;
  /** The token PIN, typed by the signer; '' means cancelled. */
  askPin(summary: SigningSummary): Promise<string>;
}

export interface SignerAgentOptions {
  /** The opened token (openPkcs11Token); the agent never logs in except for one signature. */
  readonly token: Pkcs11Token;
  /** The console's origin, exactly as browsers send it (e.g. https://csdl.sonoivu.example.gov.vn). */
  readonly consoleOrigin: string;
  /** Random secret shown on the agent's terminal and typed once into the console. */
  readonly pairingSecret: string;
  readonly prompter: SignerPrompter;
  readonly clock: Clock;
}

/** The body the console forwards from POST /api/v1/approvals/sessions (step 1 of the two-step flow). */
interface SignRequest {
  sessionId: string;
  manifestBase64: string;
  manifestSha256: string;
  signedAttributesBase64: string;
  algorithm: { scheme: SignatureScheme; hash: string; saltLength?: number };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
const SCHEMES: readonly SignatureScheme[] = ['RSASSA-PSS', 'ECDSA', 'RSASSA-PKCS1-v1_5'];

const SignBody = {
  type: 'object', additionalProperties: true,
  required: ['sessionId', 'manifestBase64', 'manifestSha256', 'signedAttributesBase64', 'algorithm'],
  properties: {
    sessionId: { type: 'string', maxLength: 64 },
    manifestBase64: { type: 'string', maxLength: 90_000_000 },
    manifestSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    signedAttributesBase64: { type: 'string', maxLength: 20_000 },
    algorithm: { type: 'object', required: ['scheme', 'hash'], properties: {
      scheme: { type: 'string', enum: [...SCHEMES] }, hash: { type: 'string', const: 'SHA-256' }, saltLength: { type: 'integer' } } },
  },
} as const;

export function buildSignerAgent(options: SignerAgentOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 96 * 1024 * 1024 });
  const secret = Buffer.from(options.pairingSecret, 'utf8');
  /** Sessions and attribute sets already signed: one signature per session, never again. */
  const signed = new Set<string>();
  let busy = false;

  const corsHeaders = (reply: FastifyReply) => reply
    .header('access-control-allow-origin', options.consoleOrigin)
    .header('vary', 'Origin')
    .header('access-control-allow-methods', 'GET, POST')
    .header('access-control-allow-headers', 'content-type, x-pairing-secret')
    // Chrome's Private Network Access: a public page calling 127.0.0.1 asks this first.
    .header('access-control-allow-private-network', 'true');

  app.setErrorHandler((err, _request, reply) => {
    const known = isGatewayError(err) ? err
      : (err as { validation?: unknown }).validation ? new GatewayError('VALIDATION_FAILED', { reason: (err as Error).message })
      : new GatewayError('INTERNAL_ERROR');
    void reply.status(known.statusCode).send(known.toJSON());
  });

  app.addHook('onRequest', async (request, reply) => {
    const host = (request.headers.host ?? '').replace(/:[0-9]+$/, '');
    if (!LOOPBACK_HOSTS.has(host)) throw new GatewayError('SIGNER_AGENT_ORIGIN_REFUSED', { reason: 'host-not-loopback', host });
    if (request.headers.origin !== options.consoleOrigin) {
      throw new GatewayError('SIGNER_AGENT_ORIGIN_REFUSED', { origin: request.headers.origin ?? null });
    }
    corsHeaders(reply);
    if (request.method === 'OPTIONS') return; // preflight: no secret yet
    const given = Buffer.from(String(request.headers['x-pairing-secret'] ?? ''), 'utf8');
    if (given.length !== secret.length || !timingSafeEqual(given, secret)) throw new GatewayError('SIGNER_AGENT_NOT_PAIRED');
  });

  app.options('/*', async (_request, reply) => reply.status(204).send());

  app.get('/v1/status', async () => ({ token: options.token.label, device: options.token.device, pin: options.token.pinStatus() }));

  app.get('/v1/certificates', async () => ({
    certificates: options.token.listCertificates().map((c) => describe(c, options.clock.now())),
  }));

  app.post('/v1/sign', { schema: { body: SignBody } }, async (request: FastifyRequest) => {
    const body = request.body as SignRequest;
    const checked = checkRequest(body, options.token.listCertificates(), options.clock.now());
    if (signed.has(body.sessionId) || signed.has(checked.attributesSha256)) {
      throw new GatewayError('SIGNER_AGENT_REPLAYED', { sessionId: body.sessionId });
    }
    if (busy) throw new GatewayError('SIGNER_AGENT_BUSY');
    busy = true;
    try {
      // A locked token is not asked for a PIN: only the issuer can unlock it.
      const pin = options.token.pinStatus();
      if (pin.locked) throw new GatewayError('PKCS11_PIN_LOCKED', { device: options.token.device });
      const summary: SigningSummary = {
        sessionId: body.sessionId, level: checked.manifest.level, agencyCode: checked.manifest.agencyCode, period: checked.manifest.period,
        count: checked.manifest.items.length, manifestSha256: checked.manifest.sha256, signer: subjectOf(checked.own.certificate),
        scheme: checked.algorithm.scheme, pin: { countLow: pin.countLow, finalTry: pin.finalTry },
      };
      if (!(await options.prompter.confirm(summary))) throw new GatewayError('SIGNING_DECLINED', { sessionId: body.sessionId });
      const typed = await options.prompter.askPin(summary);
      if (typed === '') throw new GatewayError('SIGNING_DECLINED', { sessionId: body.sessionId, reason: 'pin-cancelled' });
      const selector = checked.own.id !== '' ? { keyId: checked.own.id } : { keyLabel: checked.own.label };
      const signature = await options.token.withSession(typed, async (session) =>
        signWithKey(session.signingKey(selector), checked.algorithm, checked.signedAttrs));
      signed.add(body.sessionId);
      signed.add(checked.attributesSha256);
      return {
        sessionId: body.sessionId,
        signatureValueBase64: Buffer.from(signature).toString('base64'),
        certificatePem: toPem('CERTIFICATE', checked.own.der),
        chainPem: checked.chain.map((c) => toPem('CERTIFICATE', c.der)).join(''),
      };
    } finally {
      busy = false;
    }
  });

  return app;
}

function describe(c: TokenCertificate, now: Date) {
  const s = summarizeCertificate(c.certificate);
  return {
    label: c.label, id: c.id, subject: s.subject, issuer: s.issuer, serialNumber: s.serialNumber, sha256: s.sha256,
    notBefore: s.notBefore.toISOString(), notAfter: s.notAfter.toISOString(), valid: isValidAt(c.certificate, now),
    certificatePem: toPem('CERTIFICATE', c.der),
  };
}

interface CheckedRequest {
  manifest: ParsedManifest;
  signedAttrs: Uint8Array;
  attributesSha256: string;
  algorithm: SignatureAlgorithm;
  own: TokenCertificate;
  chain: TokenCertificate[];
}

/**
 * Everything the agent can check before a person is asked anything: the request is a gateway signing
 * session (a manifest the gateway made, signed attributes over exactly that manifest), bound to a
 * certificate on this token that is valid now, with an algorithm the gateway uses.
 */
export function checkRequest(body: SignRequest, onToken: readonly TokenCertificate[], now: Date): CheckedRequest {
  const notASession = (reason: string) => new GatewayError('SIGNER_AGENT_NOT_A_SESSION', { reason });
  if (!UUID.test(body.sessionId)) throw notASession('session-id');
  const manifestBytes = new Uint8Array(Buffer.from(body.manifestBase64, 'base64'));
  const manifest = parseApprovalManifest(manifestBytes);
  if (!manifest) throw notASession('not-a-gateway-manifest');
  if (manifest.sha256 !== body.manifestSha256) throw notASession('manifest-sha256-mismatch');
  const signedAttrs = new Uint8Array(Buffer.from(body.signedAttributesBase64, 'base64'));
  const attributes = decodeSignedAttributesDer(signedAttrs, 'SIGNER_AGENT_NOT_A_SESSION');
  if (!bytesEqual(signedAttributesDer(attributes), signedAttrs)) throw notASession('attributes-not-der');
  const values = readSignedAttributes(attributes, 'SIGNER_AGENT_NOT_A_SESSION');
  if (values.contentType !== OID_DATA) throw notASession('content-type');
  // A request whose attributes are over other bytes than the manifest shown would make the signer sign blind.
  if (!values.messageDigest || !bytesEqual(values.messageDigest, digestBytes('SHA-256', manifestBytes))) throw notASession('attributes-not-over-manifest');
  if (!values.signingTime) throw notASession('no-signing-time');
  const certId = values.essCertIdsV2?.[0];
  if (!certId) throw notASession('no-signing-certificate-attribute');
  const own = onToken.find((c) => essCertIdMatches(certId, c.certificate));
  if (!own) {
    throw new GatewayError('PKCS11_KEY_NOT_FOUND', { reason: 'session-certificate-not-on-this-token',
      onToken: onToken.map((c) => subjectOf(c.certificate)) });
  }
  if (!isValidAt(own.certificate, now)) {
    throw new GatewayError('CERT_EXPIRED', { subject: subjectOf(own.certificate), notBefore: notBefore(own.certificate).toISOString(), notAfter: notAfter(own.certificate).toISOString() });
  }
  const { scheme, saltLength } = body.algorithm;
  if (scheme === 'RSASSA-PSS' && saltLength !== 32) throw notASession('pss-salt-length');
  const algorithm: SignatureAlgorithm = { scheme, hash: 'SHA-256', ...(scheme === 'RSASSA-PSS' ? { saltLength: 32 } : {}) };
  return { manifest, signedAttrs, attributesSha256: toHex(digestBytes('SHA-256', signedAttrs)), algorithm, own, chain: issuersOn(own.certificate, onToken) };
}

/** Intermediates stored on the token above the signer's certificate (not the self-signed root). */
function issuersOn(cert: Certificate, onToken: readonly TokenCertificate[]): TokenCertificate[] {
  const chain: TokenCertificate[] = [];
  let current = cert;
  for (;;) {
    const issuer = onToken.find((c) => sameName(c.certificate.subject, current.issuer) && !sameName(c.certificate.subject, c.certificate.issuer)
      && !chain.includes(c) && c.certificate !== current);
    if (!issuer) return chain;
    chain.push(issuer);
    current = issuer.certificate;
  }
}

// POST /api/v1/inbound/transfer-requests: the national side tells the province that a person moves in
// (NATIONAL_API.md §7). No bearer token: the call is authenticated by the national signature (and by
// mutual TLS where the deployment terminates it), so this plugin is registered outside the
// authenticated /api/v1 block. The request is verified (src/transfer/inbound-request.ts), the receiving
// agency must be an open agency of this province, then the request is stored with its pull job:
// 202 {"requestId","status":"QUEUED"}; the same request again: 200 with its current status; the same
// request id with other content: 409 CONFLICT. A refused request stores nothing.
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { GatewayError, isGatewayError } from '../../errors.ts';
import { level1Code } from '../../domain/agency-code.ts';
import { assertAgencyActive, getAgency } from '../../store/agencies.ts';
import { createTransfer, getTransfer, type TransferRow } from '../../store/transfers.ts';
import type { TransferRequest } from '../../exchange/xml/transfer-request-document.ts';
import { verifyInboundRequest, type InboundBody as Body } from '../../transfer/inbound-request.ts';
import { loadNationalTrust } from '../../transfer/national-trust.ts';
import { errorResponses } from '../schemas.ts';

const field = (maxLength: number) => Type.String({ maxLength });

/** Shape only; every field's content is checked by verifyInboundRequest, with the §7 codes. */
const InboundBody = Type.Object({
  requestId: field(128),
  personalId: field(32),
  fromAgencyCode: field(64),
  toAgencyCode: field(64),
  decisionNo: field(512),
  effectiveDate: field(32),
  payload: Type.String({ minLength: 1, maxLength: 128 * 1024 }),
  signature: Type.String({ minLength: 1, maxLength: 256 * 1024 }),
}, { additionalProperties: false });

const InboundAnswer = Type.Object({ requestId: Type.String(), status: Type.String() });

/** The fields a repeated request must carry unchanged. */
function sameRequest(stored: TransferRow, r: TransferRequest): boolean {
  return stored.source === 'INBOUND' && stored.personalId === r.personalId && stored.fromAgencyCode === r.fromAgencyCode
    && stored.toAgencyCode === r.toAgencyCode && stored.decisionNo === r.decisionNo
    && stored.effectiveDate?.toISOString().slice(0, 10) === r.effectiveDate;
}

export const inboundRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.deps;
  const trust = app.deps.nationalTrust ?? loadNationalTrust(config);
  const deadlineMs = config.retryDeadlineHours * 3_600_000;

  /** §7: outside the province or unknown → AGENCY_NOT_IN_PROVINCE; a closed agency counts as unknown. */
  async function assertReceivingAgency(code: string): Promise<void> {
    if (level1Code(code) !== config.provinceCode) throw new GatewayError('AGENCY_NOT_IN_PROVINCE', { field: 'toAgencyCode', reason: 'OTHER_PROVINCE' });
    try {
      assertAgencyActive(await getAgency(db, code), code, app.deps.clock.now());
    } catch (err) {
      if (!isGatewayError(err)) throw err;
      throw new GatewayError('AGENCY_NOT_IN_PROVINCE', { field: 'toAgencyCode', reason: err.code === 'AGENCY_CLOSED' ? 'CLOSED' : 'UNKNOWN' });
    }
  }

  app.post('/transfer-requests', {
    bodyLimit: 512 * 1024,
    schema: {
      tags: ['inbound'], summary: 'Inbound transfer-data request from the national side (NATIONAL_API.md §7), authenticated by its signature',
      security: [], body: InboundBody, response: { 200: InboundAnswer, 202: InboundAnswer, ...errorResponses },
    },
  }, async (request, reply) => {
    const verified = await verifyInboundRequest(request.body as Body, trust);
    const r = verified.request;
    const stored = await getTransfer(db, r.requestId);
    if (stored) {
      if (!sameRequest(stored, r)) throw new GatewayError('CONFLICT', { reason: 'REQUEST_ID_REUSED', requestId: r.requestId });
      return reply.status(200).send({ requestId: stored.requestId, status: stored.state });
    }
    await assertReceivingAgency(r.toAgencyCode);
    const { created, transfer } = await createTransfer(db, { subject: 'national-platform', role: null }, {
      requestId: r.requestId, source: 'INBOUND', personalId: r.personalId, fromAgencyCode: r.fromAgencyCode, toAgencyCode: r.toAgencyCode,
      decisionNo: r.decisionNo, effectiveDate: new Date(`${r.effectiveDate}T00:00:00Z`),
      payload: new Uint8Array(verified.payload), signature: new Uint8Array(verified.signature), requestedBy: verified.signer,
    }, app.deps.clock.now().getTime() + deadlineMs);
    if (!created && !sameRequest(transfer, r)) throw new GatewayError('CONFLICT', { reason: 'REQUEST_ID_REUSED', requestId: r.requestId });
    request.log.info({ requestId: r.requestId, created }, 'inbound transfer request');
    return reply.status(created ? 202 : 200).send({ requestId: transfer.requestId, status: transfer.state });
  });
};

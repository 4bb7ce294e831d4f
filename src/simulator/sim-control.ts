// Driving the simulator from tests and demos, in process (`app.sim`) or over HTTP under /_sim:
// faults, counters, national records pre-loaded for pulls, and transfer requests sent to a gateway.
//   GET /_sim/stats · DELETE /_sim/stats · GET|PUT /_sim/faults · POST /_sim/records ·
//   POST /_sim/transfer-requests
// When `adminKey` is set, /_sim calls need the header `X-Sim-Admin-Key`.
import { timingSafeEqual } from 'node:crypto';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { GatewayError, isErrorCode } from '../errors.ts';
import { decodeBase64Strict } from '../exchange/national-contract.ts';
import { buildNationalRecordDocument, readRecordElement, type HoSo } from '../exchange/xml/record-document.ts';
import { parseSafeXml } from '../exchange/xml/safe-parse.ts';
import type { ThaoTac } from '../domain/profile.ts';
import { FaultPlanSchema, type FaultPlan } from './faults.ts';
import { refuse } from './national-replies.ts';
import type { SimContext } from './sim-context.ts';
import type { StatsSnapshot } from './stats.ts';
import type { SenderCounters } from './sender-watch.ts';
import type { StorageCounts } from './storage.ts';
import { sendTransferRequest, type SendTransferResult, type TransferRequestInput } from './transfer-sender.ts';

export interface PreloadInput {
  /**
   * The record document served as is (§6, root HoSo; a test may give a wrong one on purpose), or the
   * record to build it from, as a batch would have been accepted: with `thaoTac` and `phienBan` = version.
   */
  readonly document?: Uint8Array;
  readonly hoSo?: HoSo;
  /** Default THEM_MOI. */
  readonly thaoTac?: ThaoTac;
  readonly version: number;
  /** Default: the record's MaDonViQuanLy. */
  readonly holderCode?: string;
  readonly updatedAt?: Date;
}

export interface SimStatsView extends StatsSnapshot {
  readonly stored: StorageCounts;
  /** Per sender: in flight (peak, excess) and calls before a Retry-After elapsed (sender-watch.ts). */
  readonly senders: Readonly<Record<string, SenderCounters>>;
  readonly faults: { readonly plan: FaultPlan; readonly injected: Readonly<Record<string, number>> };
}

export interface SimulatorControl {
  setFaults(plan: FaultPlan): void;
  stats(): Promise<SimStatsView>;
  resetStats(): void;
  /** Stores a national record for GET /records (any version, replacing what is there). */
  preloadRecord(input: PreloadInput): Promise<{ personalId: string; version: number; holderCode: string }>;
  /** Signs and sends a §7 transfer request to `{gatewayUrl}/api/v1/inbound/transfer-requests`. */
  sendTransferRequest(gatewayUrl: string, input: TransferRequestInput, options?: { tamper?: (b: Record<string, unknown>) => Record<string, unknown> }): Promise<SendTransferResult>;
}

export function createSimulatorControl(ctx: SimContext): SimulatorControl {
  return {
    setFaults: (plan) => ctx.faults.set(plan),
    async stats() {
      return {
        ...ctx.stats.snapshot(), stored: await ctx.storage.counts(), senders: ctx.senders.snapshot(),
        faults: { plan: ctx.faults.plan(), injected: { ...ctx.faults.injected } },
      };
    },
    resetStats: () => {
      ctx.stats.reset();
      ctx.senders.reset();
    },
    async preloadRecord(input) {
      if (!Number.isSafeInteger(input.version) || input.version < 1) throw new GatewayError('INVALID_VALUE', { field: 'version' });
      const document = input.document ? Buffer.from(input.document)
        : input.hoSo ? buildNationalRecordDocument({ hoSo: input.hoSo, thaoTac: input.thaoTac ?? 'THEM_MOI', phienBan: input.version }) : undefined;
      if (!document) throw new GatewayError('BAD_REQUEST', { reason: 'document or hoSo required' });
      // Only the record's identity is needed here: the attributes are whatever the test gave.
      const root = parseSafeXml(document, { maxBytes: ctx.maxBodyBytes }, 'HoSo', ['thaoTac', 'phienBan']);
      const read = readRecordElement(root, { ...(ctx.today ? { today: ctx.today() } : {}) }, ['xmlns', 'thaoTac', 'phienBan']);
      const hoSo = read.hoSo;
      const first = read.issues[0]?.code;
      if (!hoSo) throw new GatewayError(first !== undefined && isErrorCode(first) ? first : 'MISSING_FIELD', { issues: read.issues });
      const holderCode = input.holderCode ?? hoSo.MaDonViQuanLy;
      await ctx.storage.putRecord({
        personalId: hoSo.SoDinhDanh, version: input.version, holderCode, document, updatedAt: input.updatedAt ?? ctx.now(),
      });
      return { personalId: hoSo.SoDinhDanh, version: input.version, holderCode };
    },
    sendTransferRequest: (gatewayUrl, input, options = {}) => sendTransferRequest(gatewayUrl, input, {
      signer: ctx.signer, storage: ctx.storage, now: ctx.now, ...(options.tamper ? { tamper: options.tamper } : {}),
    }),
  };
}

const PreloadBody = Type.Object({
  document: Type.String({ minLength: 1 }),
  version: Type.Integer({ minimum: 1 }),
  holderCode: Type.Optional(Type.String({ maxLength: 35 })),
}, { additionalProperties: false });

const TransferBody = Type.Object({
  gatewayUrl: Type.String({ pattern: '^https?://' }),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  personalId: Type.String(),
  fromAgencyCode: Type.String(),
  toAgencyCode: Type.String(),
  decisionNo: Type.String(),
  effectiveDate: Type.String(),
}, { additionalProperties: false });

function sameKey(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function controlRoutes(control: SimulatorControl, adminKey?: string): FastifyPluginAsync {
  return async (instance: FastifyInstance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    if (adminKey !== undefined) {
      app.addHook('onRequest', async (request, reply) => {
        if (!sameKey(request.headers['x-sim-admin-key'], adminKey)) return refuse(reply, 401, 'AUTHEN_ERROR', { reason: 'admin key' });
        return undefined;
      });
    }
    app.get('/stats', async () => control.stats());
    app.delete('/stats', async (_request, reply) => {
      control.resetStats();
      return reply.status(204).send();
    });
    app.get('/faults', async () => (await control.stats()).faults);
    app.put('/faults', { schema: { body: FaultPlanSchema } }, async (request) => {
      control.setFaults(request.body);
      return (await control.stats()).faults;
    });
    app.post('/records', { schema: { body: PreloadBody } }, async (request, reply) => {
      const { body } = request;
      const document = decodeBase64Strict(body.document);
      if (!document) return refuse(reply, 400, 'BAD_REQUEST', { field: 'document', reason: 'not base64' });
      const stored = await control.preloadRecord({
        document, version: body.version, ...(body.holderCode !== undefined ? { holderCode: body.holderCode } : {}),
      });
      return reply.status(201).send(stored);
    });
    app.post('/transfer-requests', { schema: { body: TransferBody } }, async (request) => {
      const { gatewayUrl, ...input } = request.body;
      return control.sendTransferRequest(gatewayUrl, input);
    });
  };
}

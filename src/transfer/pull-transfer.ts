// One attempt at the pull job of a transfer request (outbox topic TRANSFER_PULL, key = requestId):
// GET /records/{personalId} (§5), check the answer, settle the request. The caller (BullMQ through
// outbox-worker.ts, or a test's loop) decides when to try again:
//   a record that checks out     → IMPORTED (a SUBMITTED change of the receiving agency)
//   RECORD_NOT_FOUND, a record that does not check out, the receiving agency closed meanwhile → REJECTED
//   a permanent refusal, no trust anchor configured, the deadline passed → FAILED (an operator re-runs)
//   anything transient or unknown (a GET is safe to repeat) → retry
// Settling an inbound request also queues its acknowledgement (ack-transfer.ts), in the same transaction.
import type { Logger } from 'pino';
import { errorSpec, isErrorCode, isGatewayError } from '../errors.ts';
import { localDate } from '../domain/working-days.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import type { NationalRecord } from '../exchange/national-contract.ts';
import type { RetryOutcome } from '../exchange/retry-policy.ts';
import { assertAgencyActive, getAgency } from '../store/agencies.ts';
import type { Db } from '../store/db.ts';
import { getTransfer, recordTransferAttempt, settleTransfer, type Actor, type NationalInfo, type TransferRow } from '../store/transfers.ts';
import type { NationalTrust } from './national-trust.ts';
import { checkPulledRecord, importInputOf, type RecordCheck } from './pulled-record.ts';

export interface TransferJobDeps {
  readonly db: Db;
  readonly client: NationalClient;
  readonly trust: NationalTrust;
  readonly logger: Logger;
  /** How long the acknowledgement of an inbound request is retried (ms from when it is queued). */
  readonly ackWindowMs: number;
  /** Largest record document accepted. */
  readonly maxRecordBytes: number;
  readonly now?: () => Date;
}

export type TransferStep =
  | { kind: 'settled'; state: string }
  | { kind: 'retry'; outcome: RetryOutcome }
  | { kind: 'absent' };

export const SYSTEM_ACTOR: Actor = { subject: 'system', role: 'SYSTEM' };

function messageOf(code: string): string {
  return isErrorCode(code) ? errorSpec(code).message : code;
}

async function settle(deps: TransferJobDeps, t: TransferRow, state: 'REJECTED' | 'FAILED', reason: { code: string; details?: unknown }, national?: NationalInfo): Promise<TransferStep> {
  const now = (deps.now?.() ?? deps.db.clock.now());
  const settled = await settleTransfer(deps.db, SYSTEM_ACTOR, t.requestId, {
    state, code: reason.code, message: messageOf(reason.code), details: reason.details, ...(national ? { national } : {}),
  }, now.getTime() + deps.ackWindowMs);
  if (state === 'FAILED') deps.logger.error({ alert: 'TRANSFER_FAILED', requestId: t.requestId, code: reason.code }, 'transfer request failed');
  else deps.logger.warn({ requestId: t.requestId, code: reason.code }, 'transfer request rejected');
  return { kind: 'settled', state: settled?.state ?? state };
}

/** Checks the pulled record and imports it, or rejects the request with the reason. */
async function importPulled(deps: TransferJobDeps, t: TransferRow, record: NationalRecord): Promise<TransferStep> {
  const now = (deps.now?.() ?? deps.db.clock.now());
  const national: NationalInfo = { version: record.version, holderCode: record.holderCode };
  let check: RecordCheck;
  try {
    check = await checkPulledRecord(record, t.personalId, { trust: deps.trust, today: localDate(now), maxBytes: deps.maxRecordBytes, now });
  } catch (err) {
    if (isGatewayError(err, 'CONFIG_INVALID')) return settle(deps, t, 'FAILED', { code: err.code, details: err.details });
    throw err;
  }
  if (!check.ok) return settle(deps, t, 'REJECTED', { code: check.code, details: check.details }, national);
  try {
    assertAgencyActive(await getAgency(deps.db, t.toAgencyCode), t.toAgencyCode, now);
  } catch (err) {
    if (isGatewayError(err)) return settle(deps, t, 'REJECTED', { code: err.code, details: err.details }, national);
    throw err;
  }
  const reason = [
    t.source === 'INBOUND' ? `Tiếp nhận từ ${t.fromAgencyCode ?? 'ngoài tỉnh'}` : (t.reason ?? 'Đồng bộ hồ sơ từ CSDL quốc gia'),
    t.decisionNo ? `theo ${t.decisionNo}` : '',
    `(yêu cầu ${t.requestId})`,
  ].filter(Boolean).join(' ');
  const effectiveDate = t.effectiveDate ? t.effectiveDate.toISOString().slice(0, 10) : null;
  const settled = await settleTransfer(deps.db, SYSTEM_ACTOR, t.requestId, {
    state: 'IMPORTED', record: importInputOf(check.hoSo, { toAgencyCode: t.toAgencyCode, effectiveDate, reason }), national,
  }, now.getTime() + deps.ackWindowMs);
  deps.logger.info({ requestId: t.requestId, state: settled?.state, changeId: settled?.changeId }, 'transfer request settled');
  return { kind: 'settled', state: settled?.state ?? 'IMPORTED' };
}

export async function pullTransferOnce(deps: TransferJobDeps, requestId: string, context: { deadline: number }): Promise<TransferStep> {
  const t = await getTransfer(deps.db, requestId);
  if (!t) return { kind: 'absent' };
  if (t.state !== 'QUEUED') return { kind: 'settled', state: t.state };
  if ((deps.now?.() ?? deps.db.clock.now()).getTime() > context.deadline) {
    return settle(deps, t, 'FAILED', { code: 'NATIONAL_UNAVAILABLE', details: { reason: 'DEADLINE', lastErrorCode: t.lastErrorCode } });
  }
  const outcome = await deps.client.getRecord(t.personalId);
  switch (outcome.kind) {
    case 'success':
    case 'replayed':
      return importPulled(deps, t, outcome.value);
    case 'notFound':
      return settle(deps, t, 'REJECTED', { code: 'RECORD_NOT_FOUND' });
    case 'permanent':
      return settle(deps, t, 'FAILED', { code: outcome.code, details: outcome.details });
    case 'tokenExpired':
      // The client already renewed the token once; the platform may still be catching up.
      await recordTransferAttempt(deps.db, requestId, 'TOKEN_EXPIRED');
      return { kind: 'retry', outcome: { kind: 'transient' } };
    default:
      await recordTransferAttempt(deps.db, requestId, outcome.code);
      deps.logger.warn({ requestId, kind: outcome.kind, code: outcome.code }, 'record pull failed; will retry');
      return { kind: 'retry', outcome };
  }
}

// One attempt at delivering one batch (NATIONAL_API.md §4). The caller — a BullMQ job or the CLI's
// loop — decides when to try again; this decides what the attempt does:
//   lease the batch (one pusher at a time; a crashed pusher's lease runs out),
//   if an earlier attempt may have reached the national side, ask GET /batches/{id} first,
//   push the stored bytes, and settle: receipt → SYNCED/REJECTED per record; permanent refusal or
//   deadline → FAILED for an operator; anything else → try again later.
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { getBatch, leaseBatch, recordAttemptFailure, recordBatchFailure, recordReceipt, type LeasedBatch } from '../store/batches.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import type { NationalFailure, NationalOutcome } from '../exchange/national-errors.ts';
import type { Receipt } from '../exchange/national-contract.ts';
import { errorSpec, isErrorCode } from '../errors.ts';

export interface PushDeps {
  db: Db;
  client: NationalClient;
  logger: Logger;
  /** Who holds the lease (process and job), for operators reading the batch row. */
  owner: string;
  /** Longer than the slowest push; a crashed pusher's batch is taken over after it. */
  leaseMs: number;
  now?: () => Date;
}

export type PushStep =
  | { kind: 'settled'; state: 'ACCEPTED' | 'PARTIAL' | 'FAILED'; accepted?: number; rejected?: number }
  | { kind: 'retry'; outcome: NationalFailure | { kind: 'transient'; code: 'NATIONAL_UNAVAILABLE'; retryAfterMs?: number } }
  | { kind: 'absent' };

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

const FINAL = new Set(['ACCEPTED', 'PARTIAL', 'FAILED']);
const LEASE_BUSY_RETRY_MS = 5_000;

function describe(outcome: NationalFailure): { code: string; message: string } {
  const code = 'code' in outcome ? String(outcome.code) : outcome.kind.toUpperCase();
  const message = isErrorCode(code) ? errorSpec(code).message : code;
  return { code, message };
}

async function settle(deps: PushDeps, batch: LeasedBatch, receipt: Receipt, replayed: boolean): Promise<PushStep> {
  if (receipt.batchId !== batch.batchId) {
    return failForGood(deps, batch.batchId, { kind: 'permanent', code: 'BAD_PAYLOAD', alert: true, details: { reason: 'RECEIPT_FOR_ANOTHER_BATCH', receiptBatchId: receipt.batchId } });
  }
  const counts = await recordReceipt(deps.db, batch.batchId, {
    receiptId: receipt.receiptId, status: receipt.status, receivedAt: receipt.receivedAt, rejected: receipt.rejected, raw: receipt, replayed,
  });
  deps.logger.info({ batchId: batch.batchId, status: receipt.status, ...counts, replayed }, 'batch received by the national side');
  return { kind: 'settled', state: receipt.status, ...counts };
}

async function failForGood(deps: PushDeps, batchId: string, outcome: NationalFailure): Promise<PushStep> {
  const { code, message } = describe(outcome);
  const details = 'details' in outcome ? outcome.details : undefined;
  await recordBatchFailure(deps.db, batchId, { code, message, details });
  // An alert as a log event: the operator must look at a batch the national side refused for good.
  deps.logger.error({ alert: 'BATCH_FAILED', batchId, code, details }, 'batch failed permanently');
  return { kind: 'settled', state: 'FAILED' };
}

async function retryLater(deps: PushDeps, batchId: string, outcome: NationalFailure): Promise<PushStep> {
  const { code, message } = describe(outcome);
  await recordAttemptFailure(deps.db, batchId, deps.owner, { unknown: outcome.kind === 'unknown', code, message });
  deps.logger.warn({ batchId, kind: outcome.kind, code }, 'push attempt failed; will retry');
  return { kind: 'retry', outcome };
}

async function afterAnswer(deps: PushDeps, batch: LeasedBatch, outcome: NationalOutcome<Receipt>): Promise<PushStep> {
  switch (outcome.kind) {
    case 'success': return settle(deps, batch, outcome.value, false);
    case 'replayed': return settle(deps, batch, outcome.value, true);
    case 'permanent': return failForGood(deps, batch.batchId, outcome);
    default: return retryLater(deps, batch.batchId, outcome);
  }
}

export async function pushBatchOnce(deps: PushDeps, batchId: string): Promise<PushStep> {
  const now = deps.now ?? (() => deps.db.clock.now());
  const batch = await leaseBatch(deps.db, batchId, deps.owner, deps.leaseMs);
  if (!batch) {
    const current = await getBatch(deps.db, batchId);
    if (!current) return { kind: 'absent' };
    if (FINAL.has(current.state)) return { kind: 'settled', state: current.state as 'ACCEPTED' | 'PARTIAL' | 'FAILED' };
    return { kind: 'retry', outcome: { kind: 'transient', code: 'NATIONAL_UNAVAILABLE', retryAfterMs: LEASE_BUSY_RETRY_MS } };
  }
  const pastDeadline = now() > batch.deadlineAt;
  // attempts counts this one: more than one means an earlier push may have arrived without an answer
  // (timeout, reset, a crash mid-request). Ask before sending again — and before giving up at the deadline.
  if (batch.attempts > 1) {
    const found = await deps.client.getBatch(batchId);
    if (found.kind === 'success' || found.kind === 'replayed') return settle(deps, batch, found.value, true);
    if (found.kind === 'permanent') return failForGood(deps, batchId, found);
    if (found.kind !== 'notFound' && !pastDeadline) return retryLater(deps, batchId, found);
  }
  if (pastDeadline) {
    return failForGood(deps, batchId, { kind: 'permanent', code: 'NATIONAL_UNAVAILABLE', alert: true, details: { reason: 'DEADLINE', lastErrorCode: batch.lastErrorCode } });
  }
  const outcome = await deps.client.pushBatch({
    batchId, senderCode: batch.senderCode, period: batch.period, recordCount: batch.recordCount, payloadSha256: batch.payloadSha256,
    // Views of the leased bytes, not copies: a payload is megabytes and several pushes run at once.
    payload: asBuffer(batch.payload), signature: asBuffer(batch.signature),
  });
  return afterAnswer(deps, batch, outcome);
}

// One attempt at acknowledging an inbound transfer request (outbox topic TRANSFER_ACK, key = requestId):
// POST {NATIONAL_BASE_URL}/transfer-requests/{requestId}/ack {"status":"IMPORTED"|"REJECTED","reason"}
// (NATIONAL_API.md §7), retried like a push: transient and unknown outcomes again with backoff (the
// national side answers the same acknowledgement again with 200, so a repeat is harmless), until the
// deadline; a permanent refusal (a different acknowledgement already recorded: 409, an unknown request:
// 404) or the deadline → FAILED for an operator. Recorded in the transaction that ends the job.
import { errorSpec, isErrorCode } from '../errors.ts';
import { getTransfer, recordAck, recordAckFailure, recordTransferAttempt } from '../store/transfers.ts';
import { SYSTEM_ACTOR, type TransferJobDeps, type TransferStep } from './pull-transfer.ts';
import { ackReasonOf } from './transfer-states.ts';

type AckDeps = Pick<TransferJobDeps, 'db' | 'client' | 'logger' | 'now'>;

async function fail(deps: AckDeps, requestId: string, code: string, details?: unknown): Promise<TransferStep> {
  await recordAckFailure(deps.db, SYSTEM_ACTOR, requestId, { code, details });
  deps.logger.error({ alert: 'TRANSFER_ACK_FAILED', requestId, code, message: isErrorCode(code) ? errorSpec(code).message : code }, 'transfer acknowledgement failed');
  return { kind: 'settled', state: 'ACK_FAILED' };
}

export async function ackTransferOnce(deps: AckDeps, requestId: string, context: { deadline: number }): Promise<TransferStep> {
  const t = await getTransfer(deps.db, requestId);
  if (!t) return { kind: 'absent' };
  if (t.ackState !== 'PENDING') return { kind: 'settled', state: `ACK_${t.ackState ?? 'NONE'}` };
  if ((deps.now?.() ?? deps.db.clock.now()).getTime() > context.deadline) {
    return fail(deps, requestId, 'NATIONAL_UNAVAILABLE', { reason: 'DEADLINE', lastErrorCode: t.lastErrorCode });
  }
  const status = t.state === 'IMPORTED' ? 'IMPORTED' : 'REJECTED';
  const outcome = await deps.client.ackTransfer(requestId, { status, reason: ackReasonOf(t) });
  switch (outcome.kind) {
    case 'success':
    case 'replayed':
      if (outcome.value.status !== status) return fail(deps, requestId, 'IDEMPOTENCY_MISMATCH', { sent: status, recorded: outcome.value.status });
      await recordAck(deps.db, SYSTEM_ACTOR, requestId, outcome.value);
      deps.logger.info({ requestId, status }, 'transfer request acknowledged');
      return { kind: 'settled', state: 'ACK_ACKED' };
    case 'permanent':
      return fail(deps, requestId, outcome.code, outcome.details);
    case 'notFound':
      return fail(deps, requestId, outcome.code);
    case 'tokenExpired':
      await recordTransferAttempt(deps.db, requestId, 'TOKEN_EXPIRED');
      return { kind: 'retry', outcome: { kind: 'transient' } };
    default:
      await recordTransferAttempt(deps.db, requestId, outcome.code);
      deps.logger.warn({ requestId, kind: outcome.kind, code: outcome.code }, 'transfer acknowledgement failed; will retry');
      return { kind: 'retry', outcome };
  }
}

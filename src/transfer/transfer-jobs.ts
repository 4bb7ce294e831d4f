// The two outbox topics of transfer requests, wired from the configuration once per worker:
// TRANSFER_PULL (pull-transfer.ts) and TRANSFER_ACK (ack-transfer.ts).
import type { Config } from '../config.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import type { TopicHandler } from '../jobs/outbox-worker.ts';
import type { Runtime } from '../runtime.ts';
import { ackTransferOnce } from './ack-transfer.ts';
import { loadNationalTrust, type NationalTrust } from './national-trust.ts';
import { pullTransferOnce, type TransferJobDeps } from './pull-transfer.ts';

/** A pulled record document is at most a few hundred KiB; this leaves room for long histories. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export function transferJobDeps(config: Config, rt: Pick<Runtime, 'db' | 'logger'>, client: NationalClient, trust?: NationalTrust): TransferJobDeps {
  const loaded = trust ?? loadNationalTrust(config);
  if (loaded.trustAnchors.length === 0) rt.logger.warn('NATIONAL_TRUST_ANCHORS is not set: pulled records cannot be verified and transfer requests will fail');
  return {
    db: rt.db, client, trust: loaded, logger: rt.logger.child({ component: 'transfers' }),
    ackWindowMs: config.retryDeadlineHours * 3_600_000, maxRecordBytes: MAX_RECORD_BYTES,
  };
}

export function transferHandlers(deps: TransferJobDeps): { pull: TopicHandler; ack: TopicHandler } {
  return {
    pull: (requestId, context) => pullTransferOnce(deps, requestId, context),
    ack: (requestId, context) => ackTransferOnce(deps, requestId, context),
  };
}

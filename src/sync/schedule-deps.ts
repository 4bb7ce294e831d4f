// What the scheduled jobs need, from the configuration: shared by the worker and the API's run-by-hand route.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';
import { systemPrincipal } from '../auth/principal.ts';
import type { ScheduleDeps } from './schedules.ts';

export function scheduleDeps(config: Config, db: Db, logger: Logger, client: NationalClient, signing: SigningSetup): ScheduleDeps {
  return {
    db, logger, client, monthEndHour: config.monthEndHour,
    builder: signing.orgSigner ? {
      signer: signing.orgSigner, senderCode: config.senderCode, maxRecords: config.batchMaxRecords, maxBytes: config.batchMaxBytes,
      deadlineMs: config.retryDeadlineHours * 3_600_000, actor: systemPrincipal(config.provinceCode), ...(signing.tsaUrl ? { tsaUrl: signing.tsaUrl } : {}),
      ...(config.auditCheckpointDir ? { checkpointDir: config.auditCheckpointDir } : {}),
    } : null,
  };
}

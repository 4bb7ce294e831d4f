// `csdl-gateway sync --period YYYY-MM`: build and push what is approved for the period, with a progress
// line per batch and a summary.
import type { Config } from '../config.ts';
import { openNationalClient, openRuntime } from '../runtime.ts';
import { loadSigningSetup } from '../approval/signing-setup.ts';
import { formatSummary, syncPeriod, type SyncSummary } from '../sync/sync-period.ts';
import { systemPrincipal } from '../auth/principal.ts';
import { GatewayError } from '../errors.ts';
import { progressBar } from '../cli/output.ts';

export async function runSync(config: Config, period: string | null, print: (line: string) => void = console.log): Promise<SyncSummary> {
  const rt = openRuntime(config);
  const client = openNationalClient(config);
  const bar = progressBar('Đồng bộ', 'gói');
  try {
    const setup = await loadSigningSetup(config);
    if (!setup.orgSigner) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_P12_FILE', reason: 'batches are signed with the Sở Nội vụ key' });
    const summary = await syncPeriod(period, {
      db: rt.db, client, logger: rt.logger, leaseMs: config.leaseMs, maxInFlight: config.nationalMaxInFlight,
      retryBaseMs: config.retryBaseMs, retryMaxMs: config.retryMaxMs,
      // On a terminal the bar shows each batch; elsewhere (cron, CI, logs) one line per batch.
      onProgress: (line) => { if (!bar.active || !line.startsWith('[')) print(line); },
      onBatches: (n) => bar.setTotal(n), onBatchSettled: (batchId, state) => bar.tick(`${batchId} ${state}`),
      builder: { signer: setup.orgSigner, senderCode: config.senderCode, maxRecords: config.batchMaxRecords, maxBytes: config.batchMaxBytes,
        deadlineMs: config.retryDeadlineHours * 3_600_000, actor: systemPrincipal(config.provinceCode), ...(setup.tsaUrl ? { tsaUrl: setup.tsaUrl } : {}),
          ...(config.auditCheckpointDir ? { checkpointDir: config.auditCheckpointDir } : {}) },
    });
    bar.stop();
    print(formatSummary(summary));
    return summary;
  } finally {
    bar.stop();
    await client.close();
    await rt.close();
  }
}

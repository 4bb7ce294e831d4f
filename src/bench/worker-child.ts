// The gateway's worker as the benchmark runs it: exactly `csdl-gateway worker` (startWorker: the outbox
// queue, the relay, the pushes), configured only through its environment, plus one thing a benchmark
// needs — on the parent's IPC message `month-end` it runs the month-end-sync schedule now (force), as this
// worker's schedule does on the last day of the month at MONTH_END_SYNC_HOUR. So the batches are built,
// signed and stored in the same process that pushes them, as in production, and its CPU time and peak
// memory cover the whole gateway side of a sync.
import { loadConfig } from '../config.ts';
import { startWorker } from '../commands/worker.ts';
import { openNationalClient, openRuntime } from '../runtime.ts';
import { loadSigningSetup } from '../approval/signing-setup.ts';
import { scheduleDeps } from '../sync/schedule-deps.ts';
import { runSchedule } from '../sync/schedules.ts';

const config = loadConfig();
const worker = await startWorker(config);
const rt = openRuntime(config);
const client = openNationalClient(config);
const deps = scheduleDeps(config, rt.db, rt.logger, client, await loadSigningSetup(config));

// Where the memory is at the process's peak (sampled): heap, external (Buffers), array buffers.
const idle = process.memoryUsage();
let peak = idle;
setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak.rss) peak = m;
}, 50).unref();

process.on('message', (message: { type: string }) => {
  if (message.type === 'memory') {
    process.send!({ type: 'memory:done', peak, now: process.memoryUsage(), idle });
    return;
  }
  if (message.type !== 'month-end') return;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  runSchedule('month-end-sync', deps, deps.db.clock.now(), { force: true }).then((result) => {
    const cpu = process.cpuUsage(cpu0);
    const built = result.ran ? result.built : undefined;
    process.send!({
      type: 'month-end:done', ms: performance.now() - t0, cpuSeconds: (cpu.user + cpu.system) / 1e6,
      batches: built?.batches.length ?? 0, records: built?.batches.reduce((n, b) => n + b.records, 0) ?? 0,
      bytes: built?.batches.reduce((n, b) => n + b.bytes, 0) ?? 0, refused: built?.refused.length ?? 0,
      ...(result.ran ? {} : { error: result.reason }),
    });
  }, (err: unknown) => process.send!({ type: 'month-end:done', error: String((err as Error)?.stack ?? err) }));
});

const stop = () => {
  Promise.all([worker.close(), client.close(), rt.close()]).then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
console.log('bench worker ready');

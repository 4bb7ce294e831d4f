// Alerts are log events (`logger.error({ alert: 'BATCH_FAILED', … })`, src/sync/push-batch.ts and
// others). This pino destination passes every line on unchanged and counts the lines that carry a
// top-level `alert`, so the counter agrees with the logs whichever module or child logger wrote them.
import { pino, type DestinationStream } from 'pino';

/** The alert name at the top level of a pino JSON line; names are upper-snake codes. */
const ALERT_FIELD = /"alert":"([A-Za-z0-9_]{1,64})"/;

/** Reads the alert name of one log line, or null. */
export function alertOf(line: string): string | null {
  if (!line.includes('"alert":"')) return null; // the common case, without a regular expression
  return ALERT_FIELD.exec(line)?.[1] ?? null;
}

/** A destination for createLogger(): writes to `inner` (default stdout) and counts alerts. */
export function alertCountingDestination(countAlert: (alert: string) => void, inner: DestinationStream = pino.destination(1)): DestinationStream {
  const target = inner as DestinationStream & { flush?: (cb?: (err?: Error) => void) => void; flushSync?: () => void; end?: () => void };
  return {
    write(line: string) {
      const alert = alertOf(line);
      if (alert) countAlert(alert);
      return target.write(line);
    },
    ...(target.flush ? { flush: (cb?: (err?: Error) => void) => target.flush!(cb) } : {}),
    ...(target.flushSync ? { flushSync: () => target.flushSync!() } : {}),
    ...(target.end ? { end: () => target.end!() } : {}),
  } as DestinationStream;
}

// Who may scrape /metrics. The metrics carry no personal data (counts, codes, certificate subjects of
// CAs and of the organisation signer), so by default /metrics is open and meant to be reached only from
// inside the network, like /health and /ready. With METRICS_TOKEN set, a scrape must send
// `Authorization: Bearer <METRICS_TOKEN>` (Prometheus: `authorization: { credentials_file: … }`).
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** 'ok', or why the scrape is refused (the status to answer). */
export function metricsAccess(token: string, authorization: string | undefined): 'ok' | 401 | 403 {
  if (token === '') return 'ok';
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return 401;
  return timingSafeEqual(digest(match[1]!), digest(token)) ? 'ok' : 403;
}

// Green / yellow / red for the health panel of the console (GET /api/v1/ops/status): pure rules over
// what the status route gathered, so they are tested without a database, a queue or a clock.
import type { NationalLinkSnapshot } from './national-link.ts';

export type Level = 'green' | 'yellow' | 'red';

/** A certificate is yellow under 30 days and red under 7 days or once expired. */
export const CERT_YELLOW_DAYS = 30;
export const CERT_RED_DAYS = 7;

const rank: Record<Level, number> = { green: 0, yellow: 1, red: 2 };

export function worst(levels: Iterable<Level>): Level {
  let out: Level = 'green';
  for (const l of levels) if (rank[l] > rank[out]) out = l;
  return out;
}

export function certificateLevel(daysLeft: number): Level {
  if (daysLeft < CERT_RED_DAYS) return 'red';
  if (daysLeft < CERT_YELLOW_DAYS) return 'yellow';
  return 'green';
}

export interface QueueCounts { waiting: number; active: number; delayed: number; failed: number }

/** Unreachable: red. Failed jobs (left for an operator in Bull Board): yellow. */
export function queueLevel(counts: QueueCounts | null): Level {
  if (!counts) return 'red';
  return counts.failed > 0 ? 'yellow' : 'green';
}

export function readinessLevel(checks: Readonly<Record<string, boolean>>): Level {
  return Object.values(checks).every(Boolean) ? 'green' : 'red';
}

/** Batches needing an operator (FAILED) are red; batches whose outcome is not known yet, yellow. */
export function batchesLevel(counts: Readonly<Record<string, number>>): Level {
  if ((counts.FAILED ?? 0) > 0) return 'red';
  if ((counts.UNKNOWN ?? 0) > 0) return 'yellow';
  return 'green';
}

/** What the database says about the link: the latest receipt, and the latest batch error still recorded. */
export interface StoredLink {
  readonly lastReceiptAt: Date | null;
  readonly lastError: { at: Date; code: string; batchId: string; state: string } | null;
}

export interface NationalLinkView {
  readonly lastSuccessAt: Date | null;
  readonly lastFailureAt: Date | null;
  readonly lastFailureCode: string | null;
  /** 'permanent' for a refusal that needs an operator; otherwise the attempt is retried. */
  readonly lastFailureKind: string | null;
  /** Where the failure was seen: this process's calls, or the batch table (the workers' calls). */
  readonly lastFailureSource: 'process' | 'database' | null;
  readonly level: Level;
}

const later = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a > b ? a : b);

/**
 * Refusals that mean the link itself is unusable (credentials, network allow-list, sender): red. Other
 * refusals are about one batch's content (BAD_SIGNATURE, COUNT_MISMATCH…): the link answered, so it is
 * yellow here, while the batch panel is red for the FAILED batch.
 */
export const LINK_DOWN_CODES: ReadonlySet<string> = new Set(['AUTHEN_ERROR', 'IP_DISALLOWED', 'SENDER_NOT_ALLOWED']);

export function nationalLinkView(seen: NationalLinkSnapshot | null, stored: StoredLink): NationalLinkView {
  const lastSuccessAt = later(seen?.lastSuccessAt ?? null, stored.lastReceiptAt);
  const mem = seen?.lastFailureAt ? { at: seen.lastFailureAt, code: seen.lastFailureCode, kind: seen.lastFailureKind, source: 'process' as const } : null;
  const db = stored.lastError
    ? { at: stored.lastError.at, code: stored.lastError.code, kind: stored.lastError.state === 'FAILED' ? 'permanent' : 'transient', source: 'database' as const }
    : null;
  const failure = !mem ? db : !db ? mem : mem.at >= db.at ? mem : db;
  let level: Level = 'green';
  if (failure && (!lastSuccessAt || failure.at > lastSuccessAt)) level = failure.kind === 'permanent' && LINK_DOWN_CODES.has(failure.code ?? '') ? 'red' : 'yellow';
  else if (!lastSuccessAt) level = 'yellow'; // no call yet: nothing is known about the link
  return {
    lastSuccessAt, lastFailureAt: failure?.at ?? null, lastFailureCode: failure?.code ?? null, lastFailureKind: failure?.kind ?? null,
    lastFailureSource: failure?.source ?? null, level,
  };
}

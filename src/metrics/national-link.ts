// The state of the link to the national platform as this process saw it: when a call last got an
// answer, when one last failed and with which code. Kept in memory from the client's onAttempt hook
// (no personal data passes through it); the health panel merges it with what the database knows.
import type { AttemptInfo } from '../exchange/national-client.ts';
import { systemClock } from '../clock.ts';

export interface NationalLinkSnapshot {
  /** Last attempt answered as the contract expects (success, replay, a "not found" answer). */
  readonly lastSuccessAt: Date | null;
  readonly lastSuccessOp: AttemptInfo['op'] | null;
  /** Last attempt that failed (transport error, 5xx, 429, a refusal), with its code. */
  readonly lastFailureAt: Date | null;
  readonly lastFailureCode: string | null;
  readonly lastFailureKind: AttemptInfo['kind'] | null;
  readonly lastFailureOp: AttemptInfo['op'] | null;
  readonly attempts: number;
}

/** Outcomes that show the link works: the national side answered and the answer was usable. */
export const LINK_UP_KINDS: ReadonlySet<string> = new Set(['success', 'replayed', 'notFound']);

export interface NationalLinkMonitor {
  record(info: AttemptInfo, at?: Date): void;
  snapshot(): NationalLinkSnapshot;
}

export function createNationalLinkMonitor(): NationalLinkMonitor {
  let state: NationalLinkSnapshot = {
    lastSuccessAt: null, lastSuccessOp: null, lastFailureAt: null, lastFailureCode: null, lastFailureKind: null, lastFailureOp: null, attempts: 0,
  };
  return {
    record(info, at = systemClock.now()) {
      state = LINK_UP_KINDS.has(info.kind)
        ? { ...state, attempts: state.attempts + 1, lastSuccessAt: at, lastSuccessOp: info.op }
        : {
          ...state, attempts: state.attempts + 1, lastFailureAt: at, lastFailureOp: info.op, lastFailureKind: info.kind,
          lastFailureCode: info.code ?? (info.status !== null ? `HTTP_${info.status}` : info.kind.toUpperCase()),
        };
    },
    snapshot: () => state,
  };
}

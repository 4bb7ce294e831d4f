// The life of a transfer request (a record coming into the province), as plain values and rules: no I/O.
//
//   source INBOUND (NATIONAL_API.md §7, the national side tells us) or PULL (an agency asks Sở Nội vụ to
//   pull the record, Điều 11 khoản 1 điểm a of QĐ 29/2024/QĐ-UBND Vĩnh Phúc):
//
//   QUEUED ──pull §5, signature and record check out, imported as a SUBMITTED change──→ IMPORTED
//     │ ───RECORD_NOT_FOUND, bad national signature, invalid record, personal id
//     │     mismatch, receiving agency closed, another change of the person open──→ REJECTED
//     └───permanent refusal by the national side, no trust anchor, deadline passed──→ FAILED
//   FAILED ──operator re-run──→ QUEUED
//
//   IMPORTED, REJECTED are final. An INBOUND request that ends IMPORTED or REJECTED owes the national side an
//   acknowledgement (§7), tracked apart in `ackState`:
//   PENDING ──POST /transfer-requests/{id}/ack answered──→ ACKED
//           ──refused for good, or the deadline passed──→ FAILED ──operator re-run──→ PENDING
//   A PULL request has no acknowledgement (ackState null). A FAILED request owes none either: nothing was
//   decided, an operator re-runs it.

export const TRANSFER_SOURCES = ['INBOUND', 'PULL'] as const;
export type TransferSource = (typeof TRANSFER_SOURCES)[number];

export const TRANSFER_STATES = ['QUEUED', 'IMPORTED', 'REJECTED', 'FAILED'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

export const ACK_STATES = ['PENDING', 'ACKED', 'FAILED'] as const;
export type AckState = (typeof ACK_STATES)[number];

/** The states a request leaves only by an operator's re-run (FAILED) or never (IMPORTED, REJECTED). */
export function isSettled(state: string): boolean {
  return state !== 'QUEUED';
}

/** Whether deciding `state` for a request from `source` owes the national side an acknowledgement. */
export function owesAck(source: string, state: TransferState): boolean {
  return source === 'INBOUND' && (state === 'IMPORTED' || state === 'REJECTED');
}

/** Where the imported change comes from (ProfileChange.source). */
export function changeSourceOf(source: string): string {
  return source === 'INBOUND' ? 'INBOUND_TRANSFER' : 'PULL_TRANSFER';
}

/** The `reason` of the §7 acknowledgement: the code and its message, or null for an import. */
export function ackReasonOf(t: { state: string; outcomeCode: string | null; outcomeMessage: string | null }): string | null {
  if (t.state === 'IMPORTED') return null;
  return [t.outcomeCode, t.outcomeMessage].filter((s) => s !== null && s !== '').join(': ') || null;
}

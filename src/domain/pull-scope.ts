// Pull scope (DESIGN rule 4; issue 13): a pull brings a record into the province from the national
// database. A person the province still employs is not pulled: their current agency's superior moves the
// record with an in-province transfer (POST /persons/{id}/transfer). Otherwise any officer could take a
// colleague of another agency into their own unit by "pulling" them. A person who left (out of the
// province, into the Party bloc, retired, resigned) may come back by a pull.
import type { TrangThai } from './profile-enums.ts';

/** How a person with this status (as the province holds it) comes into a receiving agency. */
export const ARRIVAL_BY_STATUS: Readonly<Record<TrangThai, 'PULL' | 'IN_PROVINCE_TRANSFER'>> = {
  DANG_CONG_TAC: 'IN_PROVINCE_TRANSFER',
  NGHI_HUU: 'PULL',
  THOI_VIEC: 'PULL',
  TU_TRAN: 'PULL',
  CHUYEN_RA_NGOAI_TINH: 'PULL',
  CHUYEN_KHOI_DANG: 'PULL',
};

/** Statuses under which the person is employed in the province (ARRIVAL_BY_STATUS says IN_PROVINCE_TRANSFER). */
export const EMPLOYED_STATUSES: readonly string[] = Object.entries(ARRIVAL_BY_STATUS).filter(([, how]) => how === 'IN_PROVINCE_TRANSFER').map(([s]) => s);

/** Null when this person may be pulled (unknown to the province, or gone from it); the refusal code otherwise. */
export function pullRefusal(person: { status: TrangThai } | null): 'IN_PROVINCE_TRANSFER_REQUIRED' | null {
  return person !== null && ARRIVAL_BY_STATUS[person.status] === 'IN_PROVINCE_TRANSFER' ? 'IN_PROVINCE_TRANSFER_REQUIRED' : null;
}

/** Whether the receiving agency has checked a change yet (VERIFIED or any later step). */
export const VERIFIED_BY_STATE: Readonly<Record<string, boolean>> = {
  DRAFT: false, SUBMITTED: false, RETURNED: false,
  VERIFIED: true, AGENCY_APPROVED: true, PROVINCE_APPROVED: true, BATCHED: true, SYNCED: true, REJECTED_BY_NATIONAL: true,
};

/**
 * A pulled record reaches the officer who asked for it only once the receiving agency has verified it: the
 * requester is the import's creator (so may not verify it either: duties.ts), and cannot use a pull to read
 * a national record nobody at the agency has checked against the paper file.
 */
export function withheldFromRequester(change: { source: string; state: string; createdBy: string | null }, subject: string): boolean {
  return change.source === 'PULL_TRANSFER' && change.createdBy === subject && VERIFIED_BY_STATE[change.state] !== true;
}

// The rows the deadline rules look at (src/reports/deadline-rules.ts): open changes of an agency subtree
// that started early enough to be overdue. The caller passes the cut-offs the rules give, so the
// database leaves out everything recent and the report stays small whatever the size of the province.
import type { Db } from './db.ts';
import type { ChangeKind, ChangeState } from '../generated/prisma/client.ts';

export interface DeadlineCandidate {
  id: string;
  personalId: string;
  /** The agency whose head approves the change: the report counts the change there. */
  agencyCode: string;
  agencyName: string | null;
  kind: ChangeKind;
  state: ChangeState;
  source: string;
  createdAt: Date;
  submittedAt: Date | null;
  provinceApprovedAt: Date | null;
}

export interface CandidateCutoffs {
  submittedBefore: Date;
  createdBefore: Date;
  provinceApprovedBefore: Date;
}

/**
 * Changes of `agencyRoot`'s subtree that may be overdue: SUBMITTED before `submittedBefore`; not yet
 * province-approved and created before `createdBefore`; approved but not synchronised since before
 * `provinceApprovedBefore`.
 */
export async function loadDeadlineCandidates(db: Db, agencyRoot: string, cutoffs: CandidateCutoffs): Promise<DeadlineCandidate[]> {
  const { rows } = await db.pool.query<DeadlineCandidate>(`
    SELECT c.id, c.personal_id AS "personalId", c.agency_code AS "agencyCode", a.name AS "agencyName", c.kind, c.state, c.source,
      c.created_at AS "createdAt", c.submitted_at AS "submittedAt", c.province_approved_at AS "provinceApprovedAt"
    FROM profile_change c LEFT JOIN agency a ON a.code = c.agency_code
    WHERE (c.agency_code = $1 OR c.agency_code LIKE $1 || '.%')
      AND ((c.state = 'SUBMITTED' AND c.submitted_at < $2)
        OR (c.state IN ('DRAFT', 'SUBMITTED', 'VERIFIED', 'AGENCY_APPROVED', 'RETURNED') AND c.created_at < $3)
        OR (c.state IN ('PROVINCE_APPROVED', 'BATCHED') AND c.province_approved_at < $4))
    ORDER BY c.agency_code, c.id`,
  [agencyRoot, cutoffs.submittedBefore, cutoffs.createdBefore, cutoffs.provinceApprovedBefore]);
  return rows;
}

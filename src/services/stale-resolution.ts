// The way out of a STALE_VERSION rejection (NATIONAL_API.md §6: "a phienBan not newer than the one the
// national side holds"), for a Sở Nội vụ operator, audited at each step:
//   1. compare: pull the national version (§5), verify it as any pull is verified (national signature,
//      record document whose phienBan equals the answer's version), and show what differs from the
//      province's rejected change;
//   2. rebase: pull again (the national side may have moved since), and, when the version is the one the
//      operator compared against, create a new SUBMITTED change with the province's content based on the
//      national version. It then goes through the normal workflow (verify, agency head, Sở Nội vụ,
//      batch) and the province's approval gives it the next phienBan, national version + 1.
// The rejected change stays as it is: approved content is signed and never edited.
import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import { recordDifferences, type FieldDifference } from '../domain/record-diff.ts';
import type { HoSo, ThaoTac } from '../domain/profile.ts';
import { localDate } from '../domain/working-days.ts';
import { GatewayError, isErrorCode } from '../errors.ts';
import type { NationalClient } from '../exchange/national-client.ts';
import type { NationalRecord } from '../exchange/national-contract.ts';
import { appendAuditNow } from '../store/audit-log.ts';
import type { ChangeRow } from '../store/changes.ts';
import type { Db } from '../store/db.ts';
import { assertRebasable, createRebasedChange } from '../store/rebase.ts';
import { recordContentOf } from '../sync/batch-builder.ts';
import type { NationalTrust } from '../transfer/national-trust.ts';
import { checkPulledRecord } from '../transfer/pulled-record.ts';

export interface StaleResolutionDeps {
  readonly db: Db;
  readonly client: NationalClient;
  readonly trust: NationalTrust;
  /** Largest record document accepted. */
  readonly maxRecordBytes: number;
  readonly now: () => Date;
}

export interface NationalComparison {
  readonly changeId: string;
  readonly personalId: string;
  readonly national: { version: number; holderCode: string; updatedAt: string; thaoTac: ThaoTac; documentSha256: string; signer: string };
  readonly provincial: { kind: string; baseVersion: number; targetVersion: number | null; rejectionMessage: string | null };
  /** The phienBan the rebased change will get once approved. */
  readonly nextVersion: number;
  readonly differences: FieldDifference[];
}

interface Pulled {
  readonly record: NationalRecord;
  readonly hoSo: HoSo;
  readonly thaoTac: ThaoTac;
  readonly signer: string;
}

/** GET /records/{id}, verified; every way it can fail is a GatewayError the operator can read. */
async function pullVerified(deps: StaleResolutionDeps, personalId: string): Promise<Pulled> {
  const outcome = await deps.client.getRecord(personalId);
  switch (outcome.kind) {
    case 'success':
    case 'replayed': {
      const now = deps.now();
      const check = await checkPulledRecord(outcome.value, personalId, { trust: deps.trust, today: localDate(now), maxBytes: deps.maxRecordBytes, now });
      if (!check.ok) throw new GatewayError(isErrorCode(check.code) ? check.code : 'NATIONAL_REJECTED', { pulled: true, details: check.details });
      return { record: outcome.value, hoSo: check.hoSo, thaoTac: check.thaoTac, signer: check.signer };
    }
    case 'notFound':
      throw new GatewayError('RECORD_NOT_FOUND', { personalId });
    case 'permanent':
      // Not the operator's own 401/403: the national side refused the province.
      throw new GatewayError('NATIONAL_REJECTED', { code: outcome.code, status: outcome.status ?? null });
    default:
      throw new GatewayError('NATIONAL_UNAVAILABLE', { code: 'code' in outcome ? outcome.code : 'TOKEN_EXPIRED',
        retryAfterMs: 'retryAfterMs' in outcome ? outcome.retryAfterMs ?? null : null });
  }
}

function compare(change: ChangeRow, pulled: Pulled): NationalComparison {
  const { PheDuyet: _approvals, ...national } = pulled.hoSo;
  const r = pulled.record;
  return {
    changeId: change.id, personalId: change.personalId,
    national: {
      version: r.version, holderCode: r.holderCode, updatedAt: r.updatedAt, thaoTac: pulled.thaoTac,
      documentSha256: createHash('sha256').update(r.payload).digest('hex'), signer: pulled.signer,
    },
    provincial: { kind: change.kind, baseVersion: change.baseVersion, targetVersion: change.targetVersion, rejectionMessage: change.rejectionMessage },
    nextVersion: r.version + 1,
    differences: recordDifferences(national, recordContentOf(change)),
  };
}

/** Step 1: the national version next to the province's rejected change (audited: the pull is a read of the record). */
export async function compareWithNational(deps: StaleResolutionDeps, actor: Principal, changeId: string): Promise<NationalComparison> {
  const change = await assertRebasable(deps.db, changeId);
  const comparison = compare(change, await pullVerified(deps, change.personalId));
  await appendAuditNow(deps.db, {
    actor: actor.subject, role: actor.role, action: 'CHANGE_NATIONAL_COMPARE', entityType: 'change', entityId: change.id, agencyCode: change.agencyCode,
    details: { personalId: change.personalId, nationalVersion: comparison.national.version, differences: comparison.differences.length,
      nationalDocumentSha256: comparison.national.documentSha256 },
  });
  return comparison;
}

/**
 * Step 2: a new SUBMITTED change with the province's content on the national version. `expectedVersion`
 * is the version the operator compared against; another one means the national side moved meanwhile.
 */
export async function rebaseOnNational(deps: StaleResolutionDeps, actor: Principal, changeId: string, expectedVersion: number): Promise<{ change: ChangeRow; comparison: NationalComparison }> {
  const change = await assertRebasable(deps.db, changeId);
  const comparison = compare(change, await pullVerified(deps, change.personalId));
  if (comparison.national.version !== expectedVersion) {
    throw new GatewayError('NATIONAL_VERSION_CHANGED', { expected: expectedVersion, found: comparison.national.version });
  }
  const created = await createRebasedChange(deps.db, actor, {
    changeId, nationalVersion: comparison.national.version, holderCode: comparison.national.holderCode,
    nationalDocumentSha256: comparison.national.documentSha256, differences: comparison.differences.length,
    now: deps.now(),
    reason: `Dựng lại đề nghị ${changeId} (bị từ chối STALE_VERSION) trên phiên bản ${comparison.national.version} của CSDL quốc gia`,
  });
  return { change: created, comparison };
}

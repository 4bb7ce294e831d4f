// A signed export of one person's record (DESIGN rule 6: "approvals and exports are signed"): the
// standalone record document (NATIONAL_API.md §6, root `HoSo`) of the person's current province-approved
// record with its PheDuyet approval chain, signed by the Sở Nội vụ organisation key as a detached CMS
// (§3), so that anyone holding the provincial root CA can check it with `csdl-gateway verify`.
//
// The record is built exactly as the batch builder builds it for the national side (toBatchEntry): the
// content is hashed again and must equal what both approvals signed, else nothing is exported.
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { loadApprovedChange } from '../store/reports.ts';
import { toBatchEntry } from '../sync/batch-builder.ts';
import { buildRecordDocument } from '../exchange/xml/record-document.ts';
import { signDetached } from '../pki/sign-cms.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';

export interface RecordExportDeps {
  db: Db;
  signing: SigningSetup | undefined;
  /** Signing time (default: now). */
  now?: () => Date;
}

export interface SignedRecord {
  document: Buffer;
  /** DER CMS SignedData, detached. */
  signature: Uint8Array;
  /** Hex SHA-256 of the document. */
  sha256: string;
  version: number;
}

/** Refuses early when this deployment has no organisation signer (before any database work). */
export function exportSigner(signing: SigningSetup | undefined) {
  const signer = signing?.orgSigner;
  if (!signer) throw new GatewayError('CONFIG_INVALID', { variable: 'SIGNER_P12_FILE', reason: 'exports are signed with the Sở Nội vụ key; no organisation signer configured' });
  return signer;
}

/**
 * The signed document of the person's approved record. NOT_YET_APPROVED (409) when there is none to
 * export: version 0 (the new record is still in review), no approved change carries the current version
 * (records loaded without approvals), or the stored content no longer matches its approvals.
 */
export async function exportSignedRecord(deps: RecordExportDeps, person: { personalId: string; version: number }): Promise<SignedRecord> {
  const signer = exportSigner(deps.signing);
  if (person.version === 0) throw new GatewayError('NOT_YET_APPROVED', { reason: 'NEVER_APPROVED', version: 0 });
  const change = await loadApprovedChange(deps.db, person.personalId, person.version);
  if (!change) throw new GatewayError('NOT_YET_APPROVED', { reason: 'NO_APPROVAL_EVIDENCE', version: person.version });
  const entry = toBatchEntry(change);
  if ('refused' in entry) throw new GatewayError('NOT_YET_APPROVED', { reason: entry.refused, version: person.version, changeId: change.id });
  const document = buildRecordDocument(entry.hoSo);
  const signature = await signDetached(document, signer, {
    signingTime: (deps.now?.() ?? deps.db.clock.now()),
    ...(deps.signing?.tsaUrl ? { tsaUrl: deps.signing.tsaUrl } : {}),
  });
  return { document, signature, sha256: createHash('sha256').update(document).digest('hex'), version: person.version };
}

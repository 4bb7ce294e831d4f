// Turns PROVINCE_APPROVED changes into signed batches (NATIONAL_API.md §4, §6): at most `maxRecords`
// records and `maxBytes` payload bytes each, built once, signed with the Sở Nội vụ key and stored with
// their outbox row. Memory is bounded by one batch, whatever the number of changes.
//
// The last gate before anything leaves the province: each change's content is hashed again and must
// equal what both approvals signed. A change that does not match is left out and reported, never sent.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/db.ts';
import { insertBatch, loadBatchCandidates, reserveBatchId, type BatchCandidate, type NewBatch } from '../store/batches.ts';
import { contentSha256 } from '../domain/canonical.ts';
import type { CapPheDuyet, ChangeContent, HoSo } from '../domain/profile-schema.ts';
import { batchEntryElementXml, buildBatchDocumentFromWritten, type BatchEntry, type WrittenBatchEntry } from '../exchange/xml/batch-document.ts';
import { formatDateTime } from '../exchange/xml/xml-text.ts';
import { signDetached } from '../pki/sign-cms.ts';
import type { SigningIdentity } from '../pki/signing-identity.ts';
import { isGatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { checkpointAfter, checkpointDeps } from '../services/audit-checkpoints.ts';

export interface BatchBuilderOptions {
  db: Db;
  signer: SigningIdentity;
  senderCode: string;
  maxRecords: number;
  maxBytes: number;
  deadlineMs: number;
  tsaUrl?: string;
  actor: Principal;
  logger: Logger;
  now?: () => Date;
  /** AUDIT_CHECKPOINT_DIR: the signed audit checkpoint taken after a build also goes there. */
  checkpointDir?: string;
}

export interface BuildResult {
  batches: Array<{ batchId: string; records: number; bytes: number }>;
  /** Changes left out because their content no longer matches their approvals. */
  refused: Array<{ changeId: string; reason: string }>;
}

/**
 * Candidates read per query. Pages and batches are independent (a batch fills from as many pages as it
 * needs), so a small page only bounds memory: 200 parsed profiles instead of a whole batch's 1,000.
 */
const CANDIDATE_PAGE = 200;

/** Work started one step ahead and awaited later: its failure is thrown there, not reported as unhandled meanwhile. */
function ahead<T>(work: Promise<T>): Promise<T> {
  work.catch(() => {});
  return work;
}

/** Room for the envelope around the records (header, epilogue). */
const HEADER_ALLOWANCE = 1024;

const iso = (d: Date) => formatDateTime(d);
const dateOnly = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : undefined);

/** The record content of a change as §6 carries it, without the approval chain (also what a STALE_VERSION resolution compares). */
export function recordContentOf(c: Pick<BatchCandidate, 'personalId' | 'managingAgencyCode' | 'employingAgencyCode' | 'category' | 'status' | 'effectiveDate' | 'profile'>): ChangeContent {
  const effective = dateOnly(c.effectiveDate);
  return {
    SoDinhDanh: c.personalId, MaDonViQuanLy: c.managingAgencyCode, MaDonViSuDung: c.employingAgencyCode,
    PhanLoai: c.category, TrangThai: c.status, ...(effective ? { NgayHieuLuc: effective } : {}),
    SoYeuLyLich: c.profile as HoSo['SoYeuLyLich'],
  };
}

/** The record as sent, or why it must not be sent. */
export function toBatchEntry(c: BatchCandidate): BatchEntry | { refused: string } {
  const content = recordContentOf(c);
  const hash = contentSha256(content);
  if (hash !== c.contentSha256) return { refused: 'CONTENT_HASH_MISMATCH' };
  const latest = (level: 'CO_QUAN' | 'SO_NOI_VU') => c.approvals.filter((a) => a.level === level && a.contentSha256 === hash).at(-1);
  const agency = latest('CO_QUAN');
  const province = latest('SO_NOI_VU');
  if (!agency || !province) return { refused: 'NOT_APPROVED_AS_IS' };
  const level = (a: NonNullable<typeof agency>): CapPheDuyet => ({
    Cap: a.level, MaDonVi: a.agencyCode, ThoiGian: iso(a.signingTime), SoHieuChungThu: a.signerSerial, MaBamBienBan: a.manifestSha256,
  });
  return { thaoTac: c.kind, phienBan: c.targetVersion, hoSo: { ...content, PheDuyet: [level(agency), level(province)] } as HoSo };
}

// Each record is written once, when it is measured against the size limit; the batch keeps that text and
// not the record, so a page of profiles can be freed while its batch fills.
interface Pending { entries: WrittenBatchEntry[]; ids: Array<{ changeId: string; personalId: string; version: number }>; bytes: number }

export async function buildBatches(period: string | null, o: BatchBuilderOptions): Promise<BuildResult> {
  const result: BuildResult = { batches: [], refused: [] };
  const refused = new Set<string>();
  // A pass that lost a conflict (a change moved while its batch was built) leaves its neighbours
  // PROVINCE_APPROVED: another pass picks them up.
  while (await onePass(period, o, result, refused)) { /* next pass */ }
  // The build's audit rows are committed: fix the head with a signed checkpoint (same organisation key).
  if (result.batches.length > 0) {
    await checkpointAfter(checkpointDeps(o.db, { orgSigner: o.signer, ...(o.tsaUrl ? { tsaUrl: o.tsaUrl } : {}) }, o.checkpointDir ?? '',
      o.now ? { now: o.now } : o.db.clock, o.logger), 'BATCH_BUILD');
  }
  return result;
}

/**
 * Builds batches from everything eligible; true when a conflict left work for another pass.
 *
 * Three things overlap, each bounded to one step ahead: the next page of candidates is read while this
 * one is written, and a signed batch is stored while the next one is built. The main thread builds and
 * signs; PostgreSQL reads and stores beside it. Memory stays at two pages and two batches.
 */
async function onePass(period: string | null, o: BatchBuilderOptions, result: BuildResult, refused: Set<string>): Promise<boolean> {
  const now = o.now ?? (() => o.db.clock.now());
  const prefix = `${o.senderCode}-${period ?? 'X'}-`;
  let conflicted = false;
  let pending: Pending = { entries: [], ids: [], bytes: HEADER_ALLOWANCE };
  // The batch being stored while the next is built; a failure surfaces at the next wait for it.
  let storing: Promise<void> = Promise.resolve();

  const store = async (batch: NewBatch) => {
    try {
      await insertBatch(o.db, o.actor, batch);
      result.batches.push({ batchId: batch.batchId, records: batch.records.length, bytes: batch.payload.length });
      o.logger.info({ batchId: batch.batchId, records: batch.records.length, bytes: batch.payload.length }, 'batch built');
    } catch (err) {
      if (!isGatewayError(err, 'CONFLICT')) throw err;
      conflicted = true;
      o.logger.warn({ batchId: batch.batchId }, 'changes moved while the batch was built; rebuilding without them');
    }
  };

  const flush = async () => {
    if (pending.entries.length === 0) return;
    const { entries, ids } = pending;
    pending = { entries: [], ids: [], bytes: HEADER_ALLOWANCE };
    const batchId = await reserveBatchId(o.db, prefix);
    const payload = buildBatchDocumentFromWritten({ batchId, senderCode: o.senderCode, period, createdAt: iso(now()), recordCount: entries.length }, entries);
    const signature = await signDetached(payload, o.signer, { signingTime: now(), ...(o.tsaUrl ? { tsaUrl: o.tsaUrl } : {}) });
    const batch: NewBatch = {
      batchId, senderCode: o.senderCode, period, payload, signature,
      payloadSha256: createHash('sha256').update(payload).digest('hex'), deadlineAt: new Date(now().getTime() + o.deadlineMs), records: ids,
    };
    await storing; // one batch stored at a time, in order
    storing = ahead(store(batch));
  };

  const pageSize = Math.min(o.maxRecords, CANDIDATE_PAGE);
  try {
    let next = ahead(loadBatchCandidates(o.db, period, null, pageSize));
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      next = ahead(loadBatchCandidates(o.db, period, page[page.length - 1]!.id, pageSize));
      for (const c of page) {
        if (refused.has(c.id)) continue;
        const entry = toBatchEntry(c);
        if ('refused' in entry) {
          refused.add(c.id);
          result.refused.push({ changeId: c.id, reason: entry.refused });
          o.logger.error({ alert: 'CHANGE_NOT_SENDABLE', changeId: c.id, reason: entry.refused }, 'change left out of the batch');
          continue;
        }
        const xml = batchEntryElementXml(entry);
        const size = Buffer.byteLength(xml);
        if (pending.entries.length >= o.maxRecords || (pending.entries.length > 0 && pending.bytes + size > o.maxBytes)) await flush();
        pending.entries.push({ thaoTac: entry.thaoTac, phienBan: entry.phienBan, xml, bytes: size });
        pending.ids.push({ changeId: c.id, personalId: c.personalId, version: c.targetVersion });
        pending.bytes += size;
      }
    }
    await flush();
  } finally {
    await storing.catch(() => {}); // never leave a store running; an error of the loop itself is the one thrown
  }
  await storing;
  return conflicted;
}

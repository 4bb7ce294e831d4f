// Batches for the national side and the outbox that drives them. The payload is stored once and sent
// byte-identical on every attempt. Every state change is one transaction with its changes, events,
// outbox row and audit row, so a crash at any point leaves a state the next attempt can resume from.
import { to as copyTo } from 'pg-copy-streams';
import type { Db } from './db.ts';
import { appendAudit, appendAuditOnClient } from './audit-log.ts';
import { completeOutbox, reopenOutbox } from './outbox.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChangeKind, PersonCategory, PersonStatus } from '../generated/prisma/client.ts';

export const PUSH_TOPIC = 'PUSH_BATCH';

/** A change ready to go into a batch, with the approvals that cover it. */
export interface BatchCandidate {
  id: string;
  personalId: string;
  kind: ChangeKind;
  category: PersonCategory;
  status: PersonStatus;
  managingAgencyCode: string;
  employingAgencyCode: string;
  effectiveDate: Date | null;
  profile: unknown;
  contentSha256: string;
  targetVersion: number;
  approvals: Array<{ level: 'CO_QUAN' | 'SO_NOI_VU'; agencyCode: string; signingTime: Date; signerSerial: string; manifestSha256: string; contentSha256: string }>;
}

/**
 * PROVINCE_APPROVED changes of `period` not yet in a batch, in change-id order, a page at a time.
 *
 * The page walks the primary key in id order and stops after `limit` matches, whatever the planner's
 * statistics say: right after an approval has moved a province's changes to PROVINCE_APPROVED (always the
 * case at month-end, before autovacuum has analysed the table) it believed almost none were, and chose to
 * read every PROVINCE_APPROVED row through the (state, period) index and sort them — on every page, which
 * made building N records cost O(N²) in PostgreSQL (at 250,000 records, most of its 365 s of CPU). Sorting
 * is switched off for this one read-only statement, so the only plan left is the ordered primary-key scan.
 */
export async function loadBatchCandidates(db: Db, period: string | null, afterId: string | null, limit: number): Promise<BatchCandidate[]> {
  const client = await db.pool.connect();
  let rows: Array<BatchCandidate & { approvals: Array<BatchCandidate['approvals'][number] & { signingTime: string }> }>;
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL enable_sort = off');
    ({ rows } = await client.query<BatchCandidate & { approvals: Array<BatchCandidate['approvals'][number] & { signingTime: string }> }>(`
    SELECT c.id, c.personal_id AS "personalId", c.kind, c.category, c.status, c.managing_agency_code AS "managingAgencyCode",
      c.employing_agency_code AS "employingAgencyCode", c.effective_date AS "effectiveDate", c.profile,
      c.content_sha256 AS "contentSha256", c.target_version AS "targetVersion",
      (SELECT json_agg(json_build_object('level', a.level, 'agencyCode', a.agency_code, 'signingTime', a.signing_time,
          'signerSerial', a.signer_serial, 'manifestSha256', a.manifest_sha256, 'contentSha256', i.content_sha256) ORDER BY a.created_at)
        FROM approval_item i JOIN approval a ON a.id = i.approval_id WHERE i.change_id = c.id) AS approvals
    FROM profile_change c
    WHERE c.state = 'PROVINCE_APPROVED' AND c.batch_id IS NULL
      AND ($1::text IS NULL OR c.period = $1) AND ($2::uuid IS NULL OR c.id > $2::uuid)
    ORDER BY c.id LIMIT $3`, [period, afterId, limit]));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return rows.map((r) => ({ ...r, approvals: (r.approvals ?? []).map((a) => ({ ...a, signingTime: new Date(a.signingTime) })) }));
}

export interface NewBatch {
  batchId: string;
  senderCode: string;
  period: string | null;
  payload: Uint8Array;
  payloadSha256: string;
  signature: Uint8Array;
  deadlineAt: Date;
  records: Array<{ changeId: string; personalId: string; version: number }>;
}

/** A new batch id `{prefix}{n}`: unique forever, since sequence numbers are never handed out twice. */
export async function reserveBatchId(db: Db, prefix: string): Promise<string> {
  const { rows } = await db.pool.query<{ n: string }>("SELECT nextval('batch_seq')::text AS n");
  return `${prefix}${rows[0]!.n.padStart(6, '0')}`;
}

/**
 * Stores a built batch: its bytes, its records, the changes moved to BATCHED and the outbox row, in one
 * transaction. Refused (CONFLICT, nothing written) when any change is no longer PROVINCE_APPROVED
 * outside a batch, e.g. returned by an operator while the batch was being built.
 *
 * On a pg client rather than a Prisma transaction: the payload (megabytes) goes to PostgreSQL as one
 * binary parameter instead of through Prisma's wasm client, which copies and converts it several times.
 */
export async function insertBatch(db: Db, actor: Principal, batch: NewBatch): Promise<void> {
  const lz4 = await supportsLz4(db);
  const client = await db.pool.connect();
  try {
    // The payload is compressed with lz4 where the server has it (PostgreSQL ≥ 14 built with lz4): measured on
    // batches of 1,000 records, ~20× less CPU than the default pglz to compress, ~4× less to read back, and
    // less than half the size. Only values written by this transaction are concerned; reading needs nothing.
    await client.query(lz4 ? "BEGIN; SET LOCAL default_toast_compression = 'lz4'" : 'BEGIN');
    const ids = batch.records.map((r) => r.changeId);
    const now = db.clock.now();
    // Written so that only the primary key can find the rows (the state and batch_id conditions cannot use
    // an index): with statistics older than the month's approvals, the planner otherwise walked every
    // PROVINCE_APPROVED row through the state index to find these 1,000 — for every batch.
    const moved = await client.query(`
      UPDATE profile_change SET state = 'BATCHED', batch_id = $2, updated_at = $3
      WHERE id = ANY($1::uuid[]) AND state::text = 'PROVINCE_APPROVED' AND num_nulls(batch_id) = 1`, [ids, batch.batchId, now]);
    if (moved.rowCount !== ids.length) throw new GatewayError('CONFLICT', { reason: 'CHANGES_MOVED', expected: ids.length, moved: moved.rowCount ?? 0 });
    const bytes = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
    await client.query(`
      INSERT INTO batch (batch_id, sender_code, period, state, record_count, payload, payload_sha256, signature, deadline_at, created_at, updated_at)
      VALUES ($1, $2, $3, 'BUILT', $4, $5, $6, $7, $8, $9, $9)`,
    [batch.batchId, batch.senderCode, batch.period, batch.records.length, bytes(batch.payload), batch.payloadSha256, bytes(batch.signature), batch.deadlineAt, now]);
    await client.query(`
      INSERT INTO batch_record (batch_id, change_id, personal_id, version)
      SELECT $1, * FROM unnest($2::uuid[], $3::char(12)[], $4::int[])`,
    [batch.batchId, ids, batch.records.map((r) => r.personalId), batch.records.map((r) => r.version)]);
    await client.query(`
      INSERT INTO change_event (change_id, from_state, to_state, actor, reason, at)
      SELECT id, 'PROVINCE_APPROVED', 'BATCHED', $2, $3, $4 FROM unnest($1::uuid[]) AS id`, [ids, actor.subject, batch.batchId, now]);
    await client.query('INSERT INTO outbox (topic, key, payload, created_at, available_at) VALUES ($1, $2, $3, $4, $4)',
      [PUSH_TOPIC, batch.batchId, { deadline: batch.deadlineAt.getTime() }, now]);
    await appendAuditOnClient(client, { actor: actor.subject, role: actor.role, action: 'BATCH_BUILD', entityType: 'batch', entityId: batch.batchId,
      details: { period: batch.period, records: ids.length, bytes: batch.payload.length, payloadSha256: batch.payloadSha256 } }, now);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const lz4Support = new WeakMap<Db, Promise<boolean>>();

function supportsLz4(db: Db): Promise<boolean> {
  let known = lz4Support.get(db);
  if (!known) {
    known = db.pool.query<{ ok: boolean }>("SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'")
      .then((r) => r.rows[0]?.ok === true, () => false);
    lz4Support.set(db, known);
  }
  return known;
}

// ── pushing ────────────────────────────────────────────────────────────────

export type LeasedBatch = NonNullable<Awaited<ReturnType<typeof getBatch>>>;

export async function getBatch(db: Db, batchId: string) {
  return db.prisma.batch.findUnique({ where: { batchId } });
}

/**
 * Takes the batch for one push attempt (attempts + 1) unless it is finished or another worker holds a
 * live lease. Returns null when there is nothing to do now.
 */
export async function leaseBatch(db: Db, batchId: string, owner: string, leaseMs: number): Promise<LeasedBatch | null> {
  // The leased row comes back from the UPDATE itself, without its payload; the payload follows in slices.
  const { rows } = await db.pool.query<Omit<LeasedBatch, 'payload'> & { payloadBytes: number }>(`
    UPDATE batch SET state = 'SENDING', lease_owner = $2, lease_until = $4::timestamptz + ($3 || ' milliseconds')::interval,
      attempts = attempts + 1, updated_at = $4
    WHERE batch_id = $1 AND state IN ('BUILT', 'SENDING', 'UNKNOWN') AND (lease_until IS NULL OR lease_until < $4)
    RETURNING ${BATCH_COLUMNS}, octet_length(payload) AS "payloadBytes"`, [batchId, owner, String(leaseMs), db.clock.now()]);
  const row = rows[0];
  if (!row) return null;
  const { payloadBytes, ...batch } = row;
  return { ...batch, payload: await readPayload(db, batchId, payloadBytes) };
}

/** Every column of a batch row but the payload, named as Prisma names them. */
const BATCH_COLUMNS = `batch_id AS "batchId", sender_code AS "senderCode", period, state, record_count AS "recordCount",
  payload_sha256 AS "payloadSha256", signature, attempts, last_error_code AS "lastErrorCode", last_error AS "lastError",
  deadline_at AS "deadlineAt", lease_owner AS "leaseOwner", lease_until AS "leaseUntil", receipt_id AS "receiptId", receipt,
  received_at AS "receivedAt", rerun_count AS "rerunCount", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * A stored payload, read with COPY … TO STDOUT in binary format: its bytes arrive as they are, in the
 * socket's chunks, and are copied into one buffer of the exact size. Read as a column, a payload of
 * megabytes travels as hex text twice its size, which the pg driver buffers whole and decodes from one
 * giant string — with several pushes at once, that transient memory, not the payloads, set the worker's
 * peak. (COPY takes no parameters: the batch id is quoted by the driver and checked against its pattern.)
 */
async function readPayload(db: Db, batchId: string, size: number): Promise<Buffer<ArrayBuffer>> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(batchId)) throw new GatewayError('BAD_REQUEST', { field: 'batchId' });
  const client = await db.pool.connect();
  try {
    const stream = client.query(copyTo(`COPY (SELECT payload FROM batch WHERE batch_id = ${client.escapeLiteral(batchId)}) TO STDOUT WITH (FORMAT binary)`));
    // Binary COPY: signature (11 bytes), flags (4), header extension (length 4 + bytes), then the row:
    // field count (int16 = 1), field length (int32 = size), the bytes; then the trailer (int16 -1).
    const out = Buffer.alloc(size) as Buffer<ArrayBuffer>;
    let head = Buffer.alloc(0);
    let started = false;
    let written = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let data = chunk;
      if (!started) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 19) continue;
        const rowAt = 19 + head.readUInt32BE(15);
        if (head.length < rowAt + 6) continue;
        if (head.readInt16BE(rowAt) !== 1 || head.readInt32BE(rowAt + 2) !== size) throw new Error(`batch ${batchId}: unexpected COPY output`);
        started = true;
        data = head.subarray(rowAt + 6);
      }
      const n = Math.min(data.length, size - written);
      data.copy(out, written, 0, n);
      written += n;
    }
    if (written !== size) throw new Error(`batch ${batchId}: payload read ${written} of ${size} bytes`);
    return out;
  } finally {
    client.release();
  }
}

export interface ReceiptInput {
  receiptId: string;
  status: 'ACCEPTED' | 'PARTIAL';
  receivedAt: string;
  rejected: ReadonlyArray<{ personalId: string; code: string; message: string }>;
  raw: unknown;
  replayed: boolean;
}

/** The national side received the batch: records the receipt and settles every record's change. */
export async function recordReceipt(db: Db, batchId: string, r: ReceiptInput): Promise<{ accepted: number; rejected: number }> {
  return db.prisma.$transaction(async (tx) => {
    // FOR UPDATE: a twin attempt settling the same batch at the same moment waits here and then sees
    // it settled; a plain read would let both through (duplicate SYNCED events and BATCH_RECEIPT rows).
    const [batch] = await tx.$queryRaw<Array<{ state: string }>>`SELECT state::text AS state FROM batch WHERE batch_id = ${batchId} FOR UPDATE`;
    if (!batch) throw new GatewayError('BATCH_NOT_FOUND', { batchId });
    if (batch.state === 'ACCEPTED' || batch.state === 'PARTIAL') return { accepted: 0, rejected: 0 }; // settled by a twin attempt
    const now = db.clock.now();
    const ids = r.rejected.map((x) => x.personalId);
    await tx.$executeRaw`
      UPDATE batch_record br SET outcome = 'REJECTED', code = x.code, message = x.message
      FROM unnest(${ids}::char(12)[], ${r.rejected.map((x) => x.code)}::text[], ${r.rejected.map((x) => x.message)}::text[]) AS x(pid, code, message)
      WHERE br.batch_id = ${batchId} AND br.personal_id = x.pid`;
    const accepted = await tx.$executeRaw`UPDATE batch_record SET outcome = 'ACCEPTED' WHERE batch_id = ${batchId} AND outcome = 'PENDING'`;
    // Changes follow their records: accepted → SYNCED, rejected → REJECTED_BY_NATIONAL, back to their agency.
    await tx.$executeRaw`
      INSERT INTO change_event (change_id, from_state, to_state, actor, reason, at)
      SELECT br.change_id, 'BATCHED', CASE br.outcome WHEN 'ACCEPTED' THEN 'SYNCED'::"ChangeState" ELSE 'REJECTED_BY_NATIONAL'::"ChangeState" END,
        'national', br.code, ${now} FROM batch_record br WHERE br.batch_id = ${batchId}`;
    // The batch's change ids lead, through the primary key (`state::text` keeps the state index out): with
    // statistics older than the month's batches, the planner walked every BATCHED change of the province
    // through the state index and probed this batch's records for each — for every receipt.
    await tx.$executeRaw`
      UPDATE profile_change c SET state = 'SYNCED', synced_at = ${now}, updated_at = ${now}
      WHERE c.id = ANY(ARRAY(SELECT br.change_id FROM batch_record br WHERE br.batch_id = ${batchId} AND br.outcome = 'ACCEPTED'))
        AND c.state::text = 'BATCHED'`;
    await tx.$executeRaw`
      UPDATE profile_change c SET state = 'REJECTED_BY_NATIONAL', rejection_code = br.code, rejection_message = br.message, updated_at = ${now}
      FROM batch_record br
      WHERE c.id = ANY(ARRAY(SELECT r.change_id FROM batch_record r WHERE r.batch_id = ${batchId} AND r.outcome = 'REJECTED'))
        AND br.batch_id = ${batchId} AND br.change_id = c.id AND c.state::text = 'BATCHED'`;
    await tx.$executeRaw`
      UPDATE person p SET synced_version = GREATEST(p.synced_version, br.version)
      FROM batch_record br WHERE br.batch_id = ${batchId} AND br.outcome = 'ACCEPTED' AND p.personal_id = br.personal_id`;
    // `select`: an update returns the whole row by default — its payload too, megabytes decompressed by
    // PostgreSQL, sent as hex and converted by Prisma, for every receipt.
    await tx.batch.update({ where: { batchId }, data: {
      state: r.status, receiptId: r.receiptId, receipt: r.raw as object, receivedAt: new Date(r.receivedAt),
      leaseOwner: null, leaseUntil: null, lastErrorCode: null, lastError: null,
    }, select: { batchId: true } });
    await completeOutbox(tx, PUSH_TOPIC, batchId, now);
    await appendAudit(tx, { actor: 'national', action: 'BATCH_RECEIPT', entityType: 'batch', entityId: batchId,
      details: { receiptId: r.receiptId, status: r.status, accepted, rejected: ids.length, replayed: r.replayed } }, now);
    return { accepted, rejected: ids.length };
  }, { timeout: 120_000 });
}

/** A retryable failure: the batch stays in progress; UNKNOWN when the national side may hold it. */
export async function recordAttemptFailure(db: Db, batchId: string, owner: string, f: { unknown: boolean; code: string; message: string }): Promise<void> {
  // Only the lease holder releases it: a pusher whose lease ran out must not free another's.
  await db.prisma.batch.updateMany({
    where: { batchId, state: 'SENDING', leaseOwner: owner },
    data: { state: f.unknown ? 'UNKNOWN' : 'SENDING', lastErrorCode: f.code, lastError: f.message, leaseOwner: null, leaseUntil: null },
  });
}

/** A permanent refusal, or the retry deadline passed: FAILED for an operator, never dropped. */
export async function recordBatchFailure(db: Db, batchId: string, f: { code: string; message: string; details?: unknown }): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    await tx.batch.update({ where: { batchId }, data: { state: 'FAILED', lastErrorCode: f.code, lastError: f.message, leaseOwner: null, leaseUntil: null },
      select: { batchId: true } });
    const now = db.clock.now();
    await completeOutbox(tx, PUSH_TOPIC, batchId, now);
    await appendAudit(tx, { actor: 'system', action: 'BATCH_FAILED', entityType: 'batch', entityId: batchId, details: { code: f.code, message: f.message, details: f.details } }, now);
  });
}

/** An operator sends a failed batch again: same batchId, same bytes; the re-run is linked in the audit log. */
export async function rerunBatch(db: Db, actor: Principal, batchId: string, deadlineAt: Date): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const batch = await tx.batch.findUnique({ where: { batchId } });
    if (!batch) throw new GatewayError('BATCH_NOT_FOUND', { batchId });
    if (batch.state !== 'FAILED') throw new GatewayError('BATCH_NOT_FAILED', { batchId, state: batch.state });
    const previous = await tx.auditLog.findFirst({ where: { entityType: 'batch', entityId: batchId, action: 'BATCH_FAILED' }, orderBy: { seq: 'desc' } });
    await tx.batch.update({ where: { batchId }, data: { state: 'BUILT', rerunCount: { increment: 1 }, deadlineAt }, select: { batchId: true } });
    await tx.outbox.updateMany({ where: { topic: PUSH_TOPIC, key: batchId }, data: { payload: { deadline: deadlineAt.getTime() } } });
    const now = db.clock.now();
    await reopenOutbox(tx, PUSH_TOPIC, batchId, now);
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'BATCH_RERUN', entityType: 'batch', entityId: batchId,
      details: { rerun: batch.rerunCount + 1, failedAuditSeq: previous?.seq.toString() ?? null, lastErrorCode: batch.lastErrorCode, payloadSha256: batch.payloadSha256 } }, now);
  });
}

/** Batches whose last push got no answer (and nobody holds now): reconciliation asks the national side. */
export async function unresolvedBatches(db: Db): Promise<string[]> {
  const rows = await db.prisma.batch.findMany({
    where: { state: { in: ['UNKNOWN', 'SENDING'] }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: db.clock.now() } }] },
    select: { batchId: true }, orderBy: { createdAt: 'asc' }, take: 1000,
  });
  return rows.map((r) => r.batchId);
}

// ── reading ────────────────────────────────────────────────────────────────

export async function listBatches(db: Db, f: { state?: string; period?: string; limit: number }) {
  return db.prisma.batch.findMany({
    where: { ...(f.state ? { state: f.state as never } : {}), ...(f.period ? { period: f.period } : {}) },
    orderBy: { createdAt: 'desc' }, take: f.limit,
    select: { batchId: true, period: true, state: true, recordCount: true, attempts: true, lastErrorCode: true, lastError: true,
      receiptId: true, receivedAt: true, rerunCount: true, createdAt: true, updatedAt: true, payloadSha256: true, deadlineAt: true },
  });
}

export async function batchRecords(db: Db, batchId: string) {
  return db.prisma.batchRecord.findMany({ where: { batchId }, orderBy: { personalId: 'asc' } });
}

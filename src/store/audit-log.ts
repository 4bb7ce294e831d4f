// The append-only audit log. Each row carries the hash of the previous row, so a changed, removed or
// inserted row breaks the chain and `csdl-gateway audit verify` finds it. The database refuses UPDATE,
// DELETE and TRUNCATE on the table (migration 0002); appends are serialised by an advisory lock held
// until the writing transaction ends, so the chain has no forks.
import { createHash } from 'node:crypto';
import type { ClientBase, QueryResult } from 'pg';
import type { Db, Tx } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK = 0x617564; // 'aud'

export interface AuditEntry {
  actor: string;
  role?: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  agencyCode?: string | null;
  details?: unknown;
}

interface ChainedFields {
  seq: bigint;
  at: Date;
  actor: string;
  role: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  agencyCode: string | null;
  details: string | null;
}

/** The hash of one row: what it says and the hash before it, in a fixed order. */
export function auditRowHash(prevHash: string, row: ChainedFields): string {
  const fields = [row.seq.toString(), row.at.toISOString(), row.actor, row.role, row.action, row.entityType,
    row.entityId, row.agencyCode, row.details];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/** The next row of the chain after `last` (undefined: the first row). */
function nextRow(last: { seq: bigint; hash: string } | undefined, entry: AuditEntry, at: Date): ChainedFields & { prevHash: string; hash: string } {
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row: ChainedFields = {
    seq: (last?.seq ?? 0n) + 1n,
    at,
    actor: entry.actor,
    role: entry.role ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    agencyCode: entry.agencyCode ?? null,
    details: entry.details === undefined ? null : JSON.stringify(entry.details),
  };
  return { ...row, prevHash, hash: auditRowHash(prevHash, row) };
}

/** Appends inside the caller's transaction, so the audit row commits or rolls back with the change it records. */
export async function appendAudit(tx: Tx, entry: AuditEntry, at: Date): Promise<bigint> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK}::int)`;
  const last = await tx.$queryRaw<Array<{ seq: bigint; hash: string }>>`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`;
  const row = nextRow(last[0], entry, at);
  await tx.auditLog.create({ data: row });
  return row.seq;
}

/**
 * The same append on a pg client inside the caller's own transaction (BEGIN … COMMIT on that client):
 * for bulk work done with COPY, which Prisma cannot run, so that its audit row still commits with it.
 */
export async function appendAuditOnClient(client: ClientBase, entry: AuditEntry, at: Date): Promise<bigint> {
  await client.query('SELECT pg_advisory_xact_lock($1::int)', [AUDIT_LOCK]);
  const { rows } = await client.query<{ last_seq: string; hash: string }>('SELECT seq::text AS last_seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const row = nextRow(rows[0] ? { seq: BigInt(rows[0].last_seq), hash: rows[0].hash } : undefined, entry, at);
  await insertRow(client, row);
  return row.seq;
}

async function insertRow(client: ClientBase, row: ReturnType<typeof nextRow>): Promise<void> {
  await client.query(`INSERT INTO audit_log (seq, at, actor, role, action, entity_type, entity_id, agency_code, details, prev_hash, hash)
    VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  [row.seq.toString(), row.at, row.actor, row.role, row.action, row.entityType, row.entityId, row.agencyCode, row.details, row.prevHash, row.hash]);
}

/**
 * An audit row in a transaction of its own (every API read of another person's record, reminders).
 * Resolves once the row is committed, as before; what changed is how: the appends waiting at the same
 * moment are written together — one transaction on a pg client: BEGIN with the lock and the chain's
 * head in one round trip, the rows (chained in arrival order) in one INSERT, COMMIT. The chain's lock
 * is held for the whole transaction, so appending one row per transaction (five round trips through
 * Prisma's interactive transaction, each waiting for a busy event loop) capped API reads at a few
 * hundred a second; grouped, the lock is taken once per group. A group that fails is retried row by
 * row, so one bad row fails only its own caller.
 */
export function appendAuditNow(db: Db, entry: AuditEntry): Promise<bigint> {
  let queue = pending.get(db);
  if (!queue) pending.set(db, (queue = { waiting: [], draining: false }));
  const q = queue;
  return new Promise<bigint>((resolve, reject) => {
    q.waiting.push({ entry, at: db.clock.now(), resolve, reject });
    if (!q.draining) void drain(db, q);
  });
}

interface Waiting { entry: AuditEntry; at: Date; resolve(seq: bigint): void; reject(err: unknown): void }
const pending = new WeakMap<Db, { waiting: Waiting[]; draining: boolean }>();
const MAX_GROUP = 500;

async function drain(db: Db, q: { waiting: Waiting[]; draining: boolean }): Promise<void> {
  q.draining = true;
  try {
    while (q.waiting.length > 0) {
      const group = q.waiting.splice(0, MAX_GROUP);
      try {
        const seqs = await appendGroup(db, group);
        group.forEach((w, i) => w.resolve(seqs[i]!));
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        else {
          for (const w of group) {
            try {
              w.resolve((await appendGroup(db, [w]))[0]!);
            } catch (e) {
              w.reject(e);
            }
          }
        }
      }
    }
  } finally {
    q.draining = false;
  }
}

async function appendGroup(db: Db, group: Waiting[]): Promise<bigint[]> {
  const client = await db.pool.connect();
  try {
    const results = await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${AUDIT_LOCK}::int);
      SELECT seq::text AS last_seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`) as unknown as Array<QueryResult<{ last_seq: string; hash: string }>>;
    const head = results[2]!.rows[0];
    let last = head ? { seq: BigInt(head.last_seq), hash: head.hash } : undefined;
    const rows = group.map((w) => (last = nextRow(last, w.entry, w.at)));
    await client.query(`INSERT INTO audit_log (seq, at, actor, role, action, entity_type, entity_id, agency_code, details, prev_hash, hash)
      SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`,
    [rows.map((r) => r.seq.toString()), rows.map((r) => r.at), rows.map((r) => r.actor), rows.map((r) => r.role), rows.map((r) => r.action),
      rows.map((r) => r.entityType), rows.map((r) => r.entityId), rows.map((r) => r.agencyCode), rows.map((r) => r.details),
      rows.map((r) => r.prevHash), rows.map((r) => r.hash)]);
    await client.query('COMMIT');
    return rows.map((r) => r.seq);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  /** The first row where the chain breaks, and why. */
  brokenAt?: { seq: string; reason: 'SEQ_GAP' | 'PREV_HASH' | 'HASH' };
  lastHash: string;
}

/** Walks the whole chain in pages and recomputes every hash. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let rows = 0;
  for (;;) {
    const page = await db.prisma.auditLog.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: pageSize });
    for (const r of page) {
      const broken = (reason: 'SEQ_GAP' | 'PREV_HASH' | 'HASH'): AuditVerification =>
        ({ ok: false, rows, brokenAt: { seq: r.seq.toString(), reason }, lastHash: prevHash });
      if (r.seq !== expectedSeq) return broken('SEQ_GAP');
      if (r.prevHash !== prevHash) return broken('PREV_HASH');
      if (auditRowHash(prevHash, r) !== r.hash) return broken('HASH');
      prevHash = r.hash;
      expectedSeq += 1n;
      rows += 1;
    }
    if (page.length < pageSize) return { ok: true, rows, lastHash: prevHash };
  }
}

export async function listAudit(db: Db, filter: { entityType?: string; entityId?: string; limit?: number }) {
  return db.prisma.auditLog.findMany({
    where: { entityType: filter.entityType, entityId: filter.entityId },
    orderBy: { seq: 'desc' },
    take: Math.min(filter.limit ?? 100, 1000),
  });
}

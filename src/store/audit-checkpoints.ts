// Signed checkpoints of the audit chain (migration 0014): what the store keeps of them, and the few
// reads of audit_log that checking them needs. Signing and checking are in src/services/audit-checkpoints.ts.
import type { Db } from './db.ts';

export interface AuditHead {
  seq: bigint;
  hash: string;
}

export interface StoredCheckpoint {
  seq: bigint;
  headHash: string;
  reason: string;
  createdAt: Date;
  /** The exact JSON bytes that were signed. */
  document: Uint8Array;
  /** Detached CMS over `document`, DER. */
  signature: Uint8Array;
}

/** The last row of the chain (undefined: the log is empty). */
export async function auditHead(db: Db): Promise<AuditHead | undefined> {
  // Aliased apart from the column: ORDER BY a text alias named seq would put 9 after 10.
  const { rows } = await db.pool.query<{ head_seq: string; hash: string }>('SELECT seq::text AS head_seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  return rows[0] ? { seq: BigInt(rows[0].head_seq), hash: rows[0].hash } : undefined;
}

/** The hashes of the rows with these sequence numbers (missing rows are absent from the map). */
export async function auditHashesAt(db: Db, seqs: readonly bigint[]): Promise<Map<bigint, string>> {
  if (seqs.length === 0) return new Map();
  const { rows } = await db.pool.query<{ seq: string; hash: string }>(
    'SELECT seq::text AS seq, hash FROM audit_log WHERE seq = ANY($1::bigint[])', [seqs.map(String)]);
  return new Map(rows.map((r) => [BigInt(r.seq), r.hash]));
}

export async function insertCheckpoint(db: Db, c: StoredCheckpoint): Promise<void> {
  await db.prisma.auditCheckpoint.create({
    data: { seq: c.seq, headHash: c.headHash, reason: c.reason, createdAt: c.createdAt, document: new Uint8Array(c.document), signature: new Uint8Array(c.signature) },
  });
}

const fields = { seq: true, headHash: true, reason: true, createdAt: true, document: true, signature: true } as const;

/** Every checkpoint in the database, oldest head first. */
export async function listCheckpoints(db: Db): Promise<StoredCheckpoint[]> {
  return db.prisma.auditCheckpoint.findMany({ select: fields, orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }] });
}

/**
 * The checkpoint of the furthest head in the database (undefined: none yet). A backup manifest
 * records it, so that a restored database can be checked against what was signed before the backup.
 */
export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | undefined> {
  return (await db.prisma.auditCheckpoint.findFirst({ select: fields, orderBy: [{ seq: 'desc' }, { createdAt: 'desc' }] })) ?? undefined;
}

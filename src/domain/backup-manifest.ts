// The manifest written beside every backup (`<dump>.manifest.json`) and the rules that compare it with a
// restored database. Pure: no I/O. A restore or drill passes only when every fact of the manifest is
// found again in the restored copy.

export const MANIFEST_FORMAT = 'csdl-gateway-backup/1';
export const MANIFEST_SUFFIX = '.manifest.json';

export type BackupKind = 'manual' | 'monthly' | 'frequent';
export const backupKinds: readonly BackupKind[] = ['manual', 'monthly', 'frequent'];

export interface AuditHead { seq: string; hash: string }

/** What a manifest says about the database inside a dump (read in the dump's own snapshot). */
export interface DatabaseFacts {
  /** The applied migrations, in order (the schema version). */
  schemaVersion: string[];
  /** Exact row counts of every table of the public schema, by table name. */
  rowCounts: Record<string, number>;
  /** The last row of the audit chain, or null when the log is empty. */
  auditHead: AuditHead | null;
}

export interface BackupManifest extends DatabaseFacts {
  format: typeof MANIFEST_FORMAT;
  kind: BackupKind;
  /** ISO instant the snapshot was taken. */
  createdAt: string;
  /** Name of the database that was dumped. */
  database: string;
  /** The dump's file name (no directory: the pair can be moved together). */
  dumpFile: string;
  dumpBytes: number;
  dumpSha256: string;
  /** `pg_dump --version` of the tool that wrote it (a restore needs a pg_restore at least as new). */
  tool: string;
  /** Present when the dump is encrypted to a public key (the checksum is of the encrypted file). */
  encryption?: { alg: string; keyId: string };
}

/** `csdl-gateway-monthly-20261130T130000Z.dump`: kind and UTC instant, so files sort by time. */
export function backupFileName(kind: BackupKind, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `csdl-gateway-${kind}-${stamp}.dump`;
}

const fileNamePattern = /^csdl-gateway-(manual|monthly|frequent)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?\.dump$/;

/** Kind and instant of a backup file name written by `backupFileName`, or null for any other file. */
export function parseBackupFileName(name: string): { kind: BackupKind; at: Date } | null {
  const m = fileNamePattern.exec(name);
  if (!m) return null;
  const [, kind, y, mo, d, h, mi, s] = m;
  return { kind: kind as BackupKind, at: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`) };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses a manifest's JSON; returns the reason it is unusable instead of throwing. */
export function parseManifest(text: string): { ok: true; manifest: BackupManifest } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  const m = raw as Partial<BackupManifest> | null;
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) return { ok: false, reason: 'unknown-format' };
  if (typeof m.dumpSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.dumpSha256)) return { ok: false, reason: 'dumpSha256' };
  if (!isCount(m.dumpBytes) || typeof m.dumpFile !== 'string' || typeof m.createdAt !== 'string') return { ok: false, reason: 'dumpFile' };
  if (!Array.isArray(m.schemaVersion) || !m.schemaVersion.every((v) => typeof v === 'string')) return { ok: false, reason: 'schemaVersion' };
  if (!m.rowCounts || typeof m.rowCounts !== 'object' || !Object.values(m.rowCounts).every(isCount)) return { ok: false, reason: 'rowCounts' };
  if (m.auditHead !== null && (typeof m.auditHead?.seq !== 'string' || typeof m.auditHead.hash !== 'string')) return { ok: false, reason: 'auditHead' };
  if (!backupKinds.includes(m.kind as BackupKind)) return { ok: false, reason: 'kind' };
  if (m.encryption !== undefined && (typeof m.encryption?.alg !== 'string' || typeof m.encryption.keyId !== 'string')) return { ok: false, reason: 'encryption' };
  return { ok: true, manifest: m as BackupManifest };
}

export type FactMismatch =
  | { what: 'schema-version'; expected: string; actual: string }
  | { what: 'row-count'; table: string; expected: number | null; actual: number | null }
  | { what: 'audit-head'; expected: string; actual: string }
  | { what: 'audit-chain'; brokenAtSeq: string; reason: string };

/** Result of recomputing the audit chain of the restored copy. */
export interface ChainCheck { ok: boolean; lastHash: string; brokenAt?: { seq: string; reason: string } }

const headText = (h: AuditHead | null) => (h ? `${h.seq}:${h.hash}` : 'empty');

/**
 * Everything in which a restored database differs from its manifest: schema version, the row count of
 * every table (missing or extra tables included), the audit head, and whether the restored chain
 * recomputes to that head. Empty means the restore is faithful.
 */
export function compareFacts(manifest: DatabaseFacts, restored: DatabaseFacts, chain: ChainCheck): FactMismatch[] {
  const out: FactMismatch[] = [];
  const expectedSchema = manifest.schemaVersion.join(',');
  const actualSchema = restored.schemaVersion.join(',');
  if (expectedSchema !== actualSchema) out.push({ what: 'schema-version', expected: expectedSchema, actual: actualSchema });
  const tables = [...new Set([...Object.keys(manifest.rowCounts), ...Object.keys(restored.rowCounts)])].sort();
  for (const table of tables) {
    const expected = manifest.rowCounts[table] ?? null;
    const actual = restored.rowCounts[table] ?? null;
    if (expected !== actual) out.push({ what: 'row-count', table, expected, actual });
  }
  if (headText(manifest.auditHead) !== headText(restored.auditHead)) {
    out.push({ what: 'audit-head', expected: headText(manifest.auditHead), actual: headText(restored.auditHead) });
  }
  if (!chain.ok) out.push({ what: 'audit-chain', brokenAtSeq: chain.brokenAt?.seq ?? '?', reason: chain.brokenAt?.reason ?? 'unknown' });
  else if (manifest.auditHead && chain.lastHash !== manifest.auditHead.hash) {
    out.push({ what: 'audit-head', expected: manifest.auditHead.hash, actual: chain.lastHash });
  }
  return out;
}

/** One Vietnamese line per mismatch, for the operator. */
export function describeMismatch(m: FactMismatch): string {
  switch (m.what) {
    case 'schema-version': return `phiên bản lược đồ khác: manifest ${m.expected || '(trống)'}, bản khôi phục ${m.actual || '(trống)'}`;
    case 'row-count': return `bảng ${m.table}: manifest ${m.expected ?? 'không có'} dòng, bản khôi phục ${m.actual ?? 'không có'} dòng`;
    case 'audit-head': return `đầu chuỗi nhật ký kiểm toán khác: manifest ${m.expected}, bản khôi phục ${m.actual}`;
    case 'audit-chain': return `chuỗi nhật ký kiểm toán bị đứt tại dòng ${m.brokenAtSeq} (${m.reason})`;
  }
}

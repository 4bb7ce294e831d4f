// Signed checkpoints of the audit chain. The hash chain of audit_log catches an edited, inserted or
// removed row in the middle, but not a cut tail, a truncated table or a chain recomputed from an edited
// row: all of those leave a chain that is consistent with itself. A checkpoint fixes the head at a
// moment — sequence number and hash, signed with the Sở Nội vụ organisation key (CAdES, time-stamped
// where a TSA is configured) — and is kept twice: in the database and, when AUDIT_CHECKPOINT_DIR is set,
// as two files in a directory outside it (`<name>.json`, `<name>.json.p7s`, never overwritten; make the
// directory append-only at the OS level, e.g. `chattr +a`, or point it at a WORM/remote mount).
//
// Checkpoints are taken after every batch build, every approval and daily (schedule `audit-checkpoint`).
// `audit verify` recomputes the chain, then checks it against every checkpoint whose signature verifies,
// from both places: a head that is gone is TRUNCATED (no row left) or TAIL_DELETED; a row whose hash
// differs from the signed one is RECHAINED, and the first bad row lies after the last checkpoint that
// still matches. What this cannot catch: changes to rows after the latest checkpoint (a window of at most
// a day, less on working days), and anything done by someone holding the organisation key (they can sign
// a checkpoint of a rewritten chain) and able to replace the files of the directory as well.
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { verifyAuditChain, GENESIS_HASH } from '../store/audit-log.ts';
import { auditHashesAt, auditHead, insertCheckpoint, listCheckpoints, type StoredCheckpoint } from '../store/audit-checkpoints.ts';
import { signDetached } from '../pki/sign-cms.ts';
import { verifyDetached } from '../pki/verify-cms.ts';
import { subjectOf, type Certificate } from '../pki/certificates.ts';
import type { SigningIdentity } from '../pki/signing-identity.ts';
import type { Crl } from '../pki/crl.ts';
import type { SigningSetup } from '../approval/signing-setup.ts';

export type CheckpointReason = 'BATCH_BUILD' | 'APPROVAL' | 'DAILY' | 'MANUAL';

export const CHECKPOINT_TYPE = 'csdl-gateway/audit-checkpoint';

export interface CheckpointDeps {
  db: Db;
  /** The organisation signer (a key file today, an HSM tomorrow: whatever SigningIdentity wraps). */
  signer: SigningIdentity;
  tsaUrl?: string;
  /** AUDIT_CHECKPOINT_DIR; absent: the database copy only. */
  dir?: string;
  clock: Clock;
  logger: Pick<Logger, 'error'>;
}

/** The checkpoint dependencies of a deployment; undefined when it has no organisation signer. */
export function checkpointDeps(db: Db, signing: { orgSigner?: SigningIdentity; tsaUrl?: string }, dir: string, clock: Clock,
  logger: Pick<Logger, 'error'>): CheckpointDeps | undefined {
  if (!signing.orgSigner) return undefined;
  return { db, signer: signing.orgSigner, clock, logger, ...(signing.tsaUrl ? { tsaUrl: signing.tsaUrl } : {}), ...(dir ? { dir } : {}) };
}

/** The signed document: a small JSON object with a fixed key order. */
export interface CheckpointDocument {
  type: typeof CHECKPOINT_TYPE;
  version: 1;
  seq: string;
  headHash: string;
  at: string;
  reason: CheckpointReason;
}

export function checkpointDocument(seq: bigint, headHash: string, at: Date, reason: CheckpointReason): Buffer {
  const doc: CheckpointDocument = { type: CHECKPOINT_TYPE, version: 1, seq: seq.toString(), headHash, at: at.toISOString(), reason };
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

/** Signs the current head and stores the checkpoint in the database, then in the directory. */
export async function createCheckpoint(deps: CheckpointDeps, reason: CheckpointReason): Promise<StoredCheckpoint> {
  const head = (await auditHead(deps.db)) ?? { seq: 0n, hash: GENESIS_HASH };
  const at = deps.clock.now();
  const document = checkpointDocument(head.seq, head.hash, at, reason);
  const signature = await signDetached(document, deps.signer, { signingTime: at, ...(deps.tsaUrl ? { tsaUrl: deps.tsaUrl } : {}) });
  const checkpoint: StoredCheckpoint = { seq: head.seq, headHash: head.hash, reason, createdAt: at, document, signature };
  await insertCheckpoint(deps.db, checkpoint);
  if (deps.dir) await writeCheckpointFiles(deps.dir, checkpoint);
  return checkpoint;
}

/**
 * A checkpoint after work that has already committed (an approval, a batch build): its failure must not
 * undo or fail that work, so it is logged as an alert and the daily checkpoint catches up.
 */
export async function checkpointAfter(deps: CheckpointDeps | undefined, reason: CheckpointReason): Promise<void> {
  if (!deps) return;
  try {
    await createCheckpoint(deps, reason);
  } catch (err) {
    deps.logger.error({ err, alert: 'AUDIT_CHECKPOINT_FAILED', reason }, 'audit checkpoint could not be written');
  }
}

function fileStem(c: StoredCheckpoint): string {
  const stamp = c.createdAt.toISOString().replace(/[-:.]/g, '');
  return `audit-checkpoint-${c.seq.toString().padStart(12, '0')}-${stamp}-${Buffer.from(c.signature.slice(-4)).toString('hex')}`;
}

/** Two files, created exclusively (an existing file is never overwritten) and flushed to disk. */
async function writeCheckpointFiles(dir: string, c: StoredCheckpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stem = join(dir, fileStem(c));
  for (const [path, bytes] of [[`${stem}.json`, c.document], [`${stem}.json.p7s`, c.signature]] as const) {
    const file = await open(path, 'wx', 0o444);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
  }
}

export interface FoundCheckpoint extends StoredCheckpoint {
  source: 'database' | 'directory';
  /** Where it came from, for the report (a file name, or the database). */
  origin: string;
}

/** Every checkpoint of the directory (a .json without its .p7s, or unreadable, is reported as invalid later). */
export async function readCheckpointDir(dir: string): Promise<FoundCheckpoint[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new GatewayError('CONFIG_INVALID', { variable: 'AUDIT_CHECKPOINT_DIR', reason: 'unreadable', code: (err as NodeJS.ErrnoException).code });
  }
  const found: FoundCheckpoint[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const document = await readFile(join(dir, name));
    const signature = await readFile(join(dir, `${name}.p7s`)).catch(() => new Uint8Array());
    const parsed = parseDocument(document);
    found.push({
      seq: parsed ? BigInt(parsed.seq) : -1n, headHash: parsed?.headHash ?? '', reason: parsed?.reason ?? 'UNREADABLE',
      createdAt: parsed ? new Date(parsed.at) : new Date(0), document, signature, source: 'directory', origin: name,
    });
  }
  return found;
}

function parseDocument(bytes: Uint8Array): CheckpointDocument | undefined {
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as CheckpointDocument;
    if (doc.type !== CHECKPOINT_TYPE || doc.version !== 1 || !/^[0-9]{1,19}$/.test(doc.seq) || !/^[0-9a-f]{64}$/.test(doc.headHash)) return undefined;
    return doc;
  } catch {
    return undefined;
  }
}

export type TrailBreak = 'SEQ_GAP' | 'PREV_HASH' | 'HASH' | 'TRUNCATED' | 'TAIL_DELETED' | 'RECHAINED' | 'CHECKPOINT_INVALID' | 'CHECKPOINT_DELETED';

export interface AuditTrailReport {
  ok: boolean;
  /** Rows of the chain verified from the first one. */
  rows: number;
  head: { seq: string; hash: string } | null;
  checkpoints: {
    database: number;
    directory: number;
    /** Signature verified, document well-formed (duplicates across both places counted once). */
    verified: number;
    latest: { seq: string; headHash: string; at: string; reason: string; sources: Array<'database' | 'directory'> } | null;
  };
  /** Rows after the latest verified checkpoint: nothing vouches for them yet. */
  uncovered: string;
  /**
   * The first bad row and why. For RECHAINED the exact row cannot be named (only hashes at checkpoints
   * are known): `seq` is the first row no checkpoint vouches for any more, `checkpointSeq` the checkpoint
   * that failed; the change lies between them.
   */
  brokenAt?: { seq: string; reason: TrailBreak; checkpointSeq?: string; origin?: string };
}

export interface TrailCheckOptions {
  /** AUDIT_CHECKPOINT_DIR, when configured. */
  dir?: string;
  /** TRUST_ANCHORS (and intermediates, CRLs) the organisation certificate chains to. */
  trustAnchors: readonly Certificate[];
  intermediates?: readonly Certificate[];
  crls?: readonly Crl[];
  /** The organisation signer's certificate: a checkpoint signed by anyone else does not count. */
  organisation?: Certificate;
  clock: Clock;
}

/** How a deployment checks its trail: its own trust anchors, and its organisation key as the only valid signer. */
export function trailCheckOptions(setup: SigningSetup, dir: string, clock: Clock): TrailCheckOptions {
  return {
    trustAnchors: setup.trustAnchors, intermediates: setup.intermediates, crls: setup.crls, clock,
    ...(setup.orgSigner ? { organisation: setup.orgSigner.certificate } : {}), ...(dir ? { dir } : {}),
  };
}

/** Signature (organisation key, chain, validity at signing time) and content of one checkpoint; undefined when valid. */
async function checkpointFault(c: FoundCheckpoint, o: TrailCheckOptions): Promise<string | undefined> {
  const doc = parseDocument(c.document);
  if (!doc) return 'DOCUMENT_MALFORMED';
  if (BigInt(doc.seq) !== c.seq || doc.headHash !== c.headHash) return 'DOCUMENT_MISMATCH';
  try {
    const verified = await verifyDetached(c.document, c.signature, {
      trustAnchors: o.trustAnchors, intermediates: o.intermediates ?? [], crls: o.crls ?? [], now: o.clock.now(),
    });
    if (o.organisation && verified.subject !== subjectOf(o.organisation)) return 'NOT_ORGANISATION_KEY';
    return undefined;
  } catch (err) {
    if (isGatewayError(err)) return err.code;
    throw err;
  }
}

/**
 * The whole audit trail: the chain from its first row, then every checkpoint found in the database and
 * the directory. ok only when both hold.
 */
export async function verifyAuditTrail(db: Db, o: TrailCheckOptions): Promise<AuditTrailReport> {
  const chain = await verifyAuditChain(db);
  const head = await auditHead(db);
  const fromDb: FoundCheckpoint[] = (await listCheckpoints(db)).map((c) => ({ ...c, source: 'database', origin: 'database' }));
  const fromDir = o.dir ? await readCheckpointDir(o.dir) : [];
  const all = [...fromDb, ...fromDir];
  if (all.length > 0 && o.trustAnchors.length === 0) {
    throw new GatewayError('CONFIG_INVALID', { variable: 'TRUST_ANCHORS', reason: 'checkpoints are signed; their signatures need the trust anchors' });
  }

  // Verified checkpoints, one per signed document (the same one is usually in both places).
  const verified = new Map<string, { c: FoundCheckpoint; sources: Set<'database' | 'directory'> }>();
  let invalid: FoundCheckpoint | undefined;
  for (const c of all) {
    const key = Buffer.from(c.document).toString('base64');
    const known = verified.get(key);
    if (known) { known.sources.add(c.source); continue; }
    if (await checkpointFault(c, o)) { invalid ??= c; continue; }
    verified.set(key, { c, sources: new Set([c.source]) });
  }
  const checkpoints = [...verified.values()].sort((a, b) => (a.c.seq < b.c.seq ? -1 : a.c.seq > b.c.seq ? 1 : 0));
  const latest = checkpoints.at(-1);
  const report: AuditTrailReport = {
    ok: chain.ok, rows: chain.rows,
    head: head ? { seq: head.seq.toString(), hash: head.hash } : null,
    checkpoints: {
      database: fromDb.length, directory: fromDir.length, verified: checkpoints.length,
      latest: latest ? { seq: latest.c.seq.toString(), headHash: latest.c.headHash, at: latest.c.createdAt.toISOString(), reason: latest.c.reason, sources: [...latest.sources] } : null,
    },
    uncovered: ((head?.seq ?? 0n) - (latest?.c.seq ?? 0n) > 0n ? (head?.seq ?? 0n) - (latest?.c.seq ?? 0n) : 0n).toString(),
    ...(chain.brokenAt ? { brokenAt: chain.brokenAt } : {}),
  };
  if (!chain.ok) return report;

  const hashes = await auditHashesAt(db, checkpoints.map((x) => x.c.seq).filter((s) => s > 0n));
  let vouched = 0n; // the last row a checkpoint still vouches for
  for (const { c } of checkpoints) {
    if (c.seq === 0n) continue;
    const hash = hashes.get(c.seq);
    if (hash === c.headHash) { vouched = c.seq; continue; }
    const reason: TrailBreak = hash !== undefined ? 'RECHAINED' : head === undefined ? 'TRUNCATED' : head.seq < c.seq ? 'TAIL_DELETED' : 'RECHAINED';
    // A cut tail starts right after the surviving head; a rewrite somewhere after the last matching checkpoint.
    const first = reason === 'TAIL_DELETED' && head && head.seq >= vouched ? head.seq + 1n : vouched + 1n;
    return { ...report, ok: false, brokenAt: { seq: first.toString(), reason, checkpointSeq: c.seq.toString(), origin: c.origin } };
  }
  // Every file of the directory was first a row of audit_checkpoint (database first, then the file):
  // a verified file the database no longer has means its checkpoints were deleted behind the triggers.
  const deleted = checkpoints.find((x) => x.sources.has('directory') && !x.sources.has('database'));
  if (deleted) {
    return { ...report, ok: false, brokenAt: { seq: deleted.c.seq.toString(), reason: 'CHECKPOINT_DELETED', checkpointSeq: deleted.c.seq.toString(), origin: deleted.c.origin } };
  }
  if (invalid) {
    return { ...report, ok: false, brokenAt: { seq: invalid.seq.toString(), reason: 'CHECKPOINT_INVALID', checkpointSeq: invalid.seq.toString(), origin: invalid.origin } };
  }
  return report;
}

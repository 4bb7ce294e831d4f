// Transfer requests: records coming into the province (NATIONAL_API.md §5, §7). Every step is one
// transaction with its outbox rows and audit row: a request is stored with its pull job; the pull is
// settled (import, rejection or failure) together with the imported person and change, the end of the
// pull job and, for an inbound request, the acknowledgement job; the acknowledgement is recorded with
// the end of its job. States: src/transfer/transfer-states.ts.
import type { Db, Tx } from './db.ts';
import { appendAudit } from './audit-log.ts';
import { addOutbox, completeOutbox } from './outbox.ts';
import { errorSpec, GatewayError } from '../errors.ts';
import { changeSourceOf, owesAck, type TransferSource, type TransferState } from '../transfer/transfer-states.ts';
import type { ChangeContent } from './changes.ts';
import { pullRefusal } from '../domain/pull-scope.ts';

export const TRANSFER_PULL_TOPIC = 'TRANSFER_PULL';
export const TRANSFER_ACK_TOPIC = 'TRANSFER_ACK';

export type TransferRow = Awaited<ReturnType<Db['prisma']['transferRequest']['findUniqueOrThrow']>>;

/** Who acts, as the audit log records it (the national platform, a user, or the background jobs). */
export interface Actor {
  readonly subject: string;
  readonly role: string | null;
}

export interface NewTransfer {
  requestId: string;
  source: TransferSource;
  personalId: string;
  fromAgencyCode: string | null;
  toAgencyCode: string;
  decisionNo: string | null;
  effectiveDate: Date | null;
  /** The signed §7 document and its CMS (inbound requests), kept as evidence. */
  payload?: Uint8Array<ArrayBuffer> | null;
  signature?: Uint8Array<ArrayBuffer> | null;
  /** Why the requester asks (pulls). */
  reason?: string | null;
  requestedBy: string;
}

const FINAL_CHANGE_STATES = ['SYNCED', 'REJECTED_BY_NATIONAL'] as const;

function audit(tx: Tx, at: Date, actor: Actor, action: string, t: { requestId: string; toAgencyCode: string }, details?: unknown) {
  return appendAudit(tx, { actor: actor.subject, role: actor.role, action, entityType: 'transfer', entityId: t.requestId, agencyCode: t.toAgencyCode, details }, at);
}

async function lock(tx: Tx, requestId: string): Promise<TransferRow | null> {
  const locked = await tx.$queryRaw<Array<{ request_id: string }>>`SELECT request_id FROM transfer_request WHERE request_id = ${requestId} FOR UPDATE`;
  return locked.length === 0 ? null : tx.transferRequest.findUniqueOrThrow({ where: { requestId } });
}

/**
 * Stores a new request with its pull job (deadline: epoch ms). A request id seen before is not touched:
 * the stored request comes back with `created: false`.
 */
export async function createTransfer(db: Db, actor: Actor, input: NewTransfer, deadline: number): Promise<{ created: boolean; transfer: TransferRow }> {
  return db.prisma.$transaction(async (tx) => {
    const inserted = await tx.transferRequest.createMany({
      data: [{ ...input, payload: input.payload ?? null, signature: input.signature ?? null, reason: input.reason ?? null, state: 'QUEUED' }],
      skipDuplicates: true,
    });
    const transfer = await tx.transferRequest.findUniqueOrThrow({ where: { requestId: input.requestId } });
    if (inserted.count === 0) return { created: false, transfer };
    await addOutbox(tx, TRANSFER_PULL_TOPIC, input.requestId, { deadline }, db.clock.now());
    await audit(tx, db.clock.now(), actor, input.source === 'INBOUND' ? 'TRANSFER_RECEIVE' : 'TRANSFER_PULL_REQUEST', transfer, {
      source: input.source, personalId: input.personalId, fromAgencyCode: input.fromAgencyCode, decisionNo: input.decisionNo,
    });
    return { created: true, transfer };
  });
}

export async function getTransfer(db: Db, requestId: string): Promise<TransferRow | null> {
  return db.prisma.transferRequest.findUnique({ where: { requestId } });
}

/** The request of this person still being worked on, if any. */
export async function queuedTransferOf(db: Db, personalId: string): Promise<{ requestId: string } | null> {
  return db.prisma.transferRequest.findFirst({ where: { personalId, state: 'QUEUED' }, select: { requestId: true } });
}

export interface TransferFilter {
  /** Only requests whose receiving agency lies in this subtree; undefined: every request. */
  agencyRoot?: string;
  state?: TransferState;
  personalId?: string;
  limit: number;
}

/** Newest first; without payload and signature. */
export async function listTransfers(db: Db, f: TransferFilter) {
  return db.prisma.transferRequest.findMany({
    where: {
      ...(f.agencyRoot ? { OR: [{ toAgencyCode: f.agencyRoot }, { toAgencyCode: { startsWith: `${f.agencyRoot}.` } }] } : {}),
      ...(f.state ? { state: f.state } : {}),
      ...(f.personalId ? { personalId: f.personalId } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { requestId: 'asc' }],
    take: f.limit,
    omit: { payload: true, signature: true },
  });
}

/** A failed attempt that will be retried: counted, with its code, for operators. */
export async function recordTransferAttempt(db: Db, requestId: string, errorCode: string): Promise<void> {
  await db.prisma.transferRequest.update({ where: { requestId }, data: { attempts: { increment: 1 }, lastErrorCode: errorCode } });
}

/** The record to import, already verified and converted (src/transfer/import-content.ts). */
export interface ImportInput extends ChangeContent {
  fullName: string;
  /** The change's reason, shown to the receiving agency. */
  reason: string;
}

export type Settlement =
  | { state: 'IMPORTED'; record: ImportInput; national: NationalInfo }
  | { state: 'REJECTED' | 'FAILED'; code: string; message: string; details?: unknown; national?: NationalInfo };

export interface NationalInfo {
  version: number;
  holderCode: string;
}

/**
 * Settles a QUEUED request: imports the record, or rejects or fails the request. An import that meets
 * another open change of the person becomes a rejection (CHANGE_PENDING). Returns the request as it
 * stands afterwards; a request already settled is returned untouched (a job run twice). `ackDeadline`
 * (epoch ms) ends the retries of the acknowledgement an inbound request then owes.
 */
export async function settleTransfer(db: Db, actor: Actor, requestId: string, s: Settlement, ackDeadline: number): Promise<TransferRow | null> {
  return db.prisma.$transaction(async (tx) => {
    const t = await lock(tx, requestId);
    if (!t || t.state !== 'QUEUED') return t;
    let outcome: Settlement = s;
    let changeId: string | null = null;
    if (s.state === 'IMPORTED') {
      const imported = await importRecord(tx, actor, t, s.record, s.national.version, db.clock.now());
      if ('refused' in imported) {
        outcome = { state: 'REJECTED', code: imported.refused, message: imported.message, details: imported.details, national: s.national };
      } else {
        changeId = imported.changeId;
      }
    }
    const ack = owesAck(t.source, outcome.state);
    const updated = await tx.transferRequest.update({
      where: { requestId },
      data: {
        state: outcome.state, changeId,
        outcomeCode: outcome.state === 'IMPORTED' ? null : outcome.code,
        outcomeMessage: outcome.state === 'IMPORTED' ? null : outcome.message,
        nationalVersion: outcome.national?.version ?? null, holderCode: outcome.national?.holderCode ?? null,
        ackState: ack ? 'PENDING' : t.ackState,
      },
    });
    await completeOutbox(tx, TRANSFER_PULL_TOPIC, requestId, db.clock.now());
    // The acknowledgement job may run after an operator's re-run too: re-arm it when its row exists.
    if (ack) await armOutbox(tx, TRANSFER_ACK_TOPIC, requestId, ackDeadline, db.clock.now());
    await audit(tx, db.clock.now(), actor, `TRANSFER_${outcome.state}`, t, {
      personalId: t.personalId, changeId,
      ...(outcome.state === 'IMPORTED' ? {} : { code: outcome.code, details: outcome.details ?? null }),
      ...(outcome.national ? { nationalVersion: outcome.national.version, holderCode: outcome.national.holderCode } : {}),
    });
    return updated;
  });
}

async function armOutbox(tx: Tx, topic: string, key: string, deadline: number, now: Date): Promise<void> {
  const reopened = await tx.outbox.updateMany({
    where: { topic, key }, data: { payload: { deadline }, doneAt: null, dispatchedAt: null, availableAt: now },
  });
  if (reopened.count === 0) await addOutbox(tx, topic, key, { deadline }, now);
}

type Imported = { changeId: string } | { refused: 'CHANGE_PENDING' | 'IN_PROVINCE_TRANSFER_REQUIRED'; message: string; details: unknown };

/**
 * The record becomes a SUBMITTED change of the receiving agency. A person new to the province is created
 * at version 0, as a new record is (THEM_MOI); a known person gets a CAP_NHAT moving the record, and
 * their earlier changes stay as they are. `baseVersion` is the national version the import was made
 * from (or the local one, when higher).
 */
async function importRecord(tx: Tx, actor: Actor, t: TransferRow, r: ImportInput, nationalVersion: number, now: Date): Promise<Imported> {
  const person = await tx.person.findUnique({ where: { personalId: t.personalId }, select: { version: true, status: true, employingAgencyCode: true } });
  // Checked again here: the person may have been taken on inside the province since the pull was asked for.
  const refusal = t.source === 'PULL' ? pullRefusal(person) : null;
  if (refusal) return { refused: refusal, message: errorSpec(refusal).message, details: { employingAgencyCode: person?.employingAgencyCode } };
  if (person) {
    const open = await tx.profileChange.findFirst({
      where: { personalId: t.personalId, state: { notIn: [...FINAL_CHANGE_STATES] } }, select: { id: true, state: true },
    });
    if (open) return { refused: 'CHANGE_PENDING', message: errorSpec('CHANGE_PENDING').message, details: { changeId: open.id, state: open.state } };
  } else {
    await tx.person.create({
      data: {
        personalId: t.personalId, category: r.category, status: r.status, managingAgencyCode: r.managingAgencyCode,
        employingAgencyCode: r.employingAgencyCode, profile: r.profile, version: 0, fullName: r.fullName,
      },
    });
  }
  const kind = person && person.version > 0 ? 'CAP_NHAT' : 'THEM_MOI';
  const change = await tx.profileChange.create({
    data: {
      personalId: t.personalId, kind, state: 'SUBMITTED', agencyCode: r.employingAgencyCode, category: r.category, status: r.status,
      managingAgencyCode: r.managingAgencyCode, employingAgencyCode: r.employingAgencyCode, effectiveDate: r.effectiveDate,
      profile: r.profile, contentSha256: r.contentSha256, baseVersion: Math.max(person?.version ?? 0, nationalVersion),
      reason: r.reason, source: changeSourceOf(t.source),
      // A pull's requester is the import's creator: barred from verifying it, and shown it once verified (pull-scope.ts).
      createdBy: t.source === 'PULL' && t.requestedBy ? t.requestedBy : actor.subject, submittedAt: now,
      events: { create: { fromState: null, toState: 'SUBMITTED', actor: actor.subject, reason: r.reason, at: now } },
    },
  });
  await appendAudit(tx, { actor: actor.subject, role: actor.role, action: `CHANGE_CREATE_${kind}`, entityType: 'change', entityId: change.id,
    agencyCode: change.agencyCode, details: { personalId: t.personalId, state: 'SUBMITTED', transferRequestId: t.requestId } }, now);
  return { changeId: change.id };
}

/** The national side has the acknowledgement. */
export async function recordAck(db: Db, actor: Actor, requestId: string, answer: unknown): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const t = await lock(tx, requestId);
    if (!t || t.ackState !== 'PENDING') return;
    await tx.transferRequest.update({ where: { requestId }, data: { ackState: 'ACKED', ackedAt: db.clock.now() } });
    await completeOutbox(tx, TRANSFER_ACK_TOPIC, requestId, db.clock.now());
    await audit(tx, db.clock.now(), actor, 'TRANSFER_ACK', t, { status: t.state, answer });
  });
}

/** The acknowledgement was refused for good or ran out of time: FAILED, for an operator. */
export async function recordAckFailure(db: Db, actor: Actor, requestId: string, failure: { code: string; details?: unknown }): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const t = await lock(tx, requestId);
    if (!t || t.ackState !== 'PENDING') return;
    await tx.transferRequest.update({ where: { requestId }, data: { ackState: 'FAILED', lastErrorCode: failure.code } });
    await completeOutbox(tx, TRANSFER_ACK_TOPIC, requestId, db.clock.now());
    await audit(tx, db.clock.now(), actor, 'TRANSFER_ACK_FAILED', t, { code: failure.code, details: failure.details ?? null });
  });
}

/**
 * An operator's re-run: a FAILED request is queued again, or a FAILED acknowledgement is sent again,
 * each with a new deadline. Anything else is refused with TRANSFER_NOT_FAILED.
 */
export async function rerunTransfer(db: Db, actor: Actor, requestId: string, deadline: number): Promise<TransferRow> {
  return db.prisma.$transaction(async (tx) => {
    const t = await lock(tx, requestId);
    if (!t) throw new GatewayError('TRANSFER_NOT_FOUND', { requestId });
    if (t.state === 'FAILED') {
      const updated = await tx.transferRequest.update({ where: { requestId }, data: { state: 'QUEUED', outcomeCode: null, outcomeMessage: null } });
      await armOutbox(tx, TRANSFER_PULL_TOPIC, requestId, deadline, db.clock.now());
      await audit(tx, db.clock.now(), actor, 'TRANSFER_RERUN', t, { what: 'pull', previousCode: t.outcomeCode });
      return updated;
    }
    if (t.ackState === 'FAILED') {
      const updated = await tx.transferRequest.update({ where: { requestId }, data: { ackState: 'PENDING' } });
      await armOutbox(tx, TRANSFER_ACK_TOPIC, requestId, deadline, db.clock.now());
      await audit(tx, db.clock.now(), actor, 'TRANSFER_RERUN', t, { what: 'ack', previousCode: t.lastErrorCode });
      return updated;
    }
    throw new GatewayError('TRANSFER_NOT_FAILED', { state: t.state, ackState: t.ackState });
  });
}

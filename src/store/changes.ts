// Persons and their profile changes. Every state change is one transaction: lock the change row,
// let the caller's pure rule decide, write the new state, the lifecycle event and the audit row together.
import type { Db, Tx } from './db.ts';
import { appendAudit, appendAuditNow } from './audit-log.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChangeKind, ChangeState, PersonCategory, PersonStatus, Prisma as P } from '../generated/prisma/client.ts';

export type ChangeRow = Awaited<ReturnType<Db['prisma']['profileChange']['findUniqueOrThrow']>>;
export type PersonRow = Awaited<ReturnType<Db['prisma']['person']['findUniqueOrThrow']>>;

export interface AttachmentInput {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface ChangeContent {
  category: PersonCategory;
  status: PersonStatus;
  managingAgencyCode: string;
  employingAgencyCode: string;
  effectiveDate: Date | null;
  profile: P.InputJsonValue;
  contentSha256: string;
}

export interface NewChange extends ChangeContent {
  personalId: string;
  kind: ChangeKind;
  state: ChangeState;
  reason?: string | null;
  source?: string;
  attachments: AttachmentInput[];
}

const openStates: ChangeState[] = ['DRAFT', 'SUBMITTED', 'VERIFIED', 'AGENCY_APPROVED', 'PROVINCE_APPROVED', 'BATCHED', 'RETURNED'];

function auditOf(actor: Principal, action: string, change: { id: string; agencyCode: string }, details?: unknown) {
  return { actor: actor.subject, role: actor.role, action, entityType: 'change', entityId: change.id, agencyCode: change.agencyCode, details };
}

async function insertChange(tx: Tx, actor: Principal, input: NewChange, baseVersion: number, now: Date): Promise<ChangeRow> {
  const change = await tx.profileChange.create({
    data: {
      personalId: input.personalId, kind: input.kind, state: input.state, agencyCode: input.employingAgencyCode,
      category: input.category, status: input.status, managingAgencyCode: input.managingAgencyCode,
      employingAgencyCode: input.employingAgencyCode, effectiveDate: input.effectiveDate, profile: input.profile,
      contentSha256: input.contentSha256, baseVersion, reason: input.reason ?? null, source: input.source ?? 'ENTRY',
      createdBy: actor.subject, submittedAt: input.state === 'SUBMITTED' ? now : null,
      attachments: { create: input.attachments.map((a) => ({ name: a.name, mediaType: a.mediaType, size: a.size, sha256: a.sha256, bytes: a.bytes })) },
      events: { create: { fromState: null, toState: input.state, actor: actor.subject, reason: input.reason ?? null, at: now } },
    },
  });
  await appendAudit(tx, auditOf(actor, `CHANGE_CREATE_${input.kind}`, change, { personalId: input.personalId, state: input.state, attachments: input.attachments.length }), now);
  return change;
}

/** A new record: the person row (version 0: nothing approved yet) and its first change. */
export async function createPersonWithChange(db: Db, actor: Principal, input: NewChange, fullName: string): Promise<ChangeRow> {
  return db.prisma.$transaction(async (tx) => {
    const existing = await tx.person.findUnique({ where: { personalId: input.personalId }, select: { personalId: true } });
    if (existing) throw new GatewayError('PERSON_EXISTS', { personalId: input.personalId });
    await tx.person.create({
      data: {
        personalId: input.personalId, category: input.category, status: input.status,
        managingAgencyCode: input.managingAgencyCode, employingAgencyCode: input.employingAgencyCode,
        profile: input.profile, version: 0, fullName,
      },
    });
    return insertChange(tx, actor, input, 0, db.clock.now());
  });
}

/** A change to an existing record; refused while another change of the same person is in progress. */
export async function createChange(db: Db, actor: Principal, input: NewChange): Promise<ChangeRow> {
  return db.prisma.$transaction(async (tx) => {
    const person = await tx.person.findUnique({ where: { personalId: input.personalId }, select: { version: true } });
    if (!person) throw new GatewayError('PERSON_NOT_FOUND');
    const open = await tx.profileChange.findFirst({ where: { personalId: input.personalId, state: { in: openStates } }, select: { id: true, state: true } });
    if (open) throw new GatewayError('CHANGE_PENDING', { changeId: open.id, state: open.state });
    return insertChange(tx, actor, input, person.version, db.clock.now());
  });
}

export interface Decision {
  state: ChangeState;
  reason?: string | null;
  patch?: Partial<ChangeContent> & { returnReason?: string | null; period?: string | null; reason?: string | null };
  attachments?: AttachmentInput[];
  action: string;
}

const stampOf: Partial<Record<ChangeState, keyof ChangeRow>> = {
  SUBMITTED: 'submittedAt', VERIFIED: 'verifiedAt', AGENCY_APPROVED: 'agencyApprovedAt', PROVINCE_APPROVED: 'provinceApprovedAt', SYNCED: 'syncedAt',
};

/** Who took the steps of a change so far (change_event.actor), for the separation-of-duties rules. */
export interface ChangeHistory {
  /** The subject who last moved it to VERIFIED, or null. */
  verifiedBy: string | null;
}

async function historyOf(tx: Tx, id: string): Promise<ChangeHistory> {
  const verified = await tx.changeEvent.findFirst({ where: { changeId: id, toState: 'VERIFIED' }, orderBy: { id: 'desc' }, select: { actor: true } });
  return { verifiedBy: verified?.actor ?? null };
}

/**
 * Locks the change, asks `decide` (pure rules, given the change and who took its steps so far) what
 * happens, and writes it with its event and audit row. A refusal from `decide` changes nothing.
 */
export async function transitionChange(db: Db, actor: Principal, id: string, decide: (current: ChangeRow, history: ChangeHistory) => Decision): Promise<ChangeRow> {
  return db.prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM profile_change WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new GatewayError('CHANGE_NOT_FOUND', { id });
    const current = await tx.profileChange.findUniqueOrThrow({ where: { id } });
    const decision = decide(current, await historyOf(tx, id));
    const stamp = stampOf[decision.state];
    const now = db.clock.now();
    const updated = await tx.profileChange.update({
      where: { id },
      data: {
        ...decision.patch,
        state: decision.state,
        ...(stamp ? { [stamp]: now } : {}),
        events: { create: { fromState: current.state, toState: decision.state, actor: actor.subject, reason: decision.reason ?? null, at: now } },
        ...(decision.attachments?.length ? { attachments: { create: decision.attachments.map((a) => ({ ...a })) } } : {}),
      },
    });
    await appendAudit(tx, auditOf(actor, decision.action, updated, { from: current.state, to: decision.state, reason: decision.reason ?? undefined }), now);
    return updated;
  });
}

export async function getChange(db: Db, id: string) {
  return db.prisma.profileChange.findUnique({
    where: { id },
    include: {
      attachments: { select: { id: true, name: true, mediaType: true, size: true, sha256: true, createdAt: true } },
      events: { orderBy: { id: 'asc' } },
    },
  });
}

export async function getAttachment(db: Db, changeId: string, attachmentId: string) {
  return db.prisma.attachment.findFirst({ where: { id: attachmentId, changeId } });
}

export interface ChangeFilter {
  agencyRoot: string;
  state?: ChangeState;
  period?: string;
  personalId?: string;
  limit: number;
  after?: string;
}

export async function listChanges(db: Db, f: ChangeFilter) {
  return db.prisma.profileChange.findMany({
    where: {
      OR: [{ agencyCode: f.agencyRoot }, { agencyCode: { startsWith: `${f.agencyRoot}.` } }],
      ...(f.state ? { state: f.state } : {}),
      ...(f.period ? { period: f.period } : {}),
      ...(f.personalId ? { personalId: f.personalId } : {}),
      ...(f.after ? { id: { gt: f.after } } : {}),
    },
    orderBy: { id: 'asc' },
    take: f.limit,
    select: { id: true, personalId: true, kind: true, state: true, agencyCode: true, period: true, createdAt: true, updatedAt: true, returnReason: true, rejectionCode: true, rejectionMessage: true },
  });
}

// The record reads behind GET /persons/{id} (and every route that loads a person) run on the pg pool:
// through Prisma's wasm client each costs about a millisecond of CPU, most of an API read's budget.

/** Every column of a person, named as Prisma names them. */
const PERSON_COLUMNS = `personal_id AS "personalId", category, status, managing_agency_code AS "managingAgencyCode",
  employing_agency_code AS "employingAgencyCode", profile, version, synced_version AS "syncedVersion", full_name AS "fullName",
  grade_code AS "gradeCode", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function getPerson(db: Db, personalId: string): Promise<PersonRow | null> {
  const { rows } = await db.pool.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM person WHERE personal_id = $1`, [personalId]);
  return rows[0] ?? null;
}

export async function openChangeOf(db: Db, personalId: string): Promise<{ id: string; state: ChangeState; kind: ChangeKind } | null> {
  const { rows } = await db.pool.query<{ id: string; state: ChangeState; kind: ChangeKind }>(
    'SELECT id::text AS id, state::text AS state, kind::text AS kind FROM profile_change WHERE personal_id = $1 AND state::text = ANY($2::text[]) LIMIT 1',
    [personalId, openStates]);
  return rows[0] ?? null;
}

export async function listPersons(db: Db, f: { agencyRoot: string; limit: number; after?: string; status?: PersonStatus }) {
  const under = (col: 'employingAgencyCode' | 'managingAgencyCode') => [{ [col]: f.agencyRoot }, { [col]: { startsWith: `${f.agencyRoot}.` } }];
  return db.prisma.person.findMany({
    where: {
      OR: [...under('employingAgencyCode'), ...under('managingAgencyCode')],
      ...(f.status ? { status: f.status } : {}),
      ...(f.after ? { personalId: { gt: f.after } } : {}),
    },
    orderBy: { personalId: 'asc' },
    take: f.limit,
    select: { personalId: true, fullName: true, category: true, status: true, employingAgencyCode: true, managingAgencyCode: true, version: true, gradeCode: true },
  });
}

/** Records that an officer read another person's record (the data is partly state-secret). */
export async function auditRead(db: Db, actor: Principal, entity: { type: string; id: string; agencyCode: string }, details?: unknown): Promise<void> {
  await appendAuditNow(db, {
    actor: actor.subject, role: actor.role, action: 'READ', entityType: entity.type, entityId: entity.id, agencyCode: entity.agencyCode, details,
  });
}

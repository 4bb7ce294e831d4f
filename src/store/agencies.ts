// Agencies: the province's tree of electronic identifiers, its import and its reorganisation.
import type { Db, Tx } from './db.ts';
import { appendAudit } from './audit-log.ts';
import { GatewayError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { contentSha256 as contentSha256Of } from '../domain/canonical.ts';
import type { SoYeuLyLich } from '../domain/profile-schema.ts';
import { localDate } from '../domain/working-days.ts';

export interface AgencyInput {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  activeFrom: Date;
}

export interface AgencyRow {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  activeFrom: Date;
  activeTo: Date | null;
  successorCode: string | null;
}

const subtreeWhere = (root: string) => ({ OR: [{ code: root }, { code: { startsWith: `${root}.` } }] });

/** Writes a validated list (new codes created, known codes renamed); all or nothing. */
export async function upsertAgencies(db: Db, actor: Principal, rows: AgencyInput[]): Promise<{ created: number; updated: number }> {
  return db.prisma.$transaction(async (tx) => {
    const existing = new Set((await tx.agency.findMany({ where: { code: { in: rows.map((r) => r.code) } }, select: { code: true } }))
      .map((a) => a.code));
    // Parents first, so the foreign key to the parent always holds.
    for (const r of [...rows].sort((a, b) => a.level - b.level)) {
      await tx.agency.upsert({ where: { code: r.code }, create: r, update: { name: r.name, parentCode: r.parentCode } });
    }
    const created = rows.filter((r) => !existing.has(r.code)).length;
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'AGENCY_IMPORT', entityType: 'agency',
      agencyCode: actor.agencyCode, details: { created, updated: rows.length - created } }, db.clock.now());
    return { created, updated: rows.length - created };
  });
}

/** Every code under `root`, closed ones included (a province has a few thousand at most). */
export async function listAgencyCodes(db: Db, root: string): Promise<string[]> {
  return (await db.prisma.agency.findMany({ where: subtreeWhere(root), select: { code: true } })).map((a) => a.code);
}

export async function getAgency(db: Db, code: string): Promise<AgencyRow | null> {
  return db.prisma.agency.findUnique({ where: { code } });
}

export async function listSubtree(db: Db, root: string, options: { includeClosed?: boolean } = {}): Promise<AgencyRow[]> {
  return db.prisma.agency.findMany({
    where: { ...subtreeWhere(root), ...(options.includeClosed ? {} : { activeTo: null }) },
    orderBy: { code: 'asc' },
  });
}

export async function listClosures(db: Db): Promise<Array<{ code: string; closedOn: Date; successorCode: string }>> {
  const rows = await db.prisma.agency.findMany({ where: { activeTo: { not: null }, successorCode: { not: null } },
    select: { code: true, activeTo: true, successorCode: true } });
  return rows.map((r) => ({ code: r.code, closedOn: r.activeTo!, successorCode: r.successorCode! }));
}

/**
 * Closes an agency code on a date and moves everything it held to its successor: persons it employs
 * or manages, and open changes. Each moved person gets a verified change carrying
 * the new codes, so the move reaches the national side through the normal approval and sync.
 */
export async function closeAgency(db: Db, actor: Principal, input: {
  code: string; successorCode: string; closedOn: Date; reason: string;
}): Promise<{ personsMoved: number; changesMoved: number }> {
  return db.prisma.$transaction(async (tx) => {
    const now = db.clock.now();
    const moved = await movePersons(tx, input.code, input.successorCode, actor.subject, now);
    const changes = await tx.profileChange.updateMany({
      where: { agencyCode: input.code, state: { notIn: ['SYNCED', 'REJECTED_BY_NATIONAL'] } },
      data: { agencyCode: input.successorCode },
    });
    await tx.agency.update({ where: { code: input.code }, data: { activeTo: input.closedOn, successorCode: input.successorCode } });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'AGENCY_CLOSE', entityType: 'agency', entityId: input.code,
      agencyCode: input.code, details: { successorCode: input.successorCode, closedOn: input.closedOn.toISOString().slice(0, 10),
        reason: input.reason, personsMoved: moved, changesMoved: changes.count } }, now);
    return { personsMoved: moved, changesMoved: changes.count };
  }, { timeout: 120_000 });
}

/** Moves the persons and gives each a verified change carrying the new codes, hashed like any change. */
async function movePersons(tx: Tx, from: string, to: string, actor: string, now: Date): Promise<number> {
  const persons = await tx.person.findMany({
    where: { OR: [{ employingAgencyCode: from }, { managingAgencyCode: from }], version: { gt: 0 },
      changes: { none: { state: { notIn: ['SYNCED', 'REJECTED_BY_NATIONAL'] } } } },
  });
  const today = new Date(`${localDate(now)}T00:00:00Z`); // the Vietnamese date, as a DATE column holds it
  const rows = persons.map((p) => {
    const managingAgencyCode = p.managingAgencyCode === from ? to : p.managingAgencyCode;
    const employingAgencyCode = p.employingAgencyCode === from ? to : p.employingAgencyCode;
    const contentSha256 = contentSha256Of({ SoDinhDanh: p.personalId, MaDonViQuanLy: managingAgencyCode, MaDonViSuDung: employingAgencyCode,
      PhanLoai: p.category, TrangThai: p.status, NgayHieuLuc: today.toISOString().slice(0, 10), SoYeuLyLich: p.profile as SoYeuLyLich });
    return { personalId: p.personalId, kind: 'CAP_NHAT' as const, state: 'VERIFIED' as const, agencyCode: employingAgencyCode,
      category: p.category, status: p.status, managingAgencyCode, employingAgencyCode, effectiveDate: today, profile: p.profile as object,
      contentSha256, baseVersion: p.version, source: 'REORGANISATION', reason: `Tổ chức lại: ${from} → ${to}`, createdBy: actor,
      submittedAt: now, verifiedAt: now };
  });
  if (rows.length > 0) await tx.profileChange.createMany({ data: rows });
  await tx.$executeRaw`
    UPDATE person SET
      managing_agency_code = CASE WHEN managing_agency_code = ${from} THEN ${to} ELSE managing_agency_code END,
      employing_agency_code = CASE WHEN employing_agency_code = ${from} THEN ${to} ELSE employing_agency_code END,
      updated_at = ${now}
    WHERE employing_agency_code = ${from} OR managing_agency_code = ${from}`;
  return rows.length;
}

export function assertAgencyActive(agency: AgencyRow | null, code: string, on: Date): AgencyRow {
  if (!agency) throw new GatewayError('AGENCY_NOT_FOUND', { code });
  if (agency.activeTo && agency.activeTo <= on) throw new GatewayError('AGENCY_CLOSED', { code, successorCode: agency.successorCode });
  return agency;
}

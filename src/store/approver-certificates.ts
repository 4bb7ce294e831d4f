// Approver certificates in the database (issue 15): each registration and revocation commits with its audit row.
import type { Db } from './db.ts';
import { appendAudit } from './audit-log.ts';
import { GatewayError } from '../errors.ts';

export interface ApproverCertificateRow {
  id: string;
  subject: string;
  fingerprint: string;
  serialNumber: string;
  issuer: string;
  certificateSubject: string;
  registeredBy: string;
  registeredAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
  reason: string | null;
}

export interface ActorRef { subject: string; role: string }

export type NewApproverCertificate = Pick<ApproverCertificateRow, 'subject' | 'fingerprint' | 'serialNumber' | 'issuer' | 'certificateSubject'>;

const details = (row: ApproverCertificateRow) => ({
  subject: row.subject, fingerprint: row.fingerprint, serialNumber: row.serialNumber, issuer: row.issuer, certificateSubject: row.certificateSubject,
});

export async function registerApproverCertificate(db: Db, actor: ActorRef, c: NewApproverCertificate): Promise<ApproverCertificateRow> {
  const now = db.clock.now();
  return db.prisma.$transaction(async (tx) => {
    const existing = await tx.approverCertificate.findFirst({ where: { subject: c.subject, fingerprint: c.fingerprint, revokedAt: null } });
    if (existing) throw new GatewayError('CERT_ALREADY_REGISTERED', { subject: c.subject, fingerprint: c.fingerprint });
    const row = await tx.approverCertificate.create({ data: { ...c, registeredBy: actor.subject, registeredAt: now } });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'APPROVER_CERT_REGISTER', entityType: 'approver_certificate',
      entityId: row.id, details: details(row) }, now);
    return row;
  });
}

export async function revokeApproverCertificate(db: Db, actor: ActorRef, subject: string, fingerprint: string, reason: string): Promise<ApproverCertificateRow> {
  const now = db.clock.now();
  return db.prisma.$transaction(async (tx) => {
    const current = await tx.approverCertificate.findFirst({ where: { subject, fingerprint, revokedAt: null } });
    if (!current) throw new GatewayError('APPROVER_CERT_NOT_FOUND', { subject, fingerprint });
    const row = await tx.approverCertificate.update({ where: { id: current.id }, data: { revokedAt: now, revokedBy: actor.subject, reason } });
    await appendAudit(tx, { actor: actor.subject, role: actor.role, action: 'APPROVER_CERT_REVOKE', entityType: 'approver_certificate',
      entityId: row.id, details: { ...details(row), reason } }, now);
    return row;
  });
}

export async function listApproverCertificates(db: Db, subject: string): Promise<ApproverCertificateRow[]> {
  return db.prisma.approverCertificate.findMany({ where: { subject }, orderBy: { registeredAt: 'asc' } });
}

/** Is this certificate registered for this subject and not revoked? */
export async function isRegisteredApproverCertificate(db: Db, subject: string, fingerprint: string): Promise<boolean> {
  return (await db.prisma.approverCertificate.count({ where: { subject, fingerprint, revokedAt: null } })) > 0;
}

// Console sessions in the database (see migration 0013_console_sessions). Callers pass the cookie's value;
// only its SHA-256 is stored or looked up.
import { createHash } from 'node:crypto';
import type { Db } from './db.ts';

export const hashSessionId = (value: string): string => createHash('sha256').update(value).digest('hex');

export interface LoginRow { state: string; nonce: string; codeVerifier: string; createdAt: Date }
export interface SessionRow { subject: string; claims: Record<string, unknown>; idToken: string | null; csrfToken: string; createdAt: Date; lastSeenAt: Date }

export async function saveLogin(db: Db, id: string, l: LoginRow): Promise<void> {
  await db.prisma.consoleSession.create({ data: { idHash: hashSessionId(id), kind: 'LOGIN', ...l, lastSeenAt: l.createdAt } });
}

/** A sign-in in progress is used once: it is deleted as it is read. */
export async function consumeLogin(db: Db, id: string): Promise<LoginRow | null> {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.consoleSession.findFirst({ where: { idHash: hashSessionId(id), kind: 'LOGIN' } });
    if (!row) return null;
    await tx.consoleSession.delete({ where: { idHash: row.idHash } });
    return { state: row.state!, nonce: row.nonce!, codeVerifier: row.codeVerifier!, createdAt: row.createdAt };
  });
}

export async function saveSession(db: Db, id: string, s: SessionRow): Promise<void> {
  await db.prisma.consoleSession.create({ data: { idHash: hashSessionId(id), kind: 'SESSION', subject: s.subject, claims: s.claims as object,
    idToken: s.idToken, csrfToken: s.csrfToken, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt } });
}

export async function getSession(db: Db, id: string): Promise<SessionRow | null> {
  const row = await db.prisma.consoleSession.findFirst({ where: { idHash: hashSessionId(id), kind: 'SESSION' } });
  if (!row) return null;
  return { subject: row.subject!, claims: (row.claims ?? {}) as Record<string, unknown>, idToken: row.idToken, csrfToken: row.csrfToken!, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt };
}

export async function touchSession(db: Db, id: string, at: Date): Promise<void> {
  await db.prisma.consoleSession.updateMany({ where: { idHash: hashSessionId(id), kind: 'SESSION' }, data: { lastSeenAt: at } });
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.prisma.consoleSession.deleteMany({ where: { idHash: hashSessionId(id) } });
}

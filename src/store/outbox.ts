// The outbox: work to hand to the queue, written in the same transaction as the state change that
// needs it, and marked done in the same transaction as the state change that settles it.
import type { Db, Tx } from './db.ts';
import type { Prisma as P } from '../generated/prisma/client.ts';

export async function addOutbox(tx: Tx, topic: string, key: string, payload: P.InputJsonValue): Promise<void> {
  await tx.outbox.create({ data: { topic, key, payload } });
}

export async function completeOutbox(tx: Tx, topic: string, key: string): Promise<void> {
  await tx.outbox.updateMany({ where: { topic, key }, data: { doneAt: new Date() } });
}

/** Puts settled work back in the queue (an operator's re-run). */
export async function reopenOutbox(tx: Tx, topic: string, key: string): Promise<void> {
  await tx.outbox.updateMany({ where: { topic, key }, data: { doneAt: null, dispatchedAt: null, availableAt: new Date() } });
}

export async function pendingOutbox(db: Db, limit: number) {
  return db.prisma.outbox.findMany({ where: { doneAt: null, availableAt: { lte: new Date() } }, orderBy: { id: 'asc' }, take: limit });
}

export async function markDispatched(db: Db, ids: bigint[]): Promise<void> {
  if (ids.length) await db.prisma.outbox.updateMany({ where: { id: { in: ids } }, data: { dispatchedAt: new Date() } });
}

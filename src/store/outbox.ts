// The outbox: work to hand to the queue, written in the same transaction as the state change that
// needs it, and marked done in the same transaction as the state change that settles it.
import pg from 'pg';
import type { Db, Tx } from './db.ts';
import { backoffCeiling } from '../exchange/retry-policy.ts';
import type { Prisma as P } from '../generated/prisma/client.ts';

/** Notified at commit when outbox work becomes available (triggers of migration 0006_outbox_notify). */
export const OUTBOX_CHANNEL = 'csdl_outbox';
/** The listener's application_name, so operators (and tests) can tell its session apart. */
export const OUTBOX_LISTENER_APP = 'csdl-gateway outbox listener';

export async function addOutbox(tx: Tx, topic: string, key: string, payload: P.InputJsonValue, at: Date): Promise<void> {
  await tx.outbox.create({ data: { topic, key, payload, createdAt: at, availableAt: at } });
}

export async function completeOutbox(tx: Tx, topic: string, key: string, at: Date): Promise<void> {
  await tx.outbox.updateMany({ where: { topic, key }, data: { doneAt: at } });
}

/** Puts settled work back in the queue (an operator's re-run). */
export async function reopenOutbox(tx: Tx, topic: string, key: string, at: Date): Promise<void> {
  await tx.outbox.updateMany({ where: { topic, key }, data: { doneAt: null, dispatchedAt: null, availableAt: at } });
}

export async function pendingOutbox(db: Db, limit: number) {
  return db.prisma.outbox.findMany({ where: { doneAt: null, availableAt: { lte: db.clock.now() } }, orderBy: { id: 'asc' }, take: limit });
}

export async function markDispatched(db: Db, ids: bigint[]): Promise<void> {
  if (ids.length) await db.prisma.outbox.updateMany({ where: { id: { in: ids } }, data: { dispatchedAt: db.clock.now() } });
}

export interface OutboxListener { close(): Promise<void> }

/** Wait before the listener's next connection attempt: 1 s, doubling with each failed one in a row, at most 30 s. */
const LISTEN_BACKOFF = { baseMs: 1_000, factor: 2, maxMs: 30_000 };

/**
 * Calls `onNotify` when outbox work becomes available, over one dedicated connection (LISTEN needs a
 * session of its own, not a pooled one). A lost connection is reported to `onError` and reopened with
 * a capped backoff until closed; notifications missed meanwhile only cost latency (the relay still
 * polls), and a reconnect calls `onNotify` once to catch up. Resolves after the first attempt, even a
 * failed one, so a database that is down at start does not stop the worker.
 */
export async function listenOutbox(databaseUrl: string, onNotify: () => void, onError: (err: Error) => void = () => {}): Promise<OutboxListener> {
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  let failures = 0;
  let connectedBefore = false;

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => { timer = undefined; connecting = attempt(); }, backoffCeiling(failures + 1, LISTEN_BACKOFF));
  };

  const attempt = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl, application_name: OUTBOX_LISTENER_APP, keepAlive: true, connectionTimeoutMillis: 10_000 });
    let lost = false;
    let listening = false;
    const lose = (err: Error | undefined) => {
      if (lost) return;
      lost = true;
      if (listening) client = undefined;
      else failures += 1;
      if (err && !closed) onError(err);
      c.end().catch(() => {});
      retry();
    };
    // Without an 'error' listener a dropped session would end the process; the 'end' that follows is the drop.
    c.on('error', (err) => lose(err));
    c.on('end', () => lose(closed ? undefined : new Error('outbox listener connection ended')));
    c.on('notification', (msg) => { if (msg.channel === OUTBOX_CHANNEL) onNotify(); });
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      lose(err as Error);
      return;
    }
    if (lost) return;
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    listening = true;
    client = c;
    failures = 0;
    if (connectedBefore) onNotify();
    connectedBefore = true;
  };

  connecting = attempt();
  await connecting;
  let closing: Promise<void> | undefined;
  return {
    close: () => (closing ??= (async () => {
      closed = true;
      clearTimeout(timer);
      await connecting;
      await client?.end().catch(() => {});
    })()),
  };
}
